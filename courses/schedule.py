"""Recurrence in the room's home time zone: a weekly 9:00 lecture stays at 9:00 across DST changes."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.exceptions import LecternError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_OCCURRENCES = 200


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`, or a clear 400."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise LecternError(f"Unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin'.") from None


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """`clock` on `day` in `tz`, in UTC (a time the spring-forward jump skips lands an hour later, PEP 495)."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def occurrences(
    *,
    starts_at: datetime,
    duration: timedelta,
    tz: ZoneInfo,
    weekdays: list[str] | None = None,
    until: date | None = None,
    skip: frozenset[date] = frozenset(),
) -> list[Occurrence]:
    """Every occurrence: `starts_at` itself, then each listed weekday up to `until` at the same local time."""
    local_start = starts_at.astimezone(tz)
    if weekdays is None or until is None:
        first = starts_at.astimezone(UTC)
        return [Occurrence(first, first + duration)]
    if until < local_start.date():
        raise LecternError("repeat.until is before the first lecture.")
    if not weekdays:
        raise LecternError("repeat.weekdays: name at least one day (mon … sun).")
    days = {WEEKDAYS.index(d) for d in weekdays}
    clock = local_start.time().replace(tzinfo=None)
    found: list[Occurrence] = []
    day = local_start.date()
    while day <= until:
        if (day == local_start.date() or day.weekday() in days) and day not in skip:
            begin = _at(day, clock, tz)
            found.append(Occurrence(begin, begin + duration))
            if len(found) > MAX_OCCURRENCES:
                raise LecternError(f"That repeat makes more than {MAX_OCCURRENCES} lectures: choose an earlier end.")
        day += timedelta(days=1)
    return found
