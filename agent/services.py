"""Everything the agent reads from or writes to the database, and nothing else does in agent/.

Functions are async (the worker runs on an event loop); ORM work runs in Django's sync thread with
a fresh connection each time, so a database restart costs one failed write, not the job.

A job also holds a lease on its lecture: a PostgreSQL advisory lock on a connection of its own,
held as long as the job lives and released by the server the moment that process dies. Two
workers (or a restarted worker and a job that survived) therefore never caption one lecture twice.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from core.models import AgentWorker, AISettings
from rooms.models import Lecture
from summaries.tasks import request_summary
from transcripts import services as transcripts
from transcripts.models import TranscriptSegment

logger = logging.getLogger(__name__)

_LEASE_NAMESPACE = 0x4C4543  # "LEC": keeps our advisory locks apart from anyone else's


@dataclass(frozen=True)
class LectureInfo:
    id: int
    livekit_room: str
    started_at: datetime
    ai_assistant: bool
    live: bool


@dataclass(frozen=True)
class SpeechSettings:
    engine: str  # whisper | deepgram, as it will run (Deepgram only with a key)
    whisper_model: str  # a folder, or "" for the bundled tiny.en
    language: str


def _info(lecture: Lecture) -> LectureInfo:
    return LectureInfo(
        id=lecture.pk,
        livekit_room=lecture.livekit_room,
        started_at=lecture.started_at,
        ai_assistant=lecture.room.ai_assistant,
        live=lecture.status == Lecture.Status.LIVE,
    )


def _find_lecture(livekit_room: str) -> LectureInfo | None:
    close_old_connections()
    lecture = Lecture.objects.select_related("room").filter(livekit_room=livekit_room).first()
    return _info(lecture) if lecture else None


async def find_lecture(*, livekit_room: str) -> LectureInfo | None:
    """The lecture a LiveKit room belongs to, if any."""
    return await sync_to_async(_find_lecture)(livekit_room)


def _lectures_to_caption() -> list[LectureInfo]:
    close_old_connections()
    lectures = Lecture.objects.select_related("room").filter(status=Lecture.Status.LIVE, room__ai_assistant=True)
    return [_info(lecture) for lecture in lectures]


async def list_lectures_to_caption() -> list[LectureInfo]:
    """Live lectures whose room has the AI assistant on."""
    return await sync_to_async(_lectures_to_caption)()


async def open_livekit_rooms() -> dict[str, str]:
    """The rooms open on the LiveKit server now, name → sid (through the web's LiveKit gate)."""
    from rooms import livekit_server

    return {room.name: room.sid for room in await asyncio.to_thread(livekit_server.list_rooms)}


def speech_settings() -> SpeechSettings:
    """The speech-to-text engine, model and language admins chose (sync: for process set-up)."""
    close_old_connections()
    ai = AISettings.load()
    return SpeechSettings(engine=ai.effective_engine, whisper_model=ai.effective_whisper_model, language=ai.language)


async def load_speech_settings() -> SpeechSettings:
    """The speech-to-text engine, model and language admins chose (defaults from the environment)."""

    return await sync_to_async(speech_settings)()


def _record_segment(
    lecture_id: int, speaker_identity: str, speaker_name: str, start: float, end: float, text: str, engine: str
) -> None:
    close_old_connections()
    TranscriptSegment.objects.create(
        lecture_id=lecture_id,
        speaker_identity=speaker_identity,
        speaker_name=speaker_name,
        start=max(0.0, start),
        end=max(0.0, end, start),
        text=text,
        engine=engine,
    )


async def record_segment(
    *,
    lecture_id: int,
    speaker_identity: str,
    speaker_name: str,
    start: float,
    end: float,
    text: str,
    engine: str,
) -> None:
    """Store one final utterance the moment it is final."""
    await sync_to_async(_record_segment)(lecture_id, speaker_identity, speaker_name, start, end, text, engine)


def _resummarize_if_late(lecture_id: int, last_final_at: datetime) -> bool:
    close_old_connections()
    lecture = Lecture.objects.filter(pk=lecture_id).first()
    ended_at = lecture.ended_at if lecture is not None and lecture.status == Lecture.Status.ENDED else None
    if ended_at is None or last_final_at <= ended_at:
        return False
    request_summary(lecture_id=lecture_id)
    return True


async def resummarize_if_late(*, lecture_id: int, last_final_at: datetime) -> bool:
    """The lecture ended while its last utterance was still being decoded: summarise it again."""
    return await sync_to_async(_resummarize_if_late)(lecture_id, last_final_at)


def _mark_at_capacity(lecture_id: int) -> bool:
    close_old_connections()
    return transcripts.mark_captions_unavailable(lecture_id=lecture_id, reason=Lecture.CaptionsUnavailable.CAPACITY)


async def mark_at_capacity(*, lecture_id: int) -> bool:
    """No worker has room for the lecture: its hosts see "captions unavailable" (once)."""
    return await sync_to_async(_mark_at_capacity)(lecture_id)


def _mark_captioned(lecture_id: int) -> bool:
    close_old_connections()
    return transcripts.mark_captions_running(lecture_id=lecture_id)


async def mark_captioned(*, lecture_id: int) -> bool:
    """A job captions the lecture now: an earlier "captions unavailable" is cleared for its hosts."""
    return await sync_to_async(_mark_captioned)(lecture_id)


class LectureLease:
    """The right to caption one lecture, held on a database connection of its own."""

    def __init__(self, connection: psycopg.AsyncConnection, lecture_id: int) -> None:
        self._connection = connection
        self.lecture_id = lecture_id

    async def release(self) -> None:
        await self._connection.close()


async def _connect() -> psycopg.AsyncConnection:
    db = settings.DATABASES["default"]
    return await psycopg.AsyncConnection.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
        application_name="lectern-agent-lease",
    )


async def acquire_lecture_lease(*, lecture_id: int) -> LectureLease | None:
    """Take the lecture's lease, or None when another job holds it."""
    connection = await _connect()
    cursor = await connection.execute("SELECT pg_try_advisory_lock(%s, %s)", (_LEASE_NAMESPACE, lecture_id))
    row = await cursor.fetchone()
    if not row or not row[0]:
        await connection.close()
        return None
    return LectureLease(connection, lecture_id)


# A worker that has not reported for this long is gone (it reports every HEARTBEAT_EVERY_SECONDS
# in agent/worker.py); its row is removed after a day.
FORGET_WORKERS_AFTER_SECONDS = 24 * 3600


def _record_heartbeat(worker_id: str, host: str, load: float, jobs: int, max_jobs: int) -> None:
    close_old_connections()
    now = timezone.now()
    fields = {"host": host[:255], "load": max(0.0, min(1.0, load)), "jobs": jobs, "max_jobs": max_jobs}
    AgentWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={**fields, "last_seen_at": now},
        create_defaults={**fields, "last_seen_at": now, "started_at": now},
    )
    AgentWorker.objects.filter(last_seen_at__lt=now - timedelta(seconds=FORGET_WORKERS_AFTER_SECONDS)).delete()


async def record_heartbeat(*, worker_id: str, host: str, load: float, jobs: int, max_jobs: int) -> None:
    """Tell the web this worker is registered, with its load and the lectures it captions now."""
    await sync_to_async(_record_heartbeat)(worker_id, host, load, jobs, max_jobs)
