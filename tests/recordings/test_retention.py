"""Retention, applied: the task worker's hourly pass deletes recordings older than the deployment's
RECORDING_RETENTION_DAYS, and finished lectures older than the admins' "Keep finished lectures
(days)" with their transcript, chat, shared files and recordings (bytes included). New rooms take the
admins' recording default. The clock is the `now` the pass is given."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from audit.models import AuditEvent
from chat.models import ChatMessage, SharedFile
from core.models import SiteDefaults
from recordings.models import Recording, RecordingSettings
from recordings.services import RetentionPass, apply_retention
from recordings.tasks import delete_late_file
from rooms.models import Lecture, Room
from rooms.services import create_room
from summaries.services import transcript_key
from tests.recordings.conftest import make_recording
from transcripts.models import TranscriptSegment

API = "/api/v1"
RETENTION_TASK = "recordings.tasks.apply_retention"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return tmp_path / "media"


def stored(key: str) -> bool:
    return bool(storages["default"].exists(key))


def finished_lecture(room: Room, name: str) -> Lecture:
    """A lecture that ended just now, with a transcript line, a chat message, a shared file and a recording."""
    now = timezone.now()
    lecture = Lecture.objects.create(
        room=room,
        title=name,
        livekit_room=f"{room.code}-{name}",
        started_at=now - timedelta(hours=1),
        ended_at=now,
        status=Lecture.Status.ENDED,
    )
    TranscriptSegment.objects.create(
        lecture=lecture, speaker_identity="h", speaker_name="Ada", start=0, end=2, text="Hello", engine="whisper"
    )
    ChatMessage.objects.create(lecture=lecture, sender_identity="g", sender_name="Sam", text="Hi")
    shared = SharedFile.objects.create(
        lecture=lecture,
        uploader_identity="g",
        uploader_name="Sam",
        name="notes.pdf",
        size=5,
        content_type="application/pdf",
        storage_key=f"lectures/{lecture.pk}/files/{name}",
        uploaded=True,
    )
    storages["default"].save(shared.storage_key, ContentFile(b"notes"))
    recording = make_recording(room, key=f"recordings/{lecture.pk}/{name}.mp4")
    Recording.objects.filter(pk=recording.pk).update(lecture=lecture)
    storages["default"].save(recording.storage_key, ContentFile(b"\0\0\0\x18ftypmp42"))
    storages["default"].save(transcript_key(lecture.pk), ContentFile(b"[00:00:00] Ada: Hello\n"))
    return lecture


def stored_files(lecture: Lecture) -> list[str]:
    """The keys of every file a lecture holds (a shared file, a recording, the transcript file)."""
    keys = [
        *SharedFile.objects.filter(lecture=lecture).values_list("storage_key", flat=True),
        *Recording.objects.filter(lecture=lecture).values_list("storage_key", flat=True),
        transcript_key(lecture.pk),
    ]
    assert len(keys) == 3 and all(stored(key) for key in keys)
    return keys


def test_the_pass_deletes_recordings_after_the_deployment_setting_and_lectures_after_the_admins_days(
    room: Room, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.RECORDING_RETENTION_DAYS = 7
    SiteDefaults.objects.update_or_create(pk=1, defaults={"retention_days": 30})
    lecture = finished_lecture(room, "graphs")
    recording = Recording.objects.get(lecture=lecture)
    shared_key = SharedFile.objects.get(lecture=lecture).storage_key
    live = Lecture.objects.create(
        room=room,
        title="live",
        livekit_room=f"{room.code}-live",
        started_at=timezone.now() - timedelta(days=100),
        status=Lecture.Status.LIVE,
    )
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        assert apply_retention(now=now + timedelta(days=6)) == RetentionPass(recordings=0, lectures=0)
    assert Recording.objects.filter(pk=recording.pk).exists() and stored(recording.storage_key)

    with django_capture_on_commit_callbacks(execute=True):
        done = apply_retention(now=now + timedelta(days=8))
    assert (done.recordings, done.lectures) == (1, 0)
    assert not Recording.objects.filter(pk=recording.pk).exists() and not stored(recording.storage_key)
    assert TranscriptSegment.objects.filter(lecture=lecture).exists(), "the lecture itself is kept 30 days"
    assert stored(shared_key)

    with django_capture_on_commit_callbacks(execute=True):
        done = apply_retention(now=now + timedelta(days=31))
    assert (done.recordings, done.lectures) == (0, 1)
    assert not Lecture.objects.filter(pk=lecture.pk).exists()
    assert not TranscriptSegment.objects.filter(lecture_id=lecture.pk).exists()
    assert not ChatMessage.objects.filter(lecture_id=lecture.pk).exists()
    assert not SharedFile.objects.filter(lecture_id=lecture.pk).exists() and not stored(shared_key)
    assert not stored(transcript_key(lecture.pk)), "the transcript file goes with its lecture"
    assert Lecture.objects.filter(pk=live.pk).exists(), "a live lecture is never deleted"
    audit = AuditEvent.objects.get(action="lecture.expired")
    assert (audit.room_id, audit.target, audit.actor_label) == (room.pk, "graphs", "Lectern")
    assert Room.objects.filter(pk=room.pk).exists()


def test_a_lecture_past_the_admins_days_takes_its_recordings_along_even_when_recordings_are_kept_forever(
    room: Room, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.RECORDING_RETENTION_DAYS = 0
    SiteDefaults.objects.update_or_create(pk=1, defaults={"retention_days": 1})
    lecture = finished_lecture(room, "sorting")
    key = Recording.objects.get(lecture=lecture).storage_key
    kept = finished_lecture(room, "heaps")
    Lecture.objects.filter(pk=kept.pk).update(ended_at=timezone.now() + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        done = apply_retention(now=timezone.now() + timedelta(days=2))
    assert (done.recordings, done.lectures) == (1, 1)
    assert not stored(key) and not Recording.objects.filter(storage_key=key).exists()
    assert Recording.objects.filter(lecture=kept).exists()


def test_deleting_a_room_deletes_the_files_of_every_lecture_it_held(
    host_client: Client, room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    keys = [*stored_files(finished_lecture(room, "graphs")), *stored_files(finished_lecture(room, "heaps"))]
    other = finished_lecture(create_room(host=room.host, title="Kept"), "kept")
    kept = stored_files(other)
    with django_capture_on_commit_callbacks(execute=True):
        assert host_client.post(f"/rooms/{room.code}/delete/").status_code == 302
    assert not Room.objects.filter(pk=room.pk).exists()
    assert [key for key in keys if stored(key)] == []
    assert all(stored(key) for key in kept), "another room's files stay"


def test_a_recording_deleted_while_its_egress_runs_is_looked_for_again_later(
    host_client: Client, room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    running = make_recording(room, status=Recording.Status.RECORDING, key=f"recordings/{room.pk}/running.mp4")
    storages["default"].save(running.storage_key, ContentFile(b"\0\0\0\x18ftyp"))  # what egress wrote so far
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert host_client.post(f"/rooms/{room.code}/delete/").status_code == 302
    assert not stored(running.storage_key)
    late = DBTaskResult.objects.get(task_path="recordings.tasks.delete_late_file")
    assert late.args_kwargs["args"] == [running.storage_key]
    assert late.run_after is not None and late.run_after >= before + timedelta(minutes=29)
    # the egress, ended by the room's closing, finishes its upload after the row is gone
    storages["default"].save(running.storage_key, ContentFile(b"\0\0\0\x18ftypmp42 whole"))
    delete_late_file.call(running.storage_key)
    assert not stored(running.storage_key)


def test_a_rolled_back_deletion_keeps_the_files(room: Room, django_capture_on_commit_callbacks: Any) -> None:
    keys = stored_files(finished_lecture(room, "graphs"))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        Room.objects.get(pk=room.pk).delete()
        raise RuntimeError("the deletion fails after the rows went")
    assert Room.objects.filter(pk=room.pk).exists()
    assert [key for key in keys if not stored(key)] == []


@pytest.mark.django_db(transaction=True)
def test_ending_a_lecture_queues_one_hourly_pass_that_the_task_worker_runs_and_requeues(
    host_client: Client, room: Room, settings: Any
) -> None:
    settings.RECORDING_RETENTION_DAYS = 1
    old = finished_lecture(room, "old")
    old_recording = Recording.objects.get(lecture=old)
    Recording.objects.filter(pk=old_recording.pk).update(created_at=timezone.now() - timedelta(days=2))

    for _ in range(2):  # two lectures end: still one pass queued
        assert host_client.post(f"{API}/rooms/{room.code}/token").status_code == 200
        assert host_client.post(f"{API}/rooms/{room.code}/end").status_code == 200
    queued = DBTaskResult.objects.filter(task_path=RETENTION_TASK)
    assert queued.count() == 1 and queued.get().status == "READY"

    before = timezone.now()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert not Recording.objects.filter(pk=old_recording.pk).exists()
    assert not stored(old_recording.storage_key)
    ran = queued.get(status="SUCCESSFUL")
    assert json.loads(json.dumps(ran.return_value)) == {"recordings": 1, "lectures": 0}
    following = queued.get(status="READY")
    assert following.run_after >= before + timedelta(minutes=59), "the next pass is an hour later"


def test_new_rooms_take_the_admins_recording_default_and_existing_rooms_keep_theirs(
    host: User, room: Room, host_client: Client
) -> None:
    SiteDefaults.objects.update_or_create(pk=1, defaults={"recording_default": True})
    recorded = create_room(host=host, title="Recorded by default")
    assert RecordingSettings.objects.get(room=recorded).auto_record is True
    assert host_client.get(f"{API}/rooms/{recorded.code}/recording-settings").json()["auto_record"] is True
    assert host_client.get(f"{API}/rooms/{room.code}/recording-settings").json()["auto_record"] is False

    SiteDefaults.objects.update_or_create(pk=1, defaults={"recording_default": False})
    assert RecordingSettings.objects.get(room=create_room(host=host, title="Not recorded")).auto_record is False
    assert RecordingSettings.objects.get(room=recorded).auto_record is True, "a room keeps what it was created with"
