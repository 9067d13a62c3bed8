"""Health: GET /livez (the process serves requests) and GET /healthz (its dependencies answer).

/livez is for liveness checks (restart a stuck process): it touches nothing outside the process, so
a database or LiveKit outage never gets healthy web processes restarted. /healthz is readiness: the
database, LiveKit and, when configured, Redis; 503 naming the failing part.
"""

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from recordings import egress_health
from rooms import livekit_server

# A health probe must answer well inside the checker's own timeout.
REDIS_TIMEOUT = 2.0


def livez(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means the database is down for us
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _livekit() -> str:
    try:
        livekit_server.ping()
    except livekit_server.LiveKitError as exc:
        return f"error: {exc}"
    return "ok"


def _redis() -> str:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"error: {exc.__class__.__name__}"
    finally:
        client.close()
    return "ok"


def _egress() -> str:
    try:
        egress_health.ping()
    except egress_health.EgressUnreachable as exc:
        return f"error: {exc}"
    return "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    report = {"status": "ok", "database": _database(), "livekit": _livekit()}
    if settings.REDIS_URL:
        report["redis"] = _redis()
    if egress_health.health_urls():
        report["egress"] = _egress()
    healthy = all(value == "ok" for value in report.values())
    if not healthy:
        report["status"] = "error"
    return JsonResponse(report, status=200 if healthy else 503)
