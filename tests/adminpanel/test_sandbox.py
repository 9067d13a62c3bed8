"""The token sandbox: the token connects with exactly the grants chosen, and every one is audited."""

from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from rooms import livekit_server
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {
    "room": "sandbox-room",
    "identity": "sandbox-tester",
    "name": "Sandbox Tester",
    "ttl_seconds": "600",
    "metadata": "from the test",
    "publish_sources": ["microphone"],
    "can_publish_data": "on",
    "hidden": "on",
}


def test_a_sandbox_token_connects_with_exactly_the_grants_chosen(admin_client: Client, admin: Any, peers: Any) -> None:
    livekit_server.create_room(name="sandbox-room")
    response = admin_client.post("/admin/sandbox/", FORM, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 200
    credentials = response.context["credentials"]
    page = response.content.decode()
    assert "&quot;canPublishSources&quot;" in page and "&quot;roomAdmin&quot;: false" in page
    assert f"/admin/sandbox/test/#url={credentials.livekit_url.replace(':', '%3A').replace('/', '%2F')}" in page
    event = AuditEvent.objects.get(action="admin.sandbox_token")
    assert event.actor == admin and event.target == "sandbox-tester" and event.ip_address == "192.0.2.44"
    assert event.detail["publish_sources"] == ["microphone"] and credentials.token not in str(event.detail)

    peers.connect({"livekit_url": credentials.livekit_url, "token": credentials.token})

    def on_server() -> livekit_server.LiveKitParticipant | None:
        found = [p for p in livekit_server.list_participants(room="sandbox-room") if p.identity == "sandbox-tester"]
        return found[0] if found else None

    participant = wait_for(on_server, what="the sandbox participant on the server")
    assert participant.can_publish and participant.can_publish_sources == ("microphone",)
    assert not participant.can_subscribe and participant.can_publish_data and participant.hidden
    assert participant.metadata == "from the test"
    livekit_server.delete_room(name="sandbox-room")


def test_sandbox_refuses_bad_input(admin_client: Client) -> None:
    bad = {**FORM, "identity": "has spaces", "ttl_seconds": "5", "name": "\u202eevil"}
    response = admin_client.post("/admin/sandbox/", bad)
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="admin.sandbox_token").exists()


def test_the_test_page_loads_its_script_from_static(admin_client: Client) -> None:
    page = admin_client.get("/admin/sandbox/test/").content.decode()
    assert '<script type="module" src="/static/build/sandbox.js"></script>' in page
