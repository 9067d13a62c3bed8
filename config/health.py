"""GET /healthz: is the database reachable, does LiveKit answer."""

from django.db import connection
from django.http import HttpRequest, JsonResponse

from rooms import livekit_server


def healthz(request: HttpRequest) -> JsonResponse:
    report = {"status": "ok", "database": "ok", "livekit": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means the database is down for us
        report["database"] = f"error: {exc.__class__.__name__}"
    try:
        livekit_server.ping()
    except livekit_server.LiveKitError as exc:
        report["livekit"] = f"error: {exc}"
    from recordings import egress_health

    if egress_health.health_urls():
        try:
            egress_health.ping()
            report["egress"] = "ok"
        except egress_health.EgressUnreachable as exc:
            report["egress"] = f"error: {exc}"
    healthy = all(value == "ok" for key, value in report.items() if key != "status")
    if not healthy:
        report["status"] = "error"
    return JsonResponse(report, status=200 if healthy else 503)
