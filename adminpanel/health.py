"""The health of each part of the deployment, as the overview shows it: up or down, and how fast."""

import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rooms import livekit_server
from rooms.livekit_server import LiveKitError
from rooms.models import Lecture

REDIS_TIMEOUT = 2.0
# More tasks than this waiting, or one waiting longer, means the task worker is not keeping up.
QUEUE_DEPTH_WARNING = 100
QUEUE_AGE_WARNING_SECONDS = 300


# LiveKit API latencies this process measured lately: (monotonic time, milliseconds).
LATENCY_WINDOW_SECONDS = 300
_livekit_latencies: deque[tuple[float, float]] = deque(maxlen=1000)


def _record_latency(ms: float) -> tuple[float, float]:
    """Keep one measurement and return p50 and p95 over the last few minutes."""
    now = time.monotonic()
    _livekit_latencies.append((now, ms))
    while _livekit_latencies and _livekit_latencies[0][0] < now - LATENCY_WINDOW_SECONDS:
        _livekit_latencies.popleft()
    samples = sorted(value for _, value in _livekit_latencies)
    return _percentile(samples, 0.5), _percentile(samples, 0.95)


def _percentile(samples: list[float], q: float) -> float:
    return samples[min(len(samples) - 1, int(q * len(samples)))]


@dataclass(frozen=True)
class Part:
    name: str
    ok: bool
    detail: str
    latency_ms: float | None = None


@dataclass(frozen=True)
class Overview:
    parts: list[Part]
    live_lectures: int
    participants_now: int | None  # None when LiveKit did not answer
    checked_at: datetime

    @property
    def down(self) -> list[Part]:
        return [part for part in self.parts if not part.ok]

    def as_json(self) -> dict[str, object]:
        return {
            "parts": [asdict(part) for part in self.parts],
            "down": [part.name for part in self.down],
            "live_lectures": self.live_lectures,
            "participants_now": self.participants_now,
            "checked_at": self.checked_at.isoformat(),
        }


def _timed(name: str, check: Callable[[], object]) -> tuple[float, Exception | None]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # any failure of a dependency is "down", named on the page
        return (time.perf_counter() - started) * 1000, exc
    return (time.perf_counter() - started) * 1000, None


def _database() -> Part:
    def select_one() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    ms, error = _timed("database", select_one)
    return Part("Database", error is None, error.__class__.__name__ if error else "answering", round(ms, 1))


def _redis() -> Part:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )
    try:
        ms, error = _timed("redis", client.ping)
    finally:
        client.close()
    return Part("Redis", error is None, error.__class__.__name__ if error else "answering", round(ms, 1))


def _task_queue() -> Part:
    waiting = DBTaskResult.objects.ready()
    depth = waiting.count()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    ok = depth <= QUEUE_DEPTH_WARNING and age <= QUEUE_AGE_WARNING_SECONDS
    detail = f"{depth} waiting" + (f", the oldest for {age} s" if oldest else "")
    return Part("Task queue", ok, detail)


def check() -> Overview:
    """Check every part once; LiveKit's answer also gives the number of participants now."""
    parts = [_database()]
    started = time.perf_counter()
    participants_now: int | None = None
    try:
        rooms = livekit_server.list_rooms()
        participants_now = sum(r.num_participants for r in rooms)
        ms = (time.perf_counter() - started) * 1000
        p50, p95 = _record_latency(ms)
        detail = f"{len(rooms)} rooms; API latency p50 {p50:.0f} ms, p95 {p95:.0f} ms over the last 5 minutes"
        parts.append(Part("LiveKit", True, detail, round(ms, 1)))
    except LiveKitError as exc:
        parts.append(Part("LiveKit", False, exc.detail, round((time.perf_counter() - started) * 1000, 1)))
    if settings.REDIS_URL:
        parts.append(_redis())
    try:
        parts.append(_task_queue())
    except Exception as exc:  # the queue lives in the database: down with it
        parts.append(Part("Task queue", False, exc.__class__.__name__))
    try:
        live = Lecture.objects.filter(status=Lecture.Status.LIVE).count()
    except Exception:  # the database is down: already named above
        live = 0
    return Overview(parts=parts, live_lectures=live, participants_now=participants_now, checked_at=timezone.now())
