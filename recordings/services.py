"""Every state change of recordings: start and stop (through LiveKit Egress), egress reports,
access, deletion, room defaults and retention."""

import logging
import posixpath
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core import storage
from core.exceptions import LecternError, RoomNotLive
from lectures.retention import delete_finished_lecture, expired_lectures
from recordings import egress_health
from recordings.broadcasts import notify_recording_status
from recordings.exceptions import AlreadyRecording, NotRecording, RecorderUnavailable
from recordings.models import Access, Recording, RecordingSettings
from rooms import livekit_server
from rooms.models import Lecture, Room

logger = logging.getLogger(__name__)

# egress status → ours; "complete" and "limit_reached" become ready only with a file
_RUNNING = {"starting": Recording.Status.STARTING, "active": Recording.Status.RECORDING}


def new_storage_key(*, lecture: Lecture, audio_only: bool) -> str:
    """A fresh, unguessable key for a recording's file."""
    return f"recordings/{lecture.pk}/{uuid.uuid4().hex}.{'ogg' if audio_only else 'mp4'}"


def egress_filepath(key: str) -> str:
    """Where egress writes the file so that storage finds it under `key`: a path under MEDIA_ROOT when
    egress shares this host's disk (local storage), the object key (with the bucket's location) when
    egress uploads to the S3 bucket itself, or under RECORDING_EGRESS_ROOT when set."""
    if settings.RECORDING_EGRESS_ROOT:
        return posixpath.join(settings.RECORDING_EGRESS_ROOT, key)
    if settings.STORAGE_BACKEND == "s3":
        location = str(settings.STORAGES["default"].get("OPTIONS", {}).get("location") or "").strip("/")
        return posixpath.join(location, key) if location else key
    path = Path(settings.MEDIA_ROOT) / key
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def _lock_room(room_id: int) -> Room:
    """Serialises start, stop and egress reports of one room's recordings."""
    return Room.objects.select_for_update().get(pk=room_id)


def start_recording(*, room: Room, by: User | None, audio_only: bool | None = None) -> Recording:
    """Start recording the room's live lecture through our lecture layout; 409 when not live or
    already recording, 503 when egress cannot take it."""
    if audio_only is None:
        audio_only = settings.RECORDING_AUDIO_ONLY
    with transaction.atomic():
        room = _lock_room(room.pk)
        lecture = room.current_lecture()
        if lecture is None:
            raise RoomNotLive("The room is not live: recording starts during a lecture.")
        if Recording.objects.running().filter(room=room).exists():
            raise AlreadyRecording("This lecture is already being recorded.")
        if egress_health.any_answers() is False:  # at once, where LiveKit would refuse after ~20 s
            raise RecorderUnavailable("The recorder is not running; ask the administrator to start the egress service.")
        defaults = RecordingSettings.objects.filter(room=room).first()
        recording = Recording.objects.create(
            room=room,
            lecture=lecture,
            started_by=by,
            audio_only=audio_only,
            access=defaults.default_access if defaults else Access.HOSTS,
            storage_key=new_storage_key(lecture=lecture, audio_only=audio_only),
        )
        # The egress id comes back from this call; the room stays locked meanwhile, so an egress
        # report arriving at once waits for it (apply_egress_report locks the same row).
        try:
            egress = livekit_server.start_room_recording(
                room=lecture.livekit_room,
                filepath=egress_filepath(recording.storage_key),
                layout_url=settings.RECORDING_LAYOUT_URL,
                audio_only=audio_only,
            )
        except livekit_server.LiveKitError as exc:
            logger.warning("egress refused to record %s: %s", lecture.livekit_room, exc)
            raise RecorderUnavailable(f"The recorder is not available right now ({exc}).") from exc
        recording.egress_id = egress.egress_id
        recording.egress_updated_at = egress.updated_at
        recording.status = _RUNNING.get(egress.status, Recording.Status.STARTING)
        recording.save(update_fields=["egress_id", "egress_updated_at", "status"])
        transaction.on_commit(lambda: notify_recording_status(recording=recording))
        if settings.EGRESS_HEALTH_URL:
            from recordings.tasks import WATCH_EVERY, watch_recording

            recording_id = recording.pk
            transaction.on_commit(
                lambda: watch_recording.using(run_after=timezone.now() + WATCH_EVERY).enqueue(recording_id)
            )
    return recording


def stop_recording(*, room: Room) -> Recording:
    """Stop the room's running recording; the file is ready once egress reports it (egress_ended)."""
    with transaction.atomic():
        room = _lock_room(room.pk)
        recording = Recording.objects.running().filter(room=room).select_related("lecture").first()
        if recording is None:
            raise NotRecording("This lecture is not being recorded.")
        _stop_egress(recording)
        transaction.on_commit(lambda: notify_recording_status(recording=recording))
    return recording


def _stop_egress(recording: Recording) -> None:
    """Ask egress to finish (row locked by the caller); an egress that is already gone fails the recording."""
    try:
        egress = livekit_server.stop_egress(egress_id=recording.egress_id)
    except livekit_server.LiveKitError as exc:
        # LiveKit answers "not found"/"failed precondition" for an egress that already ended: its
        # report (egress_ended) is on the way or was lost; list_egress tells which.
        logger.info("stopping egress %s: %s", recording.egress_id, exc)
        reported = [e for e in _safe_list(recording) if e.egress_id == recording.egress_id]
        if reported:
            _apply(recording, reported[0])
            return
        recording.status = Recording.Status.FAILED
        recording.error = f"The recorder had already stopped ({exc})."
        recording.ended_at = timezone.now()
        recording.save(update_fields=["status", "error", "ended_at"])
        return
    if not _apply(recording, egress) and recording.is_running:
        recording.status = Recording.Status.PROCESSING
        recording.save(update_fields=["status"])


def _safe_list(recording: Recording) -> list[livekit_server.Egress]:
    try:
        return livekit_server.list_egress(room=recording.lecture.livekit_room)
    except livekit_server.LiveKitError:
        return []


def _when(nanoseconds: int) -> datetime | None:
    return datetime.fromtimestamp(nanoseconds / 1e9, tz=UTC) if nanoseconds else None


def _apply(recording: Recording, egress: livekit_server.Egress) -> bool:
    """Apply one egress report to a locked recording, once and in order; True when it changed."""
    if recording.is_finished or (egress.updated_at and egress.updated_at <= recording.egress_updated_at):
        return False
    recording.egress_updated_at = egress.updated_at or recording.egress_updated_at
    recording.started_at = recording.started_at or _when(egress.started_at)
    if egress.status in _RUNNING:
        recording.status = _RUNNING[egress.status]
    elif egress.status == "ending":
        recording.status = Recording.Status.PROCESSING
    else:
        recording.ended_at = _when(egress.ended_at) or timezone.now()
        file = egress.files[0] if egress.files else None
        if file is not None and file.duration_seconds:
            recording.duration = round(file.duration_seconds, 3)
        size = (file.size if file else 0) or storage.stored_size(key=recording.storage_key) or 0
        recording.size = size or None
        if egress.status in ("complete", "limit_reached") and size:
            recording.status = Recording.Status.READY
            if egress.status == "limit_reached":
                recording.error = "The recording reached the egress time limit."
        else:
            recording.status = Recording.Status.FAILED
            recording.error = egress.error or (
                "The recorder produced no file."
                if egress.status == "complete"
                else f"The recording was {egress.status}."
            )
    recording.save()
    return True


def apply_egress_report(*, egress: livekit_server.Egress) -> Recording | None:
    """Apply what LiveKit reports about an egress (a webhook, or a list) to its recording, once and
    in order; tells the room when the state changed. None when no recording of ours has this egress."""
    lecture = Lecture.objects.filter(livekit_room=egress.room_name).only("pk", "room_id", "livekit_room").first()
    with transaction.atomic():
        if lecture is not None:
            _lock_room(lecture.room_id)
        recording = (
            Recording.objects.select_for_update().select_related("lecture").filter(egress_id=egress.egress_id).first()
        )
        if recording is None or not _apply(recording, egress):
            return None
        transaction.on_commit(lambda: notify_recording_status(recording=recording))
    return recording


def stop_recordings_of_lecture(*, lecture: Lecture) -> None:
    """The lecture ended: finish its running recordings (egress also ends them when the room closes)."""
    for recording_id in Recording.objects.running().filter(lecture=lecture).values_list("pk", flat=True):
        with transaction.atomic():
            recording = Recording.objects.select_for_update().select_related("lecture").get(pk=recording_id)
            if recording.is_running and recording.egress_id:
                _stop_egress(recording)


def auto_record(*, lecture: Lecture) -> Recording | None:
    """Start recording a lecture that just began when its room records automatically."""
    if not RecordingSettings.objects.filter(room_id=lecture.room_id, auto_record=True).exists():
        return None
    try:
        return start_recording(room=lecture.room, by=None)
    except (AlreadyRecording, RoomNotLive):
        return None
    except RecorderUnavailable:
        logger.exception("auto-record of lecture %s could not start", lecture.pk)
        return None


def set_recording_access(*, recording: Recording, access: str) -> Recording:
    if access not in Access.values:
        raise LecternError(f"access must be one of {', '.join(Access.values)}.")
    recording.access = access
    recording.save(update_fields=["access"])
    return recording


def delete_recording(*, recording: Recording) -> None:
    """Delete a recording and its file (a running one is stopped first; the file goes with the row:
    recordings.receivers)."""
    with transaction.atomic():
        locked = Recording.objects.select_for_update().select_related("lecture").get(pk=recording.pk)
        if locked.is_running and locked.egress_id:
            try:
                livekit_server.stop_egress(egress_id=locked.egress_id)
            except livekit_server.LiveKitError:
                logger.info("egress %s was already gone", locked.egress_id)
        locked.delete()


def update_recording_settings(
    *, room: Room, auto_record: bool | None = None, default_access: str | None = None
) -> RecordingSettings:
    """Change a room's recording defaults."""
    found, _ = RecordingSettings.objects.get_or_create(room=room)
    if auto_record is not None:
        found.auto_record = auto_record
    if default_access is not None:
        if default_access not in Access.values:
            raise LecternError(f"default_access must be one of {', '.join(Access.values)}.")
        found.default_access = default_access
    found.save()
    return found


def delete_expired_recordings(*, now: datetime | None = None) -> int:
    """Retention: delete recordings older than RECORDING_RETENTION_DAYS (0 keeps them); returns how many."""
    days = settings.RECORDING_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    expired = list(Recording.objects.filter(created_at__lt=cutoff).exclude(status__in=_RUNNING.values()))
    for recording in expired:
        delete_recording(recording=recording)
    return len(expired)


@dataclass(frozen=True)
class RetentionPass:
    recordings: int
    lectures: int


def apply_retention(*, now: datetime | None = None) -> RetentionPass:
    """One retention pass: recordings older than RECORDING_RETENTION_DAYS, then finished lectures older
    than the admins' retention days (core.models.SiteDefaults) with everything they hold, recordings
    and their files included. The task worker runs it every hour (recordings.tasks.apply_retention)."""
    now = now or timezone.now()
    recordings = delete_expired_recordings(now=now)
    lectures = 0
    for lecture in expired_lectures(now=now):
        for recording in Recording.objects.filter(lecture=lecture):
            delete_recording(recording=recording)
            recordings += 1
        delete_finished_lecture(lecture=lecture)
        lectures += 1
    if recordings or lectures:
        logger.info("retention deleted %d recording(s) and %d lecture(s)", recordings, lectures)
    return RetentionPass(recordings=recordings, lectures=lectures)


LOST_RECORDING = "The recorder stopped unexpectedly (the egress service crashed or restarted); start a new recording."


def check_recording(*, recording: Recording, recheck_after: float = 2.0) -> Recording:
    """Notice a recording whose egress died without a report (LiveKit keeps calling it active): fail it
    with the reason and tell the room. Needs EGRESS_HEALTH_URL; a no-op without it."""
    import time

    def lost() -> bool:
        try:
            active = egress_health.active_egress_ids()
        except egress_health.EgressUnreachable:
            return False  # egress down: the supervisor restarts it; judge on the next check
        if active is None or recording.egress_id in active:
            return False
        reported = [e for e in _safe_list(recording) if e.egress_id == recording.egress_id]
        if reported and reported[0].is_finished:
            apply_egress_report(egress=reported[0])  # its webhook is late, not lost
            return False
        return True

    if not recording.is_running or not recording.egress_id or not lost():
        return recording
    time.sleep(recheck_after)  # a job can leave the handler list a moment before its final report
    recording.refresh_from_db()
    if not recording.is_running or not lost():
        return recording
    with transaction.atomic():
        _lock_room(recording.room_id)
        locked = Recording.objects.select_for_update().select_related("lecture").get(pk=recording.pk)
        if not locked.is_running:
            return locked
        locked.status = Recording.Status.FAILED
        locked.error = LOST_RECORDING
        locked.ended_at = timezone.now()
        locked.save(update_fields=["status", "error", "ended_at"])
        transaction.on_commit(lambda: notify_recording_status(recording=locked))
    logger.warning("recording %s lost its egress %s", locked.pk, locked.egress_id)
    return locked


def stop_egress_job(*, egress_id: str) -> None:
    """Stop any egress job by id (the admin's Egress page): ours through its recording, others directly."""
    recording = Recording.objects.running().filter(egress_id=egress_id).select_related("lecture").first()
    if recording is not None:
        stop_recording(room=recording.room)
        return
    try:
        livekit_server.stop_egress(egress_id=egress_id)
    except livekit_server.LiveKitError as exc:
        raise RecorderUnavailable(f"Egress did not stop {egress_id}: {exc}") from exc
