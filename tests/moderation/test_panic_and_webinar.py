"""The panic button and webinar speaking rights, checked on the real livekit-server."""

import pytest
from django.test import Client

from rooms import livekit_server
from rooms.models import Room
from rooms.services import create_room
from tests.conftest import wait_for
from tests.moderation.conftest import admit_student, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def permissions(lecture) -> dict[str, bool]:
    return {p.identity: p.can_publish for p in livekit_server.list_participants(room=lecture.livekit_room)}


def test_panic_takes_publish_rights_from_everyone_but_the_host(
    host_client: Client, host_credentials, room: Room, lecture, peers
) -> None:
    host_peer = peers.connect(host_credentials)
    students = [admit_student(host_client, room, f"Student {i}", f"fp-student-{i:04d}") for i in range(3)]
    student_peers = [peers.connect(s.credentials) for s in students]
    assert all(permissions(lecture).values())

    response = post_json(host_client, f"/api/v1/rooms/{room.code}/mute-all", {"lock": True})
    assert response.json() == {"count": 3}
    after = permissions(lecture)
    assert after[host_peer.identity] is True
    assert [after[s.identity] for s in students] == [False, False, False]
    wait_for(lambda: all(p.received("lectern.notice") for p in student_peers), what="the 'muted' notice")
    assert student_peers[0].received("lectern.notice")[0]["text"] == "The host muted everyone."
    assert not host_peer.received("lectern.notice")
    room.refresh_from_db()
    assert room.locked
    # locked: a newcomer waits in the lobby although the lobby was off
    Room.objects.filter(pk=room.pk).update(lobby=False)
    join = {"display_name": "Late", "fingerprint": "fp-late-000001"}
    assert post_json(Client(), f"/api/v1/rooms/{room.code}/join", join).status_code == 202
    # a reload does not give a muted student their voice back
    again = post_json(students[0].client, f"/api/v1/rooms/{room.code}/rejoin").json()
    import jwt

    assert jwt.decode(again["token"], options={"verify_signature": False})["video"]["canPublish"] is False


def test_webinar_grant_to_speak_lets_a_student_publish_and_revoke_stops_it(
    host, host_client: Client, livekit, peers
) -> None:
    room = create_room(host=host, title="Webinar", webinar=True)
    host_credentials = post_json(host_client, f"/api/v1/rooms/{room.code}/token").json()
    lecture = room.lectures.get()
    peers.connect(host_credentials)
    student = admit_student(host_client, room, "Grace", "fp-grace-00001")
    peer = peers.connect(student.credentials)
    assert permissions(lecture)[student.identity] is False
    with pytest.raises(Exception):  # noqa: B017 - the SDK raises its own error type when publishing is denied
        peer.publish_tone()

    # the student raises a hand; the host sees the queue and grants speaking
    assert post_json(student.client, f"/api/v1/rooms/{room.code}/hand", {"raised": True}).json() == {"raised": True}
    queue = host_client.get(f"/api/v1/rooms/{room.code}/hands").json()
    assert [h["display_name"] for h in queue] == ["Grace"]
    response = post_json(
        host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/speak", {"allow": True}
    )
    assert response.status_code == 200
    assert host_client.get(f"/api/v1/rooms/{room.code}/hands").json() == []  # granting lowers the hand
    wait_for(lambda: peer.room.local_participant.permissions.can_publish, what="the grant to reach the student")
    publication = peer.publish_tone()
    assert publication.sid
    wait_for(
        lambda: any(
            p.identity == student.identity and p.can_publish
            for p in livekit_server.list_participants(room=lecture.livekit_room)
        ),
        what="publish rights on the server",
    )

    def published() -> int:
        (me,) = [
            p for p in livekit_server.list_participants(room=lecture.livekit_room) if p.identity == student.identity
        ]
        return me.published_tracks

    wait_for(lambda: published() == 1, what="the student's track on the server")
    post_json(host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/speak", {"allow": False})
    assert permissions(lecture)[student.identity] is False

    wait_for(lambda: published() == 0, what="the server to unpublish the track")


def test_student_lowers_their_own_hand_and_cannot_raise_anyone_elses(host_client: Client, room: Room, lecture) -> None:
    grace = admit_student(host_client, room, "Grace", "fp-grace-00001")
    alan = admit_student(host_client, room, "Alan", "fp-alan-000001")
    post_json(grace.client, f"/api/v1/rooms/{room.code}/hand", {"raised": True})
    post_json(alan.client, f"/api/v1/rooms/{room.code}/hand", {"raised": True})
    assert [h["display_name"] for h in host_client.get(f"/api/v1/rooms/{room.code}/hands").json()] == ["Grace", "Alan"]
    post_json(grace.client, f"/api/v1/rooms/{room.code}/hand", {"raised": False})
    assert [h["display_name"] for h in host_client.get(f"/api/v1/rooms/{room.code}/hands").json()] == ["Alan"]
    lower = f"/api/v1/rooms/{room.code}/participants/{alan.identity}/lower-hand"
    assert post_json(grace.client, lower).status_code == 403
    assert post_json(host_client, lower).status_code == 200
    assert host_client.get(f"/api/v1/rooms/{room.code}/hands").json() == []
    assert post_json(Client(), f"/api/v1/rooms/{room.code}/hand", {"raised": True}).status_code == 401


def test_mute_all_mics_mutes_students_microphones_and_keeps_their_right_to_speak(
    host_client: Client, room: Room, lecture, peers
) -> None:
    student = admit_student(host_client, room, "Grace", "fp-grace-00001")
    peer = peers.connect(student.credentials)
    peer.publish_tone()

    def microphone() -> livekit_server.LiveKitTrack | None:
        for participant in livekit_server.list_participants(room=lecture.livekit_room):
            if participant.identity == student.identity:
                return next((t for t in participant.tracks if t.source == "microphone"), None)
        return None

    wait_for(lambda: microphone() is not None, what="the student's microphone on the server")
    response = post_json(host_client, f"/api/v1/rooms/{room.code}/mute-mics")
    assert response.status_code == 200 and response.json() == {"count": 1}
    wait_for(lambda: microphone().muted, what="the microphone muted by the server")
    (info,) = [p for p in livekit_server.list_participants(room=lecture.livekit_room) if p.identity == student.identity]
    assert info.can_publish, "unlike the panic button, the student may still unmute and speak"
