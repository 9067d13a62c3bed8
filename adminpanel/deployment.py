"""The deployment's configuration as the settings page shows it: secrets masked, never sent out."""

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.urls import reverse

from webhooks.models import WebhookEvent


def mask(secret: str) -> str:
    """Enough of a secret to tell two apart, never enough to use it."""
    if not secret:
        return "(not set)"
    if len(secret) <= 8:
        return "•" * 8
    return f"{secret[:2]}{'•' * 8}{secret[-2:]}"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    advice: str


def security_checks() -> list[Check]:
    """The security overview: each item with what to do when it fails."""
    csp = any("SecurityHeaders" in middleware for middleware in settings.MIDDLEWARE)
    hosts = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    return [
        Check("DEBUG is off", not settings.DEBUG, "Set DEBUG=false in production."),
        Check("The site is served over HTTPS", settings.SITE_URL.startswith("https://"), "Set SITE_URL to https://…"),
        Check("Session cookies are secure", bool(settings.SESSION_COOKIE_SECURE), "Serve over HTTPS in production."),
        Check("CSRF cookies are secure", bool(settings.CSRF_COOKIE_SECURE), "Serve over HTTPS in production."),
        Check("Content-Security-Policy is on", csp, "Keep config.headers.SecurityHeadersMiddleware."),
        Check(
            "Allowed hosts are named",
            bool(hosts) and "*" not in settings.ALLOWED_HOSTS,
            "List the site's host names in ALLOWED_HOSTS.",
        ),
    ]


def lectern_version() -> str:
    try:
        return version("lectern")
    except PackageNotFoundError:
        return "development checkout"


def configuration() -> dict[str, object]:
    """What the settings page lists, every secret masked."""
    last = WebhookEvent.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    storage = settings.STORAGE_BACKEND
    return {
        "livekit_url": settings.LIVEKIT_URL,
        "livekit_key": settings.LIVEKIT_API_KEY,
        "livekit_secret": mask(settings.LIVEKIT_API_SECRET),
        "webhook_url": settings.SITE_URL + reverse("livekit_webhook"),
        "last_webhook": last,
        "email_backend": "SMTP" if getattr(settings, "EMAIL_HOST", "") else "console (e-mails are printed, not sent)",
        "email_host": getattr(settings, "EMAIL_HOST", ""),
        "email_user": getattr(settings, "EMAIL_HOST_USER", ""),
        "email_password": mask(getattr(settings, "EMAIL_HOST_PASSWORD", "")),
        "storage": "S3" if storage == "s3" else "local files",
        "storage_bucket": settings.S3_BUCKET if storage == "s3" else "",
        "storage_endpoint": settings.S3_ENDPOINT_URL if storage == "s3" else "",
        "storage_key": mask(settings.S3_ACCESS_KEY),
        "storage_secret": mask(settings.S3_SECRET_KEY),
        "version": lectern_version(),
        "token_ttl": settings.LIVEKIT_TOKEN_TTL,
        "idle_minutes": settings.LECTURE_IDLE_MINUTES,
        "recording_retention_days": getattr(settings, "RECORDING_RETENTION_DAYS", 0),
        "audit_retention_days": settings.AUDIT_RETENTION_DAYS,
    }
