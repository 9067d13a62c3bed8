"""Liveness (/livez: the process serves) and readiness (/healthz: database, LiveKit, Redis)."""

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rooms import livekit_server
from tests.conftest import stop, wait_for
from tests.webhooks.test_fast_path import post

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT_URL = "redis://127.0.0.1:9/0"  # discard: nothing answers there


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our loopback URL
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.django_db
def test_livez_answers_without_touching_any_dependency(client: Client, settings: Any) -> None:
    settings.LIVEKIT_URL = "ws://127.0.0.1:9"
    settings.REDIS_URL = CLOSED_PORT_URL
    assert client.get("/healthz").status_code == 503
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_checks_redis_when_it_is_configured(client: Client, settings: Any, livekit: None) -> None:
    settings.REDIS_URL = os.environ["TEST_REDIS_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "database": "ok", "livekit": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_naming_redis_when_it_is_down(client: Client, settings: Any, livekit: None) -> None:
    settings.REDIS_URL = CLOSED_PORT_URL
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["redis"].startswith("error")
    assert body["database"] == "ok" and body["livekit"] == "ok"


@pytest.mark.django_db
def test_livez_stays_open_behind_the_dev_access_key(client: Client, settings: Any) -> None:
    settings.DEV_ACCESS_KEY = "let-me-in"
    assert client.get("/livez").status_code == 200


@pytest.fixture
def web_without_database(tmp_path: Path) -> Iterator[str]:
    """daphne whose database does not answer (a closed port), as when Postgres is stopped."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL="postgres://lectern@127.0.0.1:9/lectern", WEB_PORT=str(port))
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = open(tmp_path / "daphne.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def serving() -> bool:
        if process.poll() is not None:
            pytest.fail(f"daphne exited: {(tmp_path / 'daphne.log').read_text()}")
        try:
            return get(f"{url}/livez")[0] == 200
        except OSError:
            return False

    wait_for(serving, timeout=30, interval=0.2, what="daphne to answer /livez")
    yield url
    stop(process, log)


def test_a_process_without_its_database_is_live_but_not_ready(web_without_database: str, livekit: None) -> None:
    assert get(f"{web_without_database}/livez") == (200, {"status": "ok"})
    status, body = get(f"{web_without_database}/healthz")
    assert status == 503
    assert body["database"].startswith("error") and body["livekit"] == "ok"


def test_pages_and_the_api_answer_a_clear_503_while_the_database_is_down(web_without_database: str) -> None:
    request = urllib.request.Request(f"{web_without_database}/j/abc-defg-hij")  # noqa: S310 - loopback
    try:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 - our loopback URL
        raise AssertionError("the invite page answered without its database")
    except urllib.error.HTTPError as error:
        assert error.code == 503
        assert "The database is not reachable right now" in error.read().decode()
        assert error.headers["Retry-After"] == "10"
    status, body = get(f"{web_without_database}/api/v1/rooms/abc-defg-hij/public")
    assert (status, body) == (503, {"detail": "The database is not reachable right now. Try again in a moment."})


def test_livekits_webhook_is_answered_503_while_the_database_is_down(web_without_database: str) -> None:
    """A webhook that cannot be stored is not acknowledged: LiveKit sends it again."""
    body = json.dumps({"event": "room_started", "id": "EV_NO_DB", "room": {"name": "r", "sid": "RM_x"}}).encode()
    headers = {"Authorization": livekit_server.sign_webhook(body=body), "Content-Type": "application/webhook+json"}
    status, _, answer = post(web_without_database, body, headers)
    assert status == 503
    assert answer == {"detail": "The database is unavailable."}
