"""Schemathesis against the live OpenAPI schema: every operation, as a logged-in host and as an
admitted student, must answer no 5xx and nothing that breaks its own schema."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils.crypto import get_random_string

from accounts.models import User
from rooms.models import Room
from tests.moderation.conftest import post_json
from tests.recordings.conftest import egress  # noqa: F401 - fixture: Record must reach a running recorder

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = "not_a_server_error,response_schema_conformance"


def _fuzz(base_url: str, cookies: dict[str, str], *, examples: int, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    csrf = get_random_string(32)
    cookie = "; ".join(f"{name}={value}" for name, value in {**cookies, "csrftoken": csrf}.items())
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{base_url}/api/v1/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            str(examples),
            "--seed",
            "20261130",
            "--generation-allow-x00",
            "true",
            "--request-timeout",
            "20",
            "--suppress-health-check",
            "all",
            "--header",
            f"Cookie: {cookie}",
            "--header",
            f"X-CSRFToken: {csrf}",
        ],
        capture_output=True,
        text=True,
        timeout=800,
        cwd=tmp_path,
    )


def _assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    report = result.stdout + result.stderr
    if result.returncode != 0:
        failures = report[report.find("FAILURES") :] if "FAILURES" in report else report
        pytest.fail(failures[:8000])
    assert "No issues found" in report or "passed" in report, report[-3000:]


@pytest.fixture
def live_room(host: User, host_client: Client, room: Room, livekit: None) -> Room:
    Room.objects.filter(pk=room.pk).update(lobby=False)
    assert post_json(host_client, f"/api/v1/rooms/{room.code}/token").status_code == 200
    return room


@pytest.mark.usefixtures("egress")
def test_no_operation_answers_a_host_with_a_server_error(
    web_server: str, host_client: Client, live_room: Room, tmp_path: Path
) -> None:
    session = host_client.cookies[settings.SESSION_COOKIE_NAME].value
    _assert_clean(_fuzz(web_server, {settings.SESSION_COOKIE_NAME: session}, examples=12, tmp_path=tmp_path))


def test_no_operation_answers_a_student_with_a_server_error(web_server: str, live_room: Room, tmp_path: Path) -> None:
    request = urllib.request.Request(  # noqa: S310 - our loopback server
        f"{web_server}/api/v1/rooms/{live_room.code}/join",
        data=json.dumps({"display_name": "Fuzz Student", "fingerprint": "fp-fuzz-000001"}).encode(),
        headers={"Content-Type": "application/json", "Cookie": "csrftoken=" + "c" * 32, "X-CSRFToken": "c" * 32},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our loopback server
        assert response.status == 200
        cookies: dict[str, Any] = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    _assert_clean(_fuzz(web_server, {"lectern_guest": cookies["lectern_guest"]}, examples=8, tmp_path=tmp_path))
