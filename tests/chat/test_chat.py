"""Chat: stored, delivered through LiveKit by the server, and only to those allowed to see it."""

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from chat.models import ChatMessage
from lectures.life import end_lecture
from participants.broadcasts import hosts_live_group, lecture_group, participant_group
from participants.identities import guest_for_identity
from rooms.models import Room
from rooms.services import create_room
from tests.conftest import wait_for
from tests.courses.test_interaction import Listener
from tests.moderation.conftest import admit_student, post_json

pytestmark = pytest.mark.django_db(transaction=True)

XSS = "<img src=x onerror=alert(1)><script>alert('chat')</script>"


def test_public_message_reaches_everyone_and_private_reaches_only_the_hosts(
    host_client: Client, host_credentials, room: Room, lecture, peers
) -> None:
    host_peer = peers.connect(host_credentials)
    grace = admit_student(host_client, room, "Grace", "fp-grace-00001")
    alan = admit_student(host_client, room, "Alan", "fp-alan-000001")
    grace_peer, alan_peer = peers.connect(grace.credentials), peers.connect(alan.credentials)

    response = post_json(grace.client, f"/api/v1/rooms/{room.code}/chat", {"text": XSS})
    assert response.status_code == 201
    assert response.json()["text"] == XSS and response.json()["sender"] == "Grace"
    for peer in (host_peer, grace_peer, alan_peer):
        wait_for(lambda peer=peer: peer.received("lectern.chat"), what="the public message")
    assert all(sender is None for _, _, sender in alan_peer.data)  # sent by the server, not a participant

    private = post_json(alan.client, f"/api/v1/rooms/{room.code}/chat", {"text": "I'm lost", "to": "hosts"})
    assert private.status_code == 201 and private.json()["private"] is True
    wait_for(lambda: len(host_peer.received("lectern.chat")) == 2, what="the private message at the host")
    assert host_peer.received("lectern.chat")[1]["text"] == "I'm lost"
    # Grace never gets it; a later public message proves her channel still works
    post_json(host_client, f"/api/v1/rooms/{room.code}/chat", {"text": "Welcome"})
    wait_for(lambda: len(grace_peer.received("lectern.chat")) == 2, what="the host's public message")
    assert [m["text"] for m in grace_peer.received("lectern.chat")] == [XSS, "Welcome"]

    assert [m["text"] for m in grace.client.get(f"/api/v1/rooms/{room.code}/chat").json()] == [XSS, "Welcome"]
    assert [m["text"] for m in host_client.get(f"/api/v1/rooms/{room.code}/chat").json()] == [
        XSS,
        "I'm lost",
        "Welcome",
    ]


def test_the_sender_is_the_session_never_a_field(host_client: Client, room: Room, lecture) -> None:
    grace = admit_student(host_client, room, "Grace", "fp-grace-00001")
    post_json(
        grace.client, f"/api/v1/rooms/{room.code}/chat", {"text": "hi", "sender": "Professor", "sender_role": "host"}
    )
    message = ChatMessage.objects.get()
    assert message.sender_name == "Grace" and message.sender_role == "guest"


def test_host_can_turn_student_chat_off(host_client: Client, room: Room, lecture) -> None:
    grace = admit_student(host_client, room, "Grace", "fp-grace-00001")
    response = host_client.patch(
        f"/api/v1/rooms/{room.code}", '{"student_chat": false}', content_type="application/json"
    )
    assert response.json()["student_chat"] is False
    refused = post_json(grace.client, f"/api/v1/rooms/{room.code}/chat", {"text": "hello?"})
    assert refused.status_code == 403 and "chat off" in refused.json()["detail"]
    assert post_json(host_client, f"/api/v1/rooms/{room.code}/chat", {"text": "Quiet please"}).status_code == 201


def test_waiting_students_and_strangers_see_no_chat(host_client: Client, room: Room, lecture) -> None:
    post_json(host_client, f"/api/v1/rooms/{room.code}/chat", {"text": "Secret room talk"})
    waiting = Client()
    assert (
        post_json(
            waiting, f"/api/v1/rooms/{room.code}/join", {"display_name": "W", "fingerprint": "fp-waiting-001"}
        ).status_code
        == 202
    )
    assert waiting.get(f"/api/v1/rooms/{room.code}/chat").status_code == 403
    assert Client().get(f"/api/v1/rooms/{room.code}/chat").status_code == 401


@pytest.mark.parametrize(
    ("payload", "status"), [({"text": ""}, 400), ({"text": "x" * 2001}, 400), ({"text": "ok", "to": "guest-x"}, 404)]
)
def test_bad_chat_input_is_a_clear_4xx(host_client: Client, room: Room, lecture, payload, status) -> None:
    grace = admit_student(host_client, room, "Grace", "fp-grace-00001")
    response = post_json(grace.client, f"/api/v1/rooms/{room.code}/chat", payload)
    assert response.status_code == status and response.json()["detail"]
    assert not ChatMessage.objects.exists()


def test_a_host_removes_a_message_for_everyone_and_the_audit_log_keeps_it(
    host_client: Client, cohost_client: Client, room: Room, lecture
) -> None:
    grace = admit_student(host_client, room, "Grace", "fp-grace-00001")
    alan = admit_student(host_client, room, "Alan", "fp-alan-000001")
    rude = post_json(grace.client, f"/api/v1/rooms/{room.code}/chat", {"text": XSS}).json()
    kept = post_json(alan.client, f"/api/v1/rooms/{room.code}/chat", {"text": "Fine"}).json()
    private = post_json(grace.client, f"/api/v1/rooms/{room.code}/chat", {"text": "psst", "to": "hosts"}).json()
    everyone = Listener(lecture_group(lecture.pk))
    hosts = Listener(hosts_live_group(room.pk))
    grace_guest = guest_for_identity(room=room, identity=grace.identity)
    assert grace_guest is not None
    grace_own = Listener(participant_group(grace_guest.pk))

    url = f"/api/v1/rooms/{room.code}/chat/{rude['id']}"
    assert grace.client.delete(url).status_code == 403, "a student removes nothing, not even their own"
    assert Client().delete(url).status_code == 401
    assert host_client.delete(url).status_code == 204
    assert everyone.messages() == [{"type": "chat.removed", "id": rude["id"]}]
    assert [m["id"] for m in alan.client.get(f"/api/v1/rooms/{room.code}/chat").json()] == [kept["id"]]
    assert host_client.delete(url).status_code == 404, "removed once"
    event = AuditEvent.objects.get(action="chat.remove")
    assert (event.target, event.detail["text"], event.actor_label) == ("Grace", XSS, "prof@uni.example")

    # a private message: only the hosts' pages are told, and its sender's
    hosts.messages()
    grace_own.messages()
    assert cohost_client.delete(f"/api/v1/rooms/{room.code}/chat/{private['id']}").status_code == 204
    assert hosts.messages() == [{"type": "chat.removed", "id": private["id"]}]
    assert grace_own.messages() == [{"type": "chat.removed", "id": private["id"]}]
    assert everyone.messages() == []

    # another room's host cannot reach this room's messages through their own room
    other = create_room(host=User.objects.create_user("other@uni.example", "x-Long-passphrase-1"), title="Other")
    other_client = Client()
    other_client.force_login(other.host)
    assert other_client.delete(f"/api/v1/rooms/{other.code}/chat/{kept['id']}").status_code == 404
    assert other_client.delete(f"/api/v1/rooms/{room.code}/chat/{kept['id']}").status_code == 403

    # after the lecture, only the room's host removes a message from its record
    end_lecture(room=room)
    assert cohost_client.delete(f"/api/v1/rooms/{room.code}/chat/{kept['id']}").status_code == 403
    assert host_client.delete(f"/api/v1/rooms/{room.code}/chat/{kept['id']}").status_code == 204
    assert not ChatMessage.objects.filter(lecture=lecture).exists()
