import json
from typing import Any

import pytest
from django.test import Client

from lectures.life import open_room
from rooms.models import Lecture, Room

FINGERPRINT = "fp-student-0001"


def post_json(client: Client, url: str, data: Any = None, **extra: Any):
    body = data if isinstance(data, str) else json.dumps(data if data is not None else {})
    return client.post(url, body, content_type="application/json", **extra)


def knock(client: Client, room: Room, name: str = "Grace", fingerprint: str = FINGERPRINT, **fields: Any):
    return post_json(
        client, f"/api/v1/rooms/{room.code}/join", {"display_name": name, "fingerprint": fingerprint, **fields}
    )


@pytest.fixture
def live_lecture(room: Room, livekit: None) -> Lecture:
    """The host has opened the room: a lecture is live (and its LiveKit room exists)."""
    return open_room(room=room)


@pytest.fixture
def waiting_guest(room: Room, live_lecture: Lecture) -> Client:
    client = Client()
    response = knock(client, room)
    assert response.status_code == 202
    return client
