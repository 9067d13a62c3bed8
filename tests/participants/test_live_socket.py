"""`/ws/rooms/<code>/live/`: the only place the room page takes the server's messages from."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from rooms.models import Lecture, Room
from tests.lobby.test_consumers import cookie_header, open_socket
from tests.moderation.conftest import admit_student, post_json

pytestmark = [pytest.mark.django_db(transaction=True)]


async def live(room: Room, client: Client):
    socket, connected = await open_socket(f"/ws/rooms/{room.code}/live/", cookie_header(client))
    if connected:
        assert await socket.receive_json_from(timeout=5) == {"type": "live.ready"}
    return socket, connected


async def test_only_the_lectures_people_may_listen(
    host_client: Client, outsider_client: Client, room: Room, lecture
) -> None:
    student = await sync_to_async(admit_student)(host_client, room, "Grace", "fp-grace-00001")
    waiting = Client()
    await sync_to_async(post_json)(
        waiting, f"/api/v1/rooms/{room.code}/join", {"display_name": "Wanda", "fingerprint": "fp-wanda-0001"}
    )
    for client, allowed in ((host_client, True), (student.client, True), (waiting, False), (outsider_client, False)):
        socket, connected = await live(room, client)
        assert connected is allowed
        await socket.disconnect()
    _, anonymous = await open_socket(f"/ws/rooms/{room.code}/live/")
    assert not anonymous


async def test_chat_reaches_everyone_and_private_chat_only_the_hosts(host_client: Client, room: Room, lecture) -> None:
    grace = await sync_to_async(admit_student)(host_client, room, "Grace", "fp-grace-00001")
    alan = await sync_to_async(admit_student)(host_client, room, "Alan", "fp-alan-000001")
    host_ws, _ = await live(room, host_client)
    grace_ws, _ = await live(room, grace.client)
    alan_ws, _ = await live(room, alan.client)

    await sync_to_async(post_json)(grace.client, f"/api/v1/rooms/{room.code}/chat", {"text": "Hello <b>all</b>"})
    for socket in (host_ws, grace_ws, alan_ws):
        message = await socket.receive_json_from(timeout=5)
        assert message["type"] == "chat.message"
        assert message["message"]["text"] == "Hello <b>all</b>" and message["message"]["sender"] == "Grace"

    await sync_to_async(post_json)(alan.client, f"/api/v1/rooms/{room.code}/chat", {"text": "psst", "to": "hosts"})
    private = await host_ws.receive_json_from(timeout=5)
    assert private["message"]["private"] is True and private["message"]["sender_role"] == "guest"
    assert await grace_ws.receive_nothing(timeout=0.5)


async def test_mute_all_tells_the_students_and_the_end_reaches_everyone(
    host_client: Client, room: Room, lecture, peers
) -> None:
    grace = await sync_to_async(admit_student)(host_client, room, "Grace", "fp-grace-00001")
    await sync_to_async(peers.connect)(grace.credentials)
    host_ws, _ = await live(room, host_client)
    grace_ws, _ = await live(room, grace.client)

    assert (await sync_to_async(post_json)(host_client, f"/api/v1/rooms/{room.code}/mute-all")).status_code == 200
    notice = await grace_ws.receive_json_from(timeout=5)
    assert notice == {"type": "notice", "kind": "muted", "text": "The host muted everyone."}
    assert await host_ws.receive_nothing(timeout=0.5)

    assert (await sync_to_async(post_json)(host_client, f"/api/v1/rooms/{room.code}/end")).status_code == 200
    ended = await grace_ws.receive_json_from(timeout=5)
    assert ended["type"] == "ended" and "lecture_url" not in ended  # attendees may not see the page here
    host_messages = [await host_ws.receive_json_from(timeout=5), await host_ws.receive_json_from(timeout=5)]
    assert any(m.get("lecture_url") == f"/lectures/{lecture.pk}/" for m in host_messages)


async def test_the_hosts_hear_that_captions_are_unavailable_on_every_connect_until_a_job_captions(
    host_client: Client, room: Room, lecture
) -> None:
    from transcripts.services import mark_captions_running, mark_captions_unavailable

    grace = await sync_to_async(admit_student)(host_client, room, "Grace", "fp-grace-00001")
    host_ws, _ = await live(room, host_client)
    grace_ws, _ = await live(room, grace.client)
    unavailable = {
        "type": "captions.status",
        "unavailable": "capacity",
        "text": "Captions unavailable: assistant at capacity",
    }

    mark = sync_to_async(mark_captions_unavailable)
    capacity = Lecture.CaptionsUnavailable.CAPACITY
    assert await mark(lecture_id=lecture.pk, reason=capacity)
    assert await host_ws.receive_json_from(timeout=5) == unavailable
    assert not await mark(lecture_id=lecture.pk, reason=capacity), "told once, not every round"
    assert await host_ws.receive_nothing(timeout=0.5)
    assert await grace_ws.receive_nothing(timeout=0.5), "students are not told"

    again, _ = await live(room, host_client)  # a reload or a reconnect: the state comes with live.ready
    assert await again.receive_json_from(timeout=5) == unavailable
    student_again, _ = await live(room, grace.client)
    assert await student_again.receive_nothing(timeout=0.5)

    assert await sync_to_async(mark_captions_running)(lecture_id=lecture.pk)
    for socket in (host_ws, again):
        assert await socket.receive_json_from(timeout=5) == {"type": "captions.status", "unavailable": "", "text": ""}
    fresh, _ = await live(room, host_client)
    assert await fresh.receive_nothing(timeout=0.5)
    for socket in (host_ws, grace_ws, again, student_again, fresh):
        await socket.disconnect()
