"""Sliding-window counters in PostgreSQL, shared by every web process, and the per-address rule.

A hit is checked and recorded under a transaction-level advisory lock on its key (`take_hit`,
`lock_keys`): without it, parallel requests each count the others' hits as not there yet (they are
not committed) and all pass the limit together.
"""

import math
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from core.exceptions import LecternError, NotFound, RateLimited
from core.models import RateLimitHit

_LOCK_NAMESPACE = 0x524C  # "RL": keeps these advisory locks apart from anyone else's


def retry_after(*, key: str, limit: int, window: timedelta) -> int:
    """Seconds until `key` may try again: 0 when fewer than `limit` hits fall within `window`."""
    since = timezone.now() - window
    hits = RateLimitHit.objects.filter(key=key, created_at__gt=since)
    if hits.count() < limit:
        return 0
    oldest = hits.aggregate(first=Min("created_at"))["first"]
    return max(1, math.ceil((oldest + window - timezone.now()).total_seconds()))


def record_hit(*, key: str) -> int:
    """Count one hit of `key` (call it under `lock_keys`); the hit's id."""
    return RateLimitHit.objects.create(key=key).pk


def lock_keys(*keys: str) -> None:
    """Serialise the counting of `keys` until the caller's transaction ends (one must be open)."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_keys needs a transaction: its locks last until the transaction ends.")
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):  # always the same order: two callers never wait on each other
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_NAMESPACE, key])


@transaction.atomic
def take_hit(*, key: str, limit: int, window: timedelta) -> int:
    """Count one hit of `key` unless `limit` hits fall within `window` already: 0 when counted, else the
    seconds to wait (nothing counted). Concurrent callers on the same key take turns."""
    lock_keys(key)
    wait = retry_after(key=key, limit=limit, window=window)
    if not wait:
        record_hit(key=key)
    return wait


def forget_hits(*, ids: list[int]) -> None:
    RateLimitHit.objects.filter(pk__in=ids).delete()


def clear_hits(*, key: str) -> int:
    """Forget every hit of `key` (a host lifting a pause); how many there were."""
    deleted, _ = RateLimitHit.objects.filter(key=key).delete()
    return deleted


def prune_hits(*, older_than: timedelta = timedelta(hours=2)) -> int:
    deleted, _ = RateLimitHit.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


# Unknown invite codes per address. A code is one of 26^10 (about 1.4e14): guessing one takes some
# 10^11 tries, so this limit only keeps a script from hammering the database. It answers 429 to
# unknown codes alone: a lecture hall behind one NAT address always reaches its real room.
UNKNOWN_CODES = 20
UNKNOWN_CODE_WINDOW = timedelta(minutes=1)


def code_key(ip: str) -> str:
    return f"code-ip:{ip}"


def refuse_unknown_code(*, ip: str) -> LecternError:
    """Count an unknown invite code against the address; the error to raise (404, or 429 past the limit)."""
    wait = take_hit(key=code_key(ip), limit=UNKNOWN_CODES, window=UNKNOWN_CODE_WINDOW)
    if wait:
        return RateLimited("Too many unknown invite codes from your network. Wait a moment.", retry_after=wait)
    return NotFound("No room has this invite code.")
