"""The task worker's part of a course: personal invites, reminders at their times, cancellations and
time changes."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from courses import emails
from courses.models import CourseSettings, Reminder, RosterEntry, ScheduledLecture

logger = logging.getLogger(__name__)

REMINDER_OFFSETS = {
    Reminder.Kind.DAY: timedelta(days=1),
    Reminder.Kind.HOUR: timedelta(hours=1),
    Reminder.Kind.FIVE_MINUTES: timedelta(minutes=5),
}


def plan_reminders(*, scheduled_ids: list[int]) -> int:
    """Queue each reminder of these scheduled lectures to run at its time (only times still to come)."""
    now = timezone.now()
    planned = 0
    for scheduled in ScheduledLecture.objects.filter(pk__in=scheduled_ids):
        for kind, offset in REMINDER_OFFSETS.items():
            at = scheduled.starts_at - offset
            if at > now:
                send_reminders.using(run_after=at).enqueue(scheduled.pk, str(kind))
                planned += 1
    return planned


def plan_missed_checks(*, scheduled_ids: list[int]) -> None:
    """At the end of each of these lectures, look whether it took place (mark_missed_lectures)."""
    for scheduled in ScheduledLecture.objects.filter(pk__in=scheduled_ids):
        mark_missed_lectures.using(run_after=scheduled.ends_at).enqueue(scheduled.room_id)


@task()
def mark_missed_lectures(room_id: int) -> int:
    """Every lecture of the room still waiting although its time has passed was missed: the room never opened."""
    return (
        ScheduledLecture.objects.of_room(room_id)
        .waiting()
        .filter(ends_at__lte=timezone.now(), lecture__isnull=True)
        .update(status=ScheduledLecture.Status.MISSED)
    )


@task()
def send_invite(entry_id: int) -> None:
    """E-mail one student their personal invite link."""
    entry = RosterEntry.objects.select_related("room").filter(pk=entry_id).first()
    if entry is None or entry.email_opt_out:
        return
    emails.send_letter(emails.invite_letter(entry), entry)
    RosterEntry.objects.filter(pk=entry.pk).update(invited_at=timezone.now())


def _due(scheduled: ScheduledLecture, kind: str) -> str:
    """Why a reminder of `kind` is not to be sent now ("" when it is)."""
    if kind == Reminder.Kind.CANCELLED:
        return "" if scheduled.status == ScheduledLecture.Status.CANCELLED else "not cancelled"
    if scheduled.status != ScheduledLecture.Status.SCHEDULED:
        return f"the lecture is {scheduled.status}"
    now = timezone.now()
    if now >= scheduled.starts_at:
        return "the lecture has started"
    if now < scheduled.starts_at - REMINDER_OFFSETS[Reminder.Kind(kind)]:
        return "not due yet: the lecture was moved later"  # the task planned for the new time sends it
    # a worker that was down does not send a stale reminder once the next one is due
    later = [offset for offset in REMINDER_OFFSETS.values() if offset < REMINDER_OFFSETS[Reminder.Kind(kind)]]
    if later and now >= scheduled.starts_at - max(later):
        return "a later reminder is due already"
    return ""


@task()
def send_reminders(scheduled_id: int, kind: str) -> int:
    """E-mail one reminder (or the cancellation) to every student on the roster who has not opted out;
    each gets a delivery row: queued, then sent or failed with the reason."""
    scheduled = ScheduledLecture.objects.select_related("room").filter(pk=scheduled_id).first()
    if scheduled is None or _due(scheduled, kind):
        return 0
    settings, _ = CourseSettings.objects.get_or_create(room=scheduled.room)
    if kind != Reminder.Kind.CANCELLED and not settings.reminders:
        return 0
    return _deliver(
        scheduled, kind, sequence=0, letter=lambda reminder: emails.reminder_letter(reminder, settings.home_timezone)
    )


@task()
def send_time_change(scheduled_id: int, sequence: int, was: str) -> int:
    """E-mail the roster that a lecture still to come moved (or got longer or shorter), with its new
    time and the one it had (`was`, ISO 8601). Sent even with reminders off, like a cancellation; one
    e-mail a change (`sequence`, the lecture's SEQUENCE after it)."""
    scheduled = ScheduledLecture.objects.select_related("room").filter(pk=scheduled_id).first()
    if scheduled is None or scheduled.status != ScheduledLecture.Status.SCHEDULED:
        return 0  # cancelled since: the cancellation says so
    if timezone.now() >= scheduled.starts_at:
        return 0
    settings, _ = CourseSettings.objects.get_or_create(room=scheduled.room)
    before = datetime.fromisoformat(was)
    return _deliver(
        scheduled,
        Reminder.Kind.MOVED,
        sequence=sequence,
        letter=lambda reminder: emails.time_change_letter(reminder, settings.home_timezone, was=before),
    )


def _deliver(
    scheduled: ScheduledLecture, kind: str, *, sequence: int, letter: Callable[[Reminder], emails.Letter]
) -> int:
    """One e-mail of `kind` announcing the lecture's start to each student of the roster not opted out,
    once per (kind, start, sequence): a delivery row each, queued, then sent or failed with the reason.
    Each row is claimed before its e-mail goes: two runs of the same task send it once."""
    entries = RosterEntry.objects.filter(room=scheduled.room, email_opt_out=False)
    key = {"scheduled": scheduled, "kind": kind, "starts_at": scheduled.starts_at, "sequence": sequence}
    with transaction.atomic():
        existing = set(Reminder.objects.filter(**key).values_list("entry_id", flat=True))
        Reminder.objects.bulk_create(
            [Reminder(entry=e, **key) for e in entries if e.pk not in existing], ignore_conflicts=True
        )
    sent = 0
    queued = Reminder.objects.select_related("entry", "entry__room", "scheduled", "scheduled__room").filter(
        status=Reminder.Status.QUEUED, **key
    )
    for reminder in queued:
        if reminder.entry.email_opt_out:
            Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.FAILED, reason="opted out")
            continue
        mine = Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.QUEUED)
        if not mine.update(status=Reminder.Status.SENT, sent_at=timezone.now()):
            continue  # another run of this task took it
        try:
            emails.send_letter(letter(reminder), reminder.entry)
        except Exception as exc:  # any backend failure is recorded, the others still go out
            logger.warning("reminder %s to %s failed: %s", reminder.pk, reminder.entry.email, exc)
            Reminder.objects.filter(pk=reminder.pk).update(
                status=Reminder.Status.FAILED, reason=str(exc)[:500], sent_at=None
            )
            continue
        sent += 1
    return sent


@task()
def close_timed_poll(poll_id: int) -> bool:
    """At a timed poll's closing time: close it and tell the room (courses.interaction.close_at_its_time)."""
    from courses.interaction import close_at_its_time

    return close_at_its_time(poll_id=poll_id) is not None
