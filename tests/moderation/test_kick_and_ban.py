"""Kick → gone from the server's participant list; ban → each of the five ways back is refused."""

import pytest
from django.test import Client

from audit.models import AuditEvent
from moderation.services import enforce_admissions
from participants.models import BannedEntry
from rooms import livekit_server
from rooms.models import Lecture, Room
from tests.conftest import wait_for
from tests.moderation.conftest import admit_student, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def present(lecture) -> set[str]:
    return {p.identity for p in livekit_server.list_participants(room=lecture.livekit_room)}


def test_kick_removes_the_student_from_livekit(host_client: Client, room: Room, lecture, peers) -> None:
    student = admit_student(host_client, room, "Mallory", "fp-mallory-0001")
    peer = peers.connect(student.credentials)
    assert student.identity in present(lecture)
    response = post_json(host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/kick")
    assert response.status_code == 200
    assert response.json() == {"identity": student.identity, "display_name": "Mallory", "role": "guest"}
    wait_for(lambda: student.identity not in present(lecture), what="the kicked student to leave LiveKit")
    wait_for(lambda: not peer.connected, what="the student's connection to close")
    assert AuditEvent.objects.filter(action="participant.kick", target="Mallory").exists()
    # kicked without a ban: no way back but the lobby
    assert post_json(student.client, f"/api/v1/rooms/{room.code}/rejoin").status_code == 403
    again = post_json(
        student.client, f"/api/v1/rooms/{room.code}/join", {"display_name": "Mallory", "fingerprint": "fp-mallory-0001"}
    )
    assert again.status_code == 202


def test_ban_holds_on_every_way_back(host_client: Client, room: Room, lecture, peers, web_server) -> None:
    student = admit_student(host_client, room, "Mallory", "fp-mallory-0001")
    peers.connect(student.credentials)
    response = post_json(host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/kick", {"ban": True})
    assert response.status_code == 200
    wait_for(lambda: student.identity not in present(lecture), what="the banned student to leave LiveKit")
    ban = BannedEntry.objects.get()
    assert ban.fingerprint == "fp-mallory-0001" and ban.room == room and ban.ip_address == "10.9.0.1"

    # 1. the old token still connects (LiveKit cannot revoke it) but the participant_joined webhook removes it
    returning = peers.connect(student.credentials)
    wait_for(lambda: not returning.connected, timeout=10, what="the old token's connection to be removed again")
    assert student.identity not in present(lecture)
    # 2. /rejoin and 3. a reload (which asks /rejoin, then knocks with its cookie)
    assert post_json(student.client, f"/api/v1/rooms/{room.code}/rejoin").status_code == 403
    join = {"display_name": "Mallory", "fingerprint": "fp-mallory-0001"}
    assert post_json(student.client, f"/api/v1/rooms/{room.code}/join", join).status_code == 403
    # 4. a new join with the same fingerprint from a fresh browser session
    assert (
        post_json(Client(), f"/api/v1/rooms/{room.code}/join", {**join, "display_name": "Not Mallory"}).status_code
        == 403
    )
    # 5. a new join from the same session with another fingerprint
    other = {"display_name": "Mallory", "fingerprint": "fp-cleared-storage-1"}
    assert post_json(student.client, f"/api/v1/rooms/{room.code}/join", other).status_code == 403


def test_course_wide_ban_and_lifting_it(host, host_client: Client, room: Room, lecture, peers) -> None:
    from lectures.life import open_room
    from rooms.services import create_room

    student = admit_student(host_client, room, "Mallory", "fp-mallory-0001")
    response = post_json(
        host_client,
        f"/api/v1/rooms/{room.code}/participants/{student.identity}/kick",
        {"ban": True, "course_wide": True},
    )
    assert response.status_code == 200
    other_room = create_room(host=host, title="Another course room", lobby=False)
    open_room(room=other_room)
    join = {"display_name": "Mallory", "fingerprint": "fp-mallory-0001"}
    assert post_json(Client(), f"/api/v1/rooms/{other_room.code}/join", join).status_code == 403
    bans = host_client.get("/api/v1/bans").json()
    assert [b["display_name"] for b in bans] == ["Mallory"] and bans[0]["room"] is None
    assert post_json(host_client, f"/api/v1/bans/{bans[0]['id']}/lift").json()["lifted_at"]
    assert post_json(Client(), f"/api/v1/rooms/{other_room.code}/join", join).status_code == 200


def test_moderating_an_unknown_identity_is_404(host_client: Client, room: Room, lecture) -> None:
    response = post_json(host_client, f"/api/v1/rooms/{room.code}/participants/guest-nobody/kick")
    assert response.status_code == 404
    assert "identity" in response.json()["detail"]


def test_nobody_but_moderators_can_kick(host_client: Client, outsider_client: Client, room: Room, lecture) -> None:
    student = admit_student(host_client, room, "Grace", "fp-grace-00001")
    other = admit_student(host_client, room, "Alan", "fp-alan-000001")
    url = f"/api/v1/rooms/{room.code}/participants/{other.identity}/kick"
    assert post_json(student.client, url).status_code == 403
    assert post_json(outsider_client, url).status_code == 403
    assert post_json(Client(), url).status_code == 401
    assert not BannedEntry.objects.exists()


def test_cohost_moderates_but_cannot_touch_the_host(
    host_client: Client, host_credentials, room: Room, lecture, peers
) -> None:
    host_peer = peers.connect(host_credentials)
    ta = admit_student(host_client, room, "Teaching Assistant", "fp-ta-0000001")
    student = admit_student(host_client, room, "Grace", "fp-grace-00001")
    peers.connect(ta.credentials)
    # only the host appoints co-hosts
    url = f"/api/v1/rooms/{room.code}/participants/{ta.identity}/cohost"
    assert post_json(student.client, url, {"allow": True}).status_code == 403
    assert post_json(host_client, url, {"allow": True}).json()["role"] == "cohost"
    wait_for(
        lambda: any(
            p.identity == ta.identity and p.attributes.get("role") == "cohost"
            for p in livekit_server.list_participants(room=lecture.livekit_room)
        ),
        what="the co-host attribute on LiveKit",
    )
    assert ta.client.get(f"/api/v1/rooms/{room.code}/lobby").status_code == 200
    assert post_json(ta.client, f"/api/v1/rooms/{room.code}/participants/{host_peer.identity}/kick").status_code == 403
    assert post_json(ta.client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/kick").status_code == 200
    post_json(host_client, url, {"allow": False})
    assert ta.client.get(f"/api/v1/rooms/{room.code}/lobby").status_code == 403


def test_host_lifts_a_ban_from_the_dashboard(host, host_client: Client, outsider_client: Client, room: Room) -> None:
    ban = BannedEntry.objects.create(host=host, room=room, fingerprint="fp-mallory-0001", display_name="Mallory <b>")
    page = host_client.get("/").content.decode()
    assert "Mallory &lt;b&gt;" in page and "Mallory <b>" not in page
    assert outsider_client.post(f"/bans/{ban.pk}/lift").status_code == 404
    assert host_client.post(f"/bans/{ban.pk}/lift").status_code == 302
    ban.refresh_from_db()
    assert ban.lifted_at is not None
    assert AuditEvent.objects.filter(action="ban.lift").exists()


def test_a_join_applied_as_the_lecture_ends_does_not_remove_the_student(
    host_client: Client, room: Room, lecture, peers
) -> None:
    """The webhook's apply read the lecture live; the host ends it before the admission check runs. The
    student stays until the room closes, and is told the lecture ended, not that they were removed."""
    student = admit_student(host_client, room, "Grace", "fp-grace-00001")
    peer = peers.connect(student.credentials)
    read_while_live = Lecture.objects.get(pk=lecture.pk)
    Lecture.objects.filter(pk=lecture.pk).update(status=Lecture.Status.ENDED)  # its LiveKit room not yet closed
    assert enforce_admissions(lecture=read_while_live, identities=[student.identity]) == []
    assert student.identity in present(lecture) and peer.connected
    assert not AuditEvent.objects.filter(action__startswith="participant.refused").exists()
