"""Sliding-window counters in PostgreSQL, shared by every web process, and the per-address rule."""

import math
from datetime import timedelta

from django.db.models import Min
from django.utils import timezone

from core.exceptions import RateLimited
from core.models import RateLimitHit


def retry_after(*, key: str, limit: int, window: timedelta) -> int:
    """Seconds until `key` may try again: 0 when fewer than `limit` hits fall within `window`."""
    since = timezone.now() - window
    hits = RateLimitHit.objects.filter(key=key, created_at__gt=since)
    if hits.count() < limit:
        return 0
    oldest = hits.aggregate(first=Min("created_at"))["first"]
    return max(1, math.ceil((oldest + window - timezone.now()).total_seconds()))


def record_hit(*, key: str) -> None:
    RateLimitHit.objects.create(key=key)


def prune_hits(*, older_than: timedelta = timedelta(hours=2)) -> int:
    deleted, _ = RateLimitHit.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


# Failed PINs and unknown invite codes per IP: successful entries do not count, so a lecture hall
# behind one NAT address can still come in; a guesser is stopped after five misses a minute.
IP_ATTEMPTS = 5
IP_WINDOW = timedelta(minutes=1)


def ip_key(ip: str) -> str:
    return f"join-ip:{ip}"


def check_ip_allowed(*, ip: str) -> None:
    """Raise RateLimited when this IP has used up its attempts (checked before any lookup or bcrypt)."""
    wait = retry_after(key=ip_key(ip), limit=IP_ATTEMPTS, window=IP_WINDOW)
    if wait:
        raise RateLimited("Too many attempts from your network. Wait a moment and try again.", retry_after=wait)


def record_unknown_code(*, ip: str) -> None:
    """An invite code that does not exist: counts like a failed PIN, so codes cannot be enumerated."""
    record_hit(key=ip_key(ip))
