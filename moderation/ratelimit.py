"""Sliding-window counters in PostgreSQL, shared by every web process."""

import math
from datetime import timedelta

from django.db.models import Min
from django.utils import timezone

from moderation.models import RateLimitHit


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
