import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from lobby.models import LobbyEntry
from rooms.models import Lecture, Room


def post_json(client: Client, url: str, data: Any = None):
    return client.post(url, json.dumps(data if data is not None else {}), content_type="application/json")


@dataclass
class Student:
    client: Client
    credentials: dict[str, Any]
    fingerprint: str

    @property
    def identity(self) -> str:
        return self.credentials["identity"]


def admit_student(host_client: Client, room: Room, name: str, fingerprint: str, **join: Any) -> Student:
    """Knock, get admitted by the host, and take the token the way a reloaded page does (/rejoin)."""
    client = Client(REMOTE_ADDR="10.9.0.1")
    response = post_json(
        client, f"/api/v1/rooms/{room.code}/join", {"display_name": name, "fingerprint": fingerprint, **join}
    )
    if response.status_code == 202:
        entry = LobbyEntry.objects.get(guest__session_id=response.json()["session_id"], status="pending")
        assert post_json(host_client, f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/admit").status_code == 200
        response = post_json(client, f"/api/v1/rooms/{room.code}/rejoin")
    assert response.status_code == 200, response.content
    return Student(client=client, credentials=response.json(), fingerprint=fingerprint)


@pytest.fixture
def host_credentials(host_client: Client, room: Room, livekit: None) -> dict[str, Any]:
    """The host opened the room: a live lecture and a host token."""
    response = post_json(host_client, f"/api/v1/rooms/{room.code}/token")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def lecture(host_credentials: dict[str, Any], room: Room) -> Lecture:
    return Lecture.objects.get(room=room, status="live")
