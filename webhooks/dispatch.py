"""LiveKit's webhooks: each verified event is stored once and answered at once; then the stored
events of a room are applied in the order LiveKit created them, one worker per room at a time.

LiveKit drops webhooks that wait in its queue (about 200 per URL, 30 s): the endpoint therefore
does nothing but verify, store and answer. A restart loses nothing: the events are in the table,
and the reconciliation task of every live lecture applies whatever is still pending.
"""

import dataclasses
import json
import logging
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from lectures import attendance, life
from moderation.services import enforce_admissions
from rooms import livekit_server
from rooms.models import Lecture
from webhooks.events import PRESENCE
from webhooks.models import WebhookEvent

logger = logging.getLogger(__name__)

_workers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhooks")
BATCH = 200


def store_webhook(*, event: livekit_server.WebhookEvent) -> bool:
    """Keep a verified event once per event id; returns False for a repeat delivery (the Django view's
    path; the ASGI server stores through a connection of its event loop, webhooks/asgi.py)."""
    with connection.cursor() as cursor:
        cursor.execute(*insert_statement(event))
        return cursor.fetchone() is not None


def insert_statement(event: livekit_server.WebhookEvent) -> tuple[str, list[Any]]:
    """One statement (INSERT … ON CONFLICT DO NOTHING RETURNING): LiveKit sends a room's events one
    after the other, each waiting for our answer, so this is on the path of every event of a big
    lecture. It returns a row only for an event not stored before."""
    occurred = datetime.fromtimestamp(event.created_at, tz=UTC) if event.created_at else timezone.now()
    table = WebhookEvent._meta.db_table
    return (
        f"INSERT INTO {table} (event_id, event, livekit_room, participant_identity, received_at, occurred_at, "  # noqa: S608 - our table name
        "payload) VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (event_id) DO NOTHING RETURNING id",
        [
            event.id,
            event.event,
            event.room_name,
            event.participant_identity,
            timezone.now(),
            occurred,
            json.dumps(dataclasses.asdict(event)),
        ],
    )


def mark_applied(*, event_id: str) -> None:
    WebhookEvent.objects.filter(event_id=event_id).update(processed_at=timezone.now())


_swept = False
_jobs: set[Future[None]] = set()
_scheduled: set[str] = set()  # rooms with an apply submitted that has not started reading
_scheduled_lock = threading.Lock()
COALESCE_SECONDS = 0.2


def _submit(job: Callable[..., None], *args: str) -> None:
    future = _workers.submit(job, *args)
    _jobs.add(future)
    future.add_done_callback(_jobs.discard)


def drain(timeout: float = 30) -> None:
    """Wait until every event handed to the workers is applied (tests; a graceful stop)."""
    wait(list(_jobs), timeout=timeout)


def apply_later(*, livekit_room: str) -> None:
    """Apply the room's pending events on a worker thread (the response does not wait). The first
    event after the process starts also sweeps every room left with pending events by a restart.

    A room has at most one apply waiting to start: LiveKit sends a room's events one after the other,
    so the events that arrive meanwhile (COALESCE_SECONDS) are applied together, as one batch,
    instead of one thread and a dozen statements each."""
    global _swept
    if not _swept:
        _swept = True
        _submit(_sweep_in_thread)
    with _scheduled_lock:
        if livekit_room in _scheduled:
            return
        _scheduled.add(livekit_room)
    _submit(_apply_in_thread, livekit_room)


def pending_rooms() -> list[str]:
    return list(
        WebhookEvent.objects.filter(processed_at__isnull=True).values_list("livekit_room", flat=True).distinct()
    )


def _sweep_in_thread() -> None:
    close_old_connections()
    try:
        for livekit_room in pending_rooms():
            apply_pending(livekit_room=livekit_room)
    except Exception:
        logger.exception("could not apply the webhooks left pending by a restart")
    finally:
        connection.close()


def _apply_in_thread(livekit_room: str) -> None:
    time.sleep(COALESCE_SECONDS)  # the room's next events join this batch
    with _scheduled_lock:
        # from here on a new event schedules another apply; the ones stored before are read below
        _scheduled.discard(livekit_room)
    close_old_connections()
    try:
        apply_pending(livekit_room=livekit_room)
    except Exception:
        logger.exception("could not apply the webhooks of LiveKit room %s", livekit_room)
    finally:
        connection.close()  # a worker thread keeps no connection between events


def _lock_key(livekit_room: str) -> int:
    return (0x1EC7 << 32) | zlib.crc32(livekit_room.encode())


def apply_pending(*, livekit_room: str) -> int:
    """Apply the stored, not yet applied events of one LiveKit room, oldest first; returns how many.

    It reads again only after a full batch. Events stored while it runs have an apply of their own
    scheduled (apply_later), which gathers them for COALESCE_SECONDS: chasing them here took them one
    or two at a time, each read paying a whole batch's statements (a stream of 100 events a second
    kept the four workers busy and took the answers' CPU)."""
    applied = 0
    while True:
        joined: list[str] = []
        with transaction.atomic():
            with connection.cursor() as cursor:  # one worker per room: the others wait, then find nothing
                cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [_lock_key(livekit_room)])
            rows = list(
                WebhookEvent.objects.select_for_update()
                .filter(livekit_room=livekit_room, processed_at__isnull=True)
                .order_by("occurred_at", "pk")[:BATCH]
            )
            if not rows:
                return applied
            lecture = life.lecture_for_livekit_room(livekit_room)
            if lecture is not None:
                joined = _apply_batch([livekit_server.WebhookEvent(**row.payload) for row in rows], lecture)
            WebhookEvent.objects.filter(pk__in=[row.pk for row in rows]).update(processed_at=timezone.now())
        applied += len(rows)
        if joined and lecture is not None and lecture.status == Lecture.Status.LIVE:
            enforce_admissions(lecture=lecture, identities=joined)  # after the batch's commit
        if len(rows) < BATCH:
            return applied


def _apply_batch(events: list[livekit_server.WebhookEvent], lecture: Lecture) -> list[str]:
    """Apply a room's events in order; returns who joined (their admission is checked after the commit).
    Joins and leaves go through one Ledger: a few statements for the whole batch."""
    people = {e.participant_identity for e in events if e.event in PRESENCE and not e.participant_is_service}
    ledger = attendance.Ledger(lecture=lecture, identities=people)
    joined = []
    for event in events:
        at = datetime.fromtimestamp(event.created_at, tz=UTC) if event.created_at else timezone.now()
        if event.participant_is_service and event.event in PRESENCE:
            continue
        if event.event == "participant_joined":
            ledger.join(event.participant_identity, at)
            joined.append(event.participant_identity)
        elif event.event in ("participant_left", "participant_connection_aborted"):
            ledger.leave(event.participant_identity, at)
        elif event.event == "room_started":
            life.record_room_started(lecture=lecture, room_sid=event.room_sid)
        elif event.event == "room_finished":
            ledger.save()  # the joins and leaves before it, then every interval still open is closed
            life.record_room_finished(lecture=lecture, at=at)
            lecture.refresh_from_db()
    ledger.save()
    return joined
