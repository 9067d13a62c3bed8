"""The admin's rooms pages against the real livekit-server: who is in a room, kick, mute, end, close."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from lectures.attendance import reconcile_live_lecture
from lectures.models import AttendanceInterval
from rooms import livekit_server
from rooms.models import Lecture, Room
from rooms.services import create_room
from tests.conftest import wait_for
from tests.moderation.conftest import admit_student

pytestmark = pytest.mark.django_db(transaction=True)


def publish_camera(peer: Any) -> None:
    """Publish a simulcast camera track from a Python rtc participant (layers need the bigger size)."""
    peer.publish_camera(width=640, height=360, simulcast=True, fps=30)


def tracks_of(lecture: Lecture, identity: str) -> list[livekit_server.LiveKitTrack]:
    for participant in livekit_server.list_participants(room=lecture.livekit_room):
        if participant.identity == identity:
            return list(participant.tracks)
    return []


@pytest.fixture
def student_peer(host_client: Client, room: Room, lecture: Lecture, peers: Any) -> Any:
    student = admit_student(host_client, room, "Ben O'Okafor & Co", "fp-ben-00000001")
    peer = peers.connect(student.credentials)
    peer.publish_tone()
    publish_camera(peer)
    wait_for(lambda: len(tracks_of(lecture, peer.identity)) == 2, what="both tracks on the server")
    return peer


def test_room_detail_lists_a_students_published_audio_and_video(
    admin_client: Client, room: Room, lecture: Lecture, student_peer: Any
) -> None:
    page = admin_client.get(f"/admin/rooms/{room.code}/").content.decode()
    assert student_peer.identity in page
    assert "Ben O&#x27;Okafor &amp; Co" in page
    assert "student" in page
    assert "audio · microphone" in page and "video · camera" in page


def test_admin_mutes_a_track_on_the_server(
    admin_client: Client, room: Room, lecture: Lecture, student_peer: Any
) -> None:
    audio = next(t for t in tracks_of(lecture, student_peer.identity) if t.kind == "audio")
    url = f"/admin/rooms/{room.code}/participants/{student_peer.identity}/tracks/{audio.sid}/mute/"
    assert admin_client.post(url).status_code == 302
    wait_for(
        lambda: any(t.muted for t in tracks_of(lecture, student_peer.identity) if t.sid == audio.sid),
        what="the track muted on the server",
    )
    assert AuditEvent.objects.filter(action="admin.mute_track", target=student_peer.identity).exists()


def test_admin_kicks_a_student_and_it_is_audited(
    admin_client: Client, admin: Any, room: Room, lecture: Lecture, student_peer: Any
) -> None:
    response = admin_client.post(f"/admin/rooms/{room.code}/participants/{student_peer.identity}/kick/")
    assert response.status_code == 302
    wait_for(lambda: not student_peer.connected, what="the student's connection to close")
    event = AuditEvent.objects.get(action="participant.kick")
    assert event.actor == admin


def test_admin_ends_the_lecture(admin_client: Client, room: Room, lecture: Lecture) -> None:
    assert admin_client.post(f"/admin/rooms/{room.code}/end/").status_code == 302
    lecture.refresh_from_db()
    assert lecture.status == "ended"
    assert AuditEvent.objects.filter(action="admin.end_lecture").exists()


def test_livekit_only_room_is_shown_as_such_and_closed(admin_client: Client, livekit: None) -> None:
    livekit_server.create_room(name="stray-room-from-cli")
    page = admin_client.get("/admin/rooms/").content.decode()
    assert "stray-room-from-cli" in page and "LiveKit only" in page
    assert admin_client.get("/admin/livekit-rooms/stray-room-from-cli/").status_code == 200
    assert admin_client.post("/admin/livekit-rooms/stray-room-from-cli/close/").status_code == 302
    assert "stray-room-from-cli" not in {r.name for r in livekit_server.list_rooms()}
    assert admin_client.get("/admin/livekit-rooms/stray-room-from-cli/").status_code == 404


def test_rooms_search_by_host_and_filter_live(admin_client: Client, room: Room, lecture: Lecture, host: Any) -> None:
    idle = create_room(host=host, title="Office hours")
    page = admin_client.get("/admin/rooms/?q=prof@uni&status=live").content.decode()
    assert room.code in page and idle.code not in page
    page = admin_client.get("/admin/rooms/?q=office&status=idle").content.decode()
    assert idle.code in page and room.code not in page
    assert admin_client.get("/admin/rooms/?q=%E2%80%AEevil").status_code == 400


def test_a_live_lecture_nobody_is_in_is_stale_and_the_periodic_task_ends_it(
    admin_client: Client, room: Room, lecture: Lecture, settings: Any
) -> None:
    settings.LECTURE_IDLE_MINUTES = 5
    Lecture.objects.filter(pk=lecture.pk).update(started_at=timezone.now() - timedelta(minutes=30))
    AttendanceInterval.objects.filter(lecture=lecture).update(left_at=timezone.now() - timedelta(minutes=6))
    AttendanceInterval.objects.filter(lecture=lecture, left_at__isnull=True).delete()
    page = admin_client.get("/admin/rooms/").content.decode()
    assert "stale" in page
    reconcile_live_lecture.call(lecture.pk)
    lecture.refresh_from_db()
    assert lecture.status == "ended"
    assert AuditEvent.objects.filter(action="lecture.end_stale", room=room).exists()


def test_a_lecture_someone_is_in_is_not_stale(room: Room, lecture: Lecture, peers: Any, host_credentials: Any) -> None:
    from lectures.attendance import is_stale

    peers.connect(host_credentials)
    reconcile_live_lecture.call(lecture.pk)
    assert not is_stale(lecture=lecture, now=timezone.now() + timedelta(hours=1))
    lecture.refresh_from_db()
    assert lecture.status == "live"


def test_closing_our_lecture_s_livekit_room_ends_the_lecture(
    admin_client: Client, room: Room, lecture: Lecture
) -> None:
    response = admin_client.get(f"/admin/livekit-rooms/{lecture.livekit_room}/")
    assert response["Location"] == f"/admin/rooms/{room.code}/"
    assert admin_client.post(f"/admin/livekit-rooms/{lecture.livekit_room}/close/").status_code == 302
    lecture.refresh_from_db()
    assert lecture.status == "ended"
    assert lecture.livekit_room not in {r.name for r in livekit_server.list_rooms()}
    assert AuditEvent.objects.filter(action="admin.close_livekit_room", room=room).exists()
