"""The e-mails a course sends: personal invites, reminders, cancellations, time changes (text and HTML
bodies)."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from courses.models import Reminder, RosterEntry, ScheduledLecture


@dataclass(frozen=True)
class Letter:
    subject: str
    template: str
    context: dict[str, object]


def personal_link(entry: RosterEntry) -> str:
    """The student's own invite link: joining through it fills their name and ties them to the roster."""
    return f"{settings.SITE_URL}/j/{entry.room.code}?s={entry.invite_token}"


def opt_out_link(entry: RosterEntry) -> str:
    return settings.SITE_URL + reverse("courses:opt_out", kwargs={"opt_out_token": entry.opt_out_token})


def _when(scheduled: ScheduledLecture, tz_name: str) -> str:
    local = scheduled.starts_at.astimezone(ZoneInfo(tz_name))
    return f"{local:%A %d %B %Y, %H:%M} ({tz_name})"


def invite_letter(entry: RosterEntry) -> Letter:
    return Letter(
        subject=f"Your link to {entry.room.title}",
        template="courses/email/invite",
        context={"entry": entry, "room": entry.room},
    )


def reminder_letter(reminder: Reminder, tz_name: str) -> Letter:
    scheduled = reminder.scheduled
    if reminder.kind == Reminder.Kind.CANCELLED:
        subject = f"Cancelled: {scheduled.display_title}"
    else:
        subject = f"Starts in {Reminder.Kind(reminder.kind).label.removesuffix(' before')}: {scheduled.display_title}"
    return Letter(
        subject=subject,
        template="courses/email/reminder",
        context={
            "entry": reminder.entry,
            "scheduled": scheduled,
            "cancelled": reminder.kind == Reminder.Kind.CANCELLED,
            "when": _when(scheduled, tz_name),
        },
    )


def time_change_letter(reminder: Reminder, tz_name: str, *, was: datetime) -> Letter:
    """A new start (with the old one), or only a new length."""
    scheduled = reminder.scheduled
    before = was.astimezone(ZoneInfo(tz_name))
    return Letter(
        subject=f"New time: {scheduled.display_title}",
        template="courses/email/time_change",
        context={
            "entry": reminder.entry,
            "scheduled": scheduled,
            "when": _when(scheduled, tz_name),
            "moved": was != scheduled.starts_at,
            "was": f"{before:%A %d %B %Y, %H:%M} ({tz_name})",
            "minutes": scheduled.duration_minutes,
        },
    )


def send_letter(letter: Letter, entry: RosterEntry) -> None:
    """Send through Django's e-mail backend (console in dev, SMTP or a provider in production)."""
    context = {**letter.context, "link": personal_link(entry), "opt_out": opt_out_link(entry)}
    message = EmailMultiAlternatives(
        subject=letter.subject,
        body=render_to_string(f"{letter.template}.txt", context),
        to=[entry.email],
        headers={
            "List-Unsubscribe": f"<{context['opt_out']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"{letter.template}.html", context), "text/html")
    message.send()
