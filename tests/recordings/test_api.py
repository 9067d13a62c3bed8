"""The recordings API contract, who may see and manage which recording, and the egress webhooks."""

import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client

from accounts.models import User
from lectures.life import open_room
from participants.models import CoHost
from recordings.models import Access, Recording, RecordingSettings
from rooms import livekit_server
from rooms.models import Lecture, Room
from tests.conftest import logged_in
from tests.lectures.conftest import add_guest, guest_client
from tests.recordings.conftest import egress_webhook, make_recording

API = "/api/v1"
FIELDS = {"id", "room", "lecture", "status", "started_at", "ended_at", "duration", "size", "access"}


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return tmp_path / "media"


@pytest.fixture
def cohost_client(room: Room, host: User) -> Client:
    user = User.objects.create_user("ta@uni.example", "correct-horse-battery")
    CoHost.objects.create(room=room, user=user, granted_by=host)
    return logged_in(user)


@pytest.fixture
def recording(room: Room) -> Recording:
    """A ready recording whose file is in storage."""
    made = make_recording(room)
    storages["default"].save(made.storage_key, ContentFile(b"\0\0\0\x18ftypmp42 lecture bytes"))
    return made


@pytest.fixture
def attendee_client(room: Room, recording: Recording) -> Client:
    return guest_client(add_guest(room, recording.lecture, "Student Sam"))


@pytest.fixture
def absent_client(room: Room, recording: Recording) -> Client:
    return guest_client(add_guest(room, recording.lecture, "Absent Ann", admitted=False, attended=False))


@pytest.fixture
def banned_client(room: Room, recording: Recording) -> Client:
    return guest_client(add_guest(room, recording.lecture, "Banned Ben", banned=True))


def test_host_reads_a_recording_with_the_contract_fields_and_a_download_url(
    host_client: Client, recording: Recording
) -> None:
    response = host_client.get(f"{API}/recordings/{recording.pk}")
    assert response.status_code == 200
    body = response.json()
    assert FIELDS | {"download_url"} <= set(body)
    assert body["status"] == "ready" and body["room"] == recording.room.code and body["lecture"] == recording.lecture_id
    download = host_client.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\0\0\0\x18ftyp")  # type: ignore[attr-defined]
    assert download["Cache-Control"] == "private, no-store"


def test_list_of_a_room_has_the_contract_fields_newest_first(host_client: Client, room: Room) -> None:
    older = make_recording(room)
    newer = make_recording(room, status=Recording.Status.FAILED)
    response = host_client.get(f"{API}/recordings", {"room": room.code})
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == [newer.pk, older.pk]
    assert all(set(r) == FIELDS for r in rows)


def test_an_unknown_room_lists_as_404(host_client: Client) -> None:
    assert host_client.get(f"{API}/recordings", {"room": "zzz-zzzz-zzz"}).status_code == 404


def test_a_download_link_that_was_altered_or_expired_is_404(
    host_client: Client, recording: Recording, settings: Any
) -> None:
    url = host_client.get(f"{API}/recordings/{recording.pk}").json()["download_url"]
    assert host_client.get(url.replace("/download/", "/download/x")).status_code == 404
    settings.RECORDING_DOWNLOAD_TTL = -1
    expired = host_client.get(f"{API}/recordings/{recording.pk}").json()["download_url"]
    assert Client().get(expired).status_code == 404


def test_a_recording_still_processing_has_no_download_url(host_client: Client, room: Room) -> None:
    processing = make_recording(room, status=Recording.Status.PROCESSING)
    assert host_client.get(f"{API}/recordings/{processing.pk}").json()["download_url"] is None


# Who may watch a ready recording, per access rule: role → expected status of GET /recordings/{id}.
WATCH = {
    "hosts": {
        "host": 200,
        "cohost": 200,
        "admin": 200,
        "attendee": 404,
        "absent": 404,
        "banned": 404,
        "outsider": 404,
        "anonymous": 404,
    },
    "attendees": {
        "host": 200,
        "cohost": 200,
        "admin": 200,
        "attendee": 200,
        "absent": 404,
        "banned": 404,
        "outsider": 404,
        "anonymous": 404,
    },
    "signed_in": {
        "host": 200,
        "cohost": 200,
        "admin": 200,
        "attendee": 404,
        "absent": 404,
        "banned": 404,
        "outsider": 200,
        "anonymous": 404,
    },
    "public": {
        "host": 200,
        "cohost": 200,
        "admin": 200,
        "attendee": 200,
        "absent": 200,
        "banned": 200,
        "outsider": 200,
        "anonymous": 200,
    },
}


@pytest.mark.parametrize("access", list(WATCH))
def test_each_access_rule_lets_exactly_its_viewers_watch_and_download(
    access: str,
    recording: Recording,
    host_client: Client,
    cohost_client: Client,
    admin_client: Client,
    outsider_client: Client,
    attendee_client: Client,
    absent_client: Client,
    banned_client: Client,
) -> None:
    recording.access = access
    recording.save(update_fields=["access"])
    clients = {
        "host": host_client,
        "cohost": cohost_client,
        "admin": admin_client,
        "attendee": attendee_client,
        "absent": absent_client,
        "banned": banned_client,
        "outsider": outsider_client,
        "anonymous": Client(),
    }
    got = {}
    for role, client in clients.items():
        response = client.get(f"{API}/recordings/{recording.pk}")
        got[role] = response.status_code
        if response.status_code == 200:
            assert client.get(response.json()["download_url"]).status_code == 200, role
    assert got == WATCH[access]


def test_viewers_never_see_a_recording_that_is_not_ready(attendee_client: Client, room: Room) -> None:
    running = make_recording(room, status=Recording.Status.RECORDING, access="public")
    assert attendee_client.get(f"{API}/recordings/{running.pk}").status_code == 404
    assert attendee_client.get(f"{API}/recordings", {"room": room.code}).json() == [
        r for r in attendee_client.get(f"{API}/recordings", {"room": room.code}).json() if r["id"] != running.pk
    ]


def test_an_attendee_lists_only_the_recordings_they_may_watch(
    attendee_client: Client, recording: Recording, room: Room
) -> None:
    recording.access = Access.ATTENDEES
    recording.save(update_fields=["access"])
    make_recording(room)  # hosts only
    rows = attendee_client.get(f"{API}/recordings", {"room": room.code}).json()
    assert [r["id"] for r in rows] == [recording.pk]


def test_hosts_change_access_and_viewers_cannot(
    host_client: Client, cohost_client: Client, recording: Recording
) -> None:
    recording.access = Access.PUBLIC
    recording.save(update_fields=["access"])
    assert Client().patch(
        f"{API}/recordings/{recording.pk}", json.dumps({"access": "hosts"}), content_type="application/json"
    ).status_code in (403, 404)
    response = cohost_client.patch(
        f"{API}/recordings/{recording.pk}", json.dumps({"access": "attendees"}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["access"] == "attendees"
    bad = host_client.patch(
        f"{API}/recordings/{recording.pk}", json.dumps({"access": "everyone"}), content_type="application/json"
    )
    assert bad.status_code == 400 and "access" in bad.json()["detail"]
    recording.refresh_from_db()
    assert recording.access == "attendees"


def test_deleting_a_recording_removes_its_file(
    host_client: Client, outsider_client: Client, recording: Recording, django_capture_on_commit_callbacks: Any
) -> None:
    assert outsider_client.delete(f"{API}/recordings/{recording.pk}").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert host_client.delete(f"{API}/recordings/{recording.pk}").status_code == 204
    assert not Recording.objects.filter(pk=recording.pk).exists()
    assert not storages["default"].exists(recording.storage_key)


def test_starting_in_a_room_that_is_not_live_is_409(host_client: Client, room: Room) -> None:
    response = host_client.post(
        f"{API}/rooms/{room.code}/recording", json.dumps({"action": "start"}), content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["detail"]


def test_starting_when_the_recorder_is_not_running_is_503_at_once(
    host_client: Client, room: Room, livekit: None, settings: Any
) -> None:
    """With EGRESS_HEALTH_URL set and no egress answering it, LiveKit would refuse after ~20 s: the
    host is told at once, and no recording is left behind."""
    settings.EGRESS_HEALTH_URL = "http://127.0.0.1:9/"  # nothing listens on the discard port
    start = json.dumps({"action": "start"})
    not_live = host_client.post(f"{API}/rooms/{room.code}/recording", start, content_type="application/json")
    assert not_live.status_code == 409, "what the host can act on comes first"
    open_room(room=room)
    response = host_client.post(
        f"{API}/rooms/{room.code}/recording", json.dumps({"action": "start"}), content_type="application/json"
    )
    assert response.status_code == 503
    assert "recorder is not running" in response.json()["detail"]
    assert not Recording.objects.filter(room=room).exists()


def test_stopping_when_nothing_records_is_409_and_a_bad_action_is_400(host_client: Client, room: Room) -> None:
    stop = host_client.post(
        f"{API}/rooms/{room.code}/recording", json.dumps({"action": "stop"}), content_type="application/json"
    )
    assert stop.status_code == 409
    bad = host_client.post(
        f"{API}/rooms/{room.code}/recording", json.dumps({"action": "pause"}), content_type="application/json"
    )
    assert bad.status_code == 400 and "action" in bad.json()["detail"]


def test_only_moderators_start_or_stop_recording(outsider_client: Client, room: Room) -> None:
    body = json.dumps({"action": "start"})
    assert Client().post(f"{API}/rooms/{room.code}/recording", body, content_type="application/json").status_code == 401
    assert (
        outsider_client.post(f"{API}/rooms/{room.code}/recording", body, content_type="application/json").status_code
        == 403
    )


def test_room_recording_defaults_apply_to_new_recordings(host_client: Client, room: Room) -> None:
    response = host_client.patch(
        f"{API}/rooms/{room.code}/recording-settings",
        json.dumps({"auto_record": True, "default_access": "attendees"}),
        content_type="application/json",
    )
    assert response.json() == {"auto_record": True, "default_access": "attendees"}
    assert host_client.get(f"{API}/rooms/{room.code}/recording-settings").json()["auto_record"] is True
    assert RecordingSettings.objects.get(room=room).default_access == "attendees"


# --- egress webhooks ---


def _egress(recording: Recording, status: str, updated: int, **fields: Any) -> livekit_server.Egress:
    return livekit_server.Egress(
        egress_id=recording.egress_id,
        room_name=recording.lecture.livekit_room,
        status=status,
        kind="room_composite",
        updated_at=updated,
        **fields,
    )


@pytest.fixture
def running(room: Room) -> Recording:
    made = make_recording(room, status=Recording.Status.STARTING)
    made.egress_id = "EG_test1234"
    made.save(update_fields=["egress_id"])
    return made


@pytest.mark.django_db(transaction=True)
def test_egress_webhooks_move_a_recording_to_ready_with_file_duration_and_size(
    client: Client, running: Recording
) -> None:
    now = time.time_ns()
    egress_webhook(
        client, event="egress_started", egress=_egress(running, "active", now, started_at=now), event_id="EV_1"
    )
    running.refresh_from_db()
    assert running.status == "recording" and running.started_at is not None
    file = livekit_server.EgressFile(filename="x.mp4", location="/x.mp4", duration_seconds=61.5, size=123456)
    ended = _egress(running, "complete", now + 2, started_at=now, ended_at=now + 2, files=(file,))
    assert egress_webhook(client, event="egress_ended", egress=ended, event_id="EV_2").status_code == 204
    running.refresh_from_db()
    assert (running.status, running.duration, running.size) == ("ready", 61.5, 123456)


@pytest.mark.django_db(transaction=True)
def test_each_egress_report_is_applied_once_and_an_older_one_never_wins(client: Client, running: Recording) -> None:
    now = time.time_ns()
    failed = _egress(running, "failed", now + 5, error="pipeline died", ended_at=now + 5)
    egress_webhook(client, event="egress_ended", egress=failed, event_id="EV_a")
    running.refresh_from_db()
    assert (running.status, running.error) == ("failed", "pipeline died")
    # the same event again, and an older "active" report arriving late: nothing changes
    egress_webhook(client, event="egress_ended", egress=failed, event_id="EV_a")
    egress_webhook(client, event="egress_updated", egress=_egress(running, "active", now + 1), event_id="EV_b")
    running.refresh_from_db()
    assert (running.status, running.error, running.egress_updated_at) == ("failed", "pipeline died", now + 5)


@pytest.mark.django_db(transaction=True)
def test_a_complete_egress_without_a_file_fails_the_recording_with_a_reason(client: Client, running: Recording) -> None:
    egress_webhook(client, event="egress_ended", egress=_egress(running, "complete", time.time_ns()), event_id="EV_c")
    running.refresh_from_db()
    assert running.status == "failed" and "no file" in running.error


def test_an_unsigned_egress_webhook_is_refused(client: Client, running: Recording) -> None:
    body = livekit_server.mint_egress_webhook_body(
        event="egress_ended", egress=_egress(running, "complete", time.time_ns()), event_id="EV_x"
    )
    assert client.post("/livekit/webhook", body, content_type="application/webhook+json").status_code == 401
    running.refresh_from_db()
    assert running.status == "starting"


def test_the_layout_page_is_public_and_loads_its_bundle(client: Client) -> None:
    response = client.get("/recordings/layout/?url=ws://x&token=t&layout=lecture")
    assert response.status_code == 200
    assert b"build/layout.js" in response.content and b"t&amp;layout" not in response.content


def test_lecture_model_is_where_recordings_expects_it() -> None:
    assert Recording._meta.get_field("lecture").related_model is Lecture


def test_a_student_is_told_at_the_invite_page_that_the_lecture_is_recorded(client: Client, room: Room) -> None:
    assert b"join-recorded" not in client.get(f"/j/{room.code}").content
    RecordingSettings.objects.update_or_create(room=room, defaults={"auto_record": True})
    page = client.get(f"/j/{room.code}").content.decode()
    assert "This lecture is recorded" in page and "not to be transcribed" in page


def test_participants_read_whether_the_live_lecture_is_recorded(host_client: Client, room: Room) -> None:
    from lectures.life import open_room

    lecture = open_room(room=room)
    assert host_client.get(f"{API}/rooms/{room.code}/recording").json() == {"recording": None}
    running = make_recording(room, status=Recording.Status.RECORDING)
    assert running.lecture_id == lecture.pk
    body = host_client.get(f"{API}/rooms/{room.code}/recording").json()
    assert body["recording"] == {"id": running.pk, "status": "recording", "recording": True, "error": ""}


def test_the_lecture_page_shows_the_player_to_those_who_may_watch(
    host_client: Client, recording: Recording, room: Room
) -> None:
    page = host_client.get(f"/lectures/{recording.lecture_id}/").content.decode()
    assert 'id="recording-media"' in page and "/recordings/download/" in page and "recordings/player.js" in page
    room.attendees_see_lecture = True
    room.save(update_fields=["attendees_see_lecture"])
    student = guest_client(add_guest(room, recording.lecture, "Student Sue"))
    assert 'id="recording-media"' not in student.get(f"/lectures/{recording.lecture_id}/").content.decode()
    recording.access = Access.ATTENDEES
    recording.save(update_fields=["access"])
    assert 'id="recording-media"' in student.get(f"/lectures/{recording.lecture_id}/").content.decode()


def test_a_player_seeking_gets_just_the_requested_bytes(host_client: Client, recording: Recording) -> None:
    url = host_client.get(f"{API}/recordings/{recording.pk}").json()["download_url"]
    whole = b"\0\0\0\x18ftypmp42 lecture bytes"
    part = host_client.get(url, HTTP_RANGE="bytes=4-7")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == whole[4:8]  # type: ignore[attr-defined]
    assert part["Content-Range"] == f"bytes 4-7/{len(whole)}"
    tail = host_client.get(url, HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == whole[-5:]  # type: ignore[attr-defined]


def test_retention_deletes_old_recordings_and_their_files_but_keeps_recent_and_running_ones(
    room: Room, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    old = make_recording(room)
    storages["default"].save(old.storage_key, ContentFile(b"old"))
    Recording.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    recent = make_recording(room)
    running = make_recording(room, status=Recording.Status.RECORDING)
    Recording.objects.filter(pk=running.pk).update(created_at=timezone.now() - timedelta(days=40))
    settings.RECORDING_RETENTION_DAYS = 0
    call_command("delete_expired_recordings")
    assert Recording.objects.filter(pk=old.pk).exists()
    settings.RECORDING_RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        call_command("delete_expired_recordings")
    assert set(Recording.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not storages["default"].exists(old.storage_key)


def test_the_layout_page_needs_no_dev_access_key(client: Client, settings: Any) -> None:
    settings.DEV_ACCESS_KEY = "secret-key"
    assert client.get("/recordings/layout/").status_code == 200
    assert client.get(f"{API}/recordings").status_code != 200


def test_opening_a_room_that_records_automatically_does_not_wait_for_egress(
    host_client: Client, room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    RecordingSettings.objects.update_or_create(room=room, defaults={"auto_record": True})
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        assert host_client.post(f"{API}/rooms/{room.code}/token").status_code == 200
    assert time.monotonic() - started < 5
    assert DBTaskResult.objects.filter(task_path="recordings.tasks.auto_record_lecture").count() == 1


def test_the_player_may_follow_a_signed_link_to_the_s3_bucket(settings: Any) -> None:
    from config.headers import content_security_policy

    assert "media-src 'self' blob:;" in content_security_policy("n")
    settings.STORAGE_BACKEND = "s3"
    settings.S3_ENDPOINT_URL = "https://files.uni.example:9000/"
    assert "media-src 'self' blob: https://files.uni.example:9000;" in content_security_policy("n")


def test_only_the_layout_page_may_connect_to_the_livekit_url_egress_uses(client: Client, settings: Any) -> None:
    """In Compose egress reaches LiveKit at ws://livekit:7880 and hands that URL to the layout page."""
    settings.EGRESS_LIVEKIT_URL = "ws://livekit:7880"
    layout = client.get("/recordings/layout/")["Content-Security-Policy"]
    connect = next(part for part in layout.split("; ") if part.startswith("connect-src "))
    assert "ws://livekit:7880" in connect.split() and "http://livekit:7880" in connect.split()
    assert "livekit:7880" not in client.get("/")["Content-Security-Policy"]
    settings.EGRESS_LIVEKIT_URL = ""
    assert "livekit:7880" not in client.get("/recordings/layout/")["Content-Security-Policy"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_egress_reaches_everyone_in_the_lecture_through_the_live_socket(
    client: Client, running: Recording
) -> None:
    """The one path recording status takes to the room page (no LiveKit data copy)."""
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from participants.broadcasts import lecture_group
    from webhooks.dispatch import drain

    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(lecture_group(running.lecture_id), channel)
    failed = _egress(running, "failed", time.time_ns(), error="pipeline died")
    assert egress_webhook(client, event="egress_ended", egress=failed, event_id="EV_live").status_code == 204
    drain()

    async def next_message() -> dict[str, Any]:
        return dict(await asyncio.wait_for(layer.receive(channel), timeout=5))

    event = async_to_sync(next_message)()
    assert event["message"] == {
        "type": "recording.status",
        "recording": {"id": running.pk, "status": "failed", "recording": False, "error": "pipeline died"},
    }
