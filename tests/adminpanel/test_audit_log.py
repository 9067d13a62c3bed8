"""The audit log reads as sentences and carries the address of every request that caused an event."""

import json

import pytest
from django.test import Client

from audit.models import AuditEvent
from lectures.life import open_room
from lobby.models import LobbyEntry
from rooms.models import Room

pytestmark = pytest.mark.django_db


def test_a_host_admitting_a_student_reads_as_a_sentence_with_the_ip(
    admin_client: Client, host_client: Client, room: Room, livekit: None
) -> None:
    open_room(room=room)
    student = Client(REMOTE_ADDR="10.9.0.4")
    body = json.dumps({"display_name": "Ben Okafor", "fingerprint": "fp-ben-000000001"})
    assert student.post(f"/api/v1/rooms/{room.code}/join", body, content_type="application/json").status_code == 202
    entry = LobbyEntry.objects.get(status="pending")
    url = f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/admit"
    assert host_client.post(url, "{}", content_type="application/json", REMOTE_ADDR="198.51.100.9").status_code == 200
    assert AuditEvent.objects.get(action="lobby.admit").ip_address == "198.51.100.9"
    page = admin_client.get("/admin/audit/").content.decode()
    assert "<strong>Ada Prof</strong> admitted <strong>Ben Okafor</strong>" in page
    assert "198.51.100.9" in page and room.title in page
