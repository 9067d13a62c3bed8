"""The attendance ledger: join/leave intervals per identity, from LiveKit's webhooks, healed by
reconciliation with the server's participant list (so a missed webhook is mended within 30 s)."""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django_tasks import task

from lectures.models import AttendanceInterval
from participants.identities import minted, minted_among
from participants.models import MintedIdentity
from rooms import livekit_server
from rooms.livekit_server import LiveKitError
from rooms.models import Lecture

logger = logging.getLogger(__name__)

RECONCILE_EVERY = timedelta(seconds=30)


def _opened(*, lecture: Lecture, row: MintedIdentity, at: datetime) -> AttendanceInterval:
    """An open interval of an identity we minted: the name and role from our records, never from what
    the participant reports."""
    if row.guest is not None:
        name = row.guest.display_name
    else:
        name = row.user.display_name if row.user is not None else row.identity
    return AttendanceInterval(
        lecture=lecture, identity=row.identity, display_name=name, role=row.role, guest=row.guest, joined_at=at
    )


@transaction.atomic
def record_join(*, lecture: Lecture, identity: str, at: datetime) -> AttendanceInterval | None:
    """Open an interval for an identity we minted, unless one is open already (a repeated or late webhook).

    Only our participants count: an identity we never minted opens nothing.
    """
    row = minted(lecture=lecture, identity=identity)
    if row is None:
        return None
    open_interval = AttendanceInterval.objects.filter(lecture=lecture, identity=identity, left_at__isnull=True).first()
    if open_interval is not None:
        return open_interval
    try:
        with transaction.atomic():
            interval = _opened(lecture=lecture, row=row, at=at)
            interval.save()
            return interval
    except IntegrityError:  # opened concurrently (a late webhook racing reconciliation): keep that one
        return AttendanceInterval.objects.filter(lecture=lecture, identity=identity, left_at__isnull=True).first()


class Ledger:
    """The joins and leaves of one webhook batch of a lecture, in their order, written in a few
    statements whatever their number (300 students leaving at once are one batch, not 900 queries).

    Same rules as record_join / record_leave: only identities we minted open an interval, a repeated
    join keeps the open one, a leave closes the open one.
    """

    def __init__(self, *, lecture: Lecture, identities: set[str]) -> None:
        self.lecture = lecture
        self.minted = minted_among(lecture=lecture, identities=identities)
        self.open_before = dict(
            AttendanceInterval.objects.filter(
                lecture=lecture, identity__in=identities, left_at__isnull=True
            ).values_list("identity", "pk")
        )
        self.opened: dict[str, AttendanceInterval] = {}
        self.closed: list[AttendanceInterval] = []
        self.closing: dict[int, datetime] = {}

    def join(self, identity: str, at: datetime) -> None:
        row = self.minted.get(identity)
        if row is not None and identity not in self.open_before and identity not in self.opened:
            self.opened[identity] = _opened(lecture=self.lecture, row=row, at=at)

    def leave(self, identity: str, at: datetime) -> None:
        if identity in self.opened:
            interval = self.opened.pop(identity)
            interval.left_at = at
            self.closed.append(interval)
        elif identity in self.open_before:
            self.closing[self.open_before.pop(identity)] = at

    def save(self) -> None:
        if self.closing:
            AttendanceInterval.objects.filter(pk__in=self.closing, left_at__isnull=True).update(
                left_at=Case(*(When(pk=pk, then=Value(at)) for pk, at in self.closing.items()))
            )
        # an interval reconciliation opened meanwhile wins (one open interval per identity)
        AttendanceInterval.objects.bulk_create([*self.closed, *self.opened.values()], ignore_conflicts=True)
        self.opened, self.closed, self.closing = {}, [], {}


def record_leave(*, lecture: Lecture, identity: str, at: datetime) -> int:
    """Close the open interval of `identity`; returns how many were closed (0 for a repeat)."""
    return AttendanceInterval.objects.filter(lecture=lecture, identity=identity, left_at__isnull=True).update(
        left_at=at
    )


def close_all(*, lecture: Lecture, at: datetime) -> int:
    return AttendanceInterval.objects.filter(lecture=lecture, left_at__isnull=True).update(left_at=at)


def idle_since(*, lecture: Lecture) -> datetime | None:
    """Since when nobody of ours has been connected to a live lecture; None while someone is."""
    intervals = AttendanceInterval.objects.filter(lecture=lecture)
    if intervals.filter(left_at__isnull=True).exists():
        return None
    last_left = intervals.order_by("-left_at").values_list("left_at", flat=True).first()
    return max(lecture.started_at, last_left) if last_left else lecture.started_at


def is_stale(*, lecture: Lecture, now: datetime | None = None) -> bool:
    """A live lecture nobody has been connected to for LECTURE_IDLE_MINUTES."""
    since = idle_since(lecture=lecture)
    limit = timedelta(minutes=settings.LECTURE_IDLE_MINUTES)
    return lecture.status == Lecture.Status.LIVE and since is not None and (now or timezone.now()) - since >= limit


def reconcile_attendance(*, lecture: Lecture) -> tuple[int, int]:
    """Make the open intervals match who LiveKit says is in the room; returns (opened, closed)."""
    if lecture.status != Lecture.Status.LIVE:
        return 0, close_all(lecture=lecture, at=lecture.ended_at or timezone.now())
    present = {p.identity: p for p in livekit_server.list_participants(room=lecture.livekit_room) if not p.is_service}
    now = timezone.now()
    open_identities = set(
        AttendanceInterval.objects.filter(lecture=lecture, left_at__isnull=True).values_list("identity", flat=True)
    )
    opened = 0
    for identity, participant in present.items():
        if identity not in open_identities:
            joined = datetime.fromtimestamp(participant.joined_at, tz=UTC) if participant.joined_at else now
            if record_join(lecture=lecture, identity=identity, at=joined) is not None:
                opened += 1
    closed = 0
    for identity in open_identities - present.keys():
        closed += record_leave(lecture=lecture, identity=identity, at=now)
    return opened, closed


@task()
def reconcile_live_lecture(lecture_id: int) -> None:
    """Reconcile one live lecture, then again in 30 s while it stays live."""
    lecture = Lecture.objects.filter(pk=lecture_id).first()
    if lecture is None:
        return
    try:
        reconcile_attendance(lecture=lecture)
    except LiveKitError:
        logger.warning("attendance of lecture %s not reconciled: LiveKit unreachable", lecture_id)
    else:
        # A lecture nobody has been in for a while is over (LiveKit keeps a room with an agent alive).
        from lectures.life import end_stale_lecture  # life imports this module

        end_stale_lecture(lecture=lecture)
    lecture.refresh_from_db(fields=["status"])
    if lecture.status == Lecture.Status.LIVE:
        reconcile_live_lecture.using(run_after=timezone.now() + RECONCILE_EVERY).enqueue(lecture_id)
