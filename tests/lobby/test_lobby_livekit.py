"""Knock → admit → the pushed token connects to the real livekit-server with the grants we asked for."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from livekit import rtc

from config.asgi import application
from lectures.life import open_room
from lobby.models import LobbyEntry
from rooms import livekit_server
from rooms.models import Room
from rooms.services import create_room
from tests.lobby.conftest import knock, post_json
from tests.lobby.test_consumers import ORIGIN, cookie_header

pytestmark = pytest.mark.django_db(transaction=True)


async def test_admitted_webinar_student_connects_without_publish_rights(host, host_client: Client, livekit) -> None:
    room: Room = await sync_to_async(create_room)(host=host, title="Webinar", webinar=True)
    lecture = await sync_to_async(open_room)(room=room)
    student = Client()
    assert (await sync_to_async(knock)(student, room, name="Grace", transcribe_me=False)).status_code == 202
    ws = WebsocketCommunicator(application, f"/ws/lobby/{room.code}/", headers=[ORIGIN, cookie_header(student)])
    assert (await ws.connect())[0]
    assert (await ws.receive_json_from())["status"] == "waiting"

    entry = await sync_to_async(LobbyEntry.objects.get)()
    response = await sync_to_async(post_json)(host_client, f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/admit")
    assert response.status_code == 200
    admitted = await ws.receive_json_from(timeout=5)
    await ws.disconnect()

    lk_room = rtc.Room()
    await lk_room.connect(admitted["livekit_url"], admitted["token"])
    try:
        participants = await sync_to_async(livekit_server.list_participants)(room=lecture.livekit_room)
    finally:
        await lk_room.disconnect()
    (me,) = [p for p in participants if p.identity == admitted["identity"]]
    assert me.name == "Grace"
    assert me.can_publish is False and me.can_subscribe is True
    assert me.attributes == {"role": "guest", "lectern.transcribe": "no"}
