"""Every page carries a strict Content-Security-Policy and a Permissions-Policy."""

import re

import pytest
from django.conf import settings
from django.test import Client

from rooms.models import Room

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.fixture
def pages(room: Room, admin) -> list[tuple[Client, str]]:
    host_client = Client()
    host_client.force_login(room.host)
    admin_client = Client()
    admin_client.force_login(admin)
    anonymous = Client()
    return [
        (anonymous, "/accounts/login/"),
        (anonymous, "/accounts/signup/"),
        (anonymous, f"/j/{room.code}"),
        (anonymous, "/j/no-such-code"),
        (host_client, "/"),
        (host_client, f"/rooms/{room.code}/"),
        (host_client, "/lectures/"),
        (admin_client, "/admin/"),
        (anonymous, "/api/v1/openapi.json"),
    ]


def test_every_page_has_a_strict_csp_and_a_permissions_policy(pages) -> None:
    nonces = set()
    for client, url in pages:
        response = client.get(url)
        assert response.status_code < 500, url
        csp = policy(response)
        assert csp["frame-ancestors"] == "'none'", url
        assert csp["object-src"] == "'none'", url
        assert "unsafe-eval" not in response["Content-Security-Policy"], url
        assert "unsafe-inline" not in csp["script-src"], url
        nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{16,})'", csp["script-src"])
        assert nonce, url
        nonces.add(nonce.group(1))
        livekit_host = settings.LIVEKIT_URL.split("://", 1)[1]
        assert f"ws://{livekit_host}" in csp["connect-src"] and f"http://{livekit_host}" in csp["connect-src"], url
        permissions = response["Permissions-Policy"]
        for feature in ("camera=(self)", "microphone=(self)", "display-capture=(self)", "geolocation=()"):
            assert feature in permissions, (url, feature)
    assert len(nonces) == len(pages), "each response has its own nonce"
