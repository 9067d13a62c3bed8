"""The health of each part of the deployment, as the overview shows it: up or down, and how fast."""

import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import AgentWorker
from recordings import egress_health
from recordings.models import Recording
from rooms import livekit_server
from rooms.livekit_server import LiveKitError
from rooms.models import Lecture

REDIS_TIMEOUT = 2.0
# More tasks than this waiting, or one waiting longer, means the task worker is not keeping up.
QUEUE_DEPTH_WARNING = 100
QUEUE_AGE_WARNING_SECONDS = 300
# An agent worker reports every 10 s (agent/worker.py); silent for longer than this, it is gone.
AGENT_HEARTBEAT_STALE_SECONDS = 30


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
    captions_running: int  # lectures the registered agent workers caption now
    recordings_running: int
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
            "captions_running": self.captions_running,
            "recordings_running": self.recordings_running,
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


def _agent_workers() -> tuple[Part, int]:
    """The AI assistant workers that reported lately (their heartbeats), and the lectures they caption.

    None registered is "down" only when it matters: a worker stopped reporting, or a live lecture
    with the assistant on waits for one (a deployment without the assistant has no worker at all)."""
    fresh_after = timezone.now() - timedelta(seconds=AGENT_HEARTBEAT_STALE_SECONDS)
    workers = list(AgentWorker.objects.filter(last_seen_at__gte=fresh_after))
    captions = sum(worker.jobs for worker in workers)
    if workers:
        loads = ", ".join(
            f"{worker.host or worker.worker_id} load {worker.load:.0%}, {worker.jobs} of {worker.max_jobs} lectures"
            for worker in workers
        )
        return Part("AI assistant workers", True, f"{len(workers)} registered: {loads}"), captions
    gone = AgentWorker.objects.filter(last_seen_at__lt=fresh_after).exists()
    waiting = Lecture.objects.filter(status=Lecture.Status.LIVE, room__ai_assistant=True).exists()
    if gone:
        return Part("AI assistant workers", False, "none registered: the last worker stopped reporting"), 0
    if waiting:
        return Part("AI assistant workers", False, "none registered, and a live lecture wants captions"), 0
    return Part("AI assistant workers", True, "none registered (no live lecture wants captions)"), 0


def _egress() -> Part:
    try:
        egress_health.ping()
    except egress_health.EgressUnreachable as exc:
        return Part("Egress", False, str(exc))
    return Part("Egress", True, f"{len(egress_health.health_urls())} instance(s) answering")


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
    if egress_health.health_urls():
        parts.append(_egress())
    live, captions, recordings = 0, 0, 0
    try:
        workers, captions = _agent_workers()
        parts.append(workers)
        live = Lecture.objects.filter(status=Lecture.Status.LIVE).count()
        recordings = Recording.objects.filter(
            status__in=[Recording.Status.STARTING, Recording.Status.RECORDING]
        ).count()
    except Exception:  # the database is down: already named above
        parts.append(Part("AI assistant workers", False, "unknown: the database did not answer"))
    return Overview(
        parts=parts,
        live_lectures=live,
        participants_now=participants_now,
        captions_running=captions,
        recordings_running=recordings,
        checked_at=timezone.now(),
    )
