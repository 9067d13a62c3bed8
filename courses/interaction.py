"""In-room interaction: polls (ask, vote, show results, close) and reactions with pulses.

The voter and the sender are always the session (participants.access), never the payload.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.exceptions import Conflict, LecternError, NotAllowed, NotFound, RateLimited, RoomNotLive
from core.ratelimit import take_hit
from courses import broadcasts
from courses.models import Poll, PollVote, Reaction
from courses.tasks import close_timed_poll
from participants.access import Actor
from participants.models import GuestSession
from rooms.models import Lecture, Room

REACTIONS_PER_WINDOW = 10
REACTION_WINDOW = timedelta(seconds=10)
PULSE_EVERY = timedelta(seconds=30)  # one "I'm lost" per student per half minute
GAUGE_WINDOW = timedelta(minutes=1)
VOTES_PER_WINDOW = 5  # per student and poll: changing one's mind is fine, a flood of pushes is not
VOTE_WINDOW = timedelta(seconds=10)


@dataclass(frozen=True)
class Results:
    poll: Poll
    counts: list[int]
    votes: int
    ballots: list[dict[str, Any]] | None  # named polls, for the hosts


def _live_lecture(room: Room) -> Lecture:
    lecture = room.current_lecture()
    if lecture is None:
        raise RoomNotLive("The room is not live: polls and reactions happen during a lecture.")
    return lecture


def _voter_key(poll: Poll, guest: GuestSession) -> str:
    """The same for one student's every vote on one poll, and says nothing of who they are."""
    message = f"poll-vote:{poll.pk}:{guest.session_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def get_poll(*, room: Room, poll_id: int) -> Poll:
    poll = Poll.objects.select_related("lecture").filter(pk=poll_id, lecture__room=room).first()
    if poll is None:
        raise NotFound("No poll with this id in this room.")
    return poll


def results(*, poll: Poll) -> Results:
    counts = [0] * len(poll.options)
    votes = list(PollVote.objects.filter(poll=poll).order_by("pk").values_list("choices", "guest__display_name"))
    for choices, _ in votes:
        for index in choices:
            counts[index] += 1
    ballots = None
    if not poll.anonymous:
        ballots = [{"name": name or "", "choices": choices} for choices, name in votes]
    return Results(poll=poll, counts=counts, votes=len(votes), ballots=ballots)


def poll_payload(result: Results, *, for_hosts: bool) -> dict[str, Any]:
    poll = result.poll
    body: dict[str, Any] = {
        "id": poll.pk,
        "question": poll.question,
        "options": poll.options,
        "multiple": poll.multiple,
        "anonymous": poll.anonymous,
        "closed": poll.is_closed(timezone.now()),
        "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
        "results_shown": poll.results_shown,
    }
    if for_hosts or poll.results_shown:
        body["counts"] = result.counts
        body["votes"] = result.votes
    if for_hosts and result.ballots is not None:
        body["ballots"] = result.ballots
    return body


def _push(poll: Poll, event: str, *, to_students: bool = True) -> None:
    result = results(poll=poll)
    hosts = {"type": event, "poll": poll_payload(result, for_hosts=True)}
    students = {"type": event, "poll": poll_payload(result, for_hosts=False)} if to_students else None
    lecture_pk, room_pk = poll.lecture_id, poll.lecture.room_id
    transaction.on_commit(
        lambda: broadcasts.notify_poll(lecture_pk=lecture_pk, room_pk=room_pk, to_students=students, to_hosts=hosts)
    )


@transaction.atomic
def ask_poll(
    *,
    room: Room,
    by: Actor,
    question: str,
    options: list[str],
    multiple: bool,
    anonymous: bool,
    duration_seconds: int | None,
) -> Poll:
    """The host (or a co-host) asks the live lecture a question."""
    lecture = _live_lecture(room)
    if len({o.casefold() for o in options}) != len(options):
        raise LecternError("options: each option must be different.")
    poll = Poll.objects.create(
        lecture=lecture,
        question=question,
        options=options,
        multiple=multiple,
        anonymous=anonymous,
        closes_at=timezone.now() + timedelta(seconds=duration_seconds) if duration_seconds else None,
        created_by=by.label,
    )
    poll.lecture = lecture
    _push(poll, "poll.opened")
    if poll.closes_at is not None:
        poll_id, at = poll.pk, poll.closes_at
        transaction.on_commit(lambda: close_timed_poll.using(run_after=at).enqueue(poll_id))
    return poll


@transaction.atomic
def vote(*, room: Room, guest: GuestSession, poll: Poll, choices: list[int]) -> PollVote:
    """A student's answer (again: it replaces the earlier one) while the poll is open."""
    poll = Poll.objects.select_for_update().select_related("lecture").get(pk=poll.pk)
    if poll.lecture.status != Lecture.Status.LIVE or poll.is_closed(timezone.now()):
        raise Conflict("This poll is closed.")
    if not choices or len(set(choices)) != len(choices):
        raise LecternError("choices: pick each option at most once, and at least one.")
    if not poll.multiple and len(choices) != 1:
        raise LecternError("choices: this poll takes one answer.")
    if any(not 0 <= c < len(poll.options) for c in choices):
        raise LecternError(f"choices: options are numbered 0 to {len(poll.options) - 1}.")
    wait = take_hit(key=f"vote:{poll.pk}:{guest.pk}", limit=VOTES_PER_WINDOW, window=VOTE_WINDOW)
    if wait:
        raise RateLimited("Slow down a little: too many votes on this poll.", retry_after=wait)
    ballot, _ = PollVote.objects.update_or_create(
        poll=poll,
        voter_key=_voter_key(poll, guest),
        defaults={"choices": sorted(choices), "guest": None if poll.anonymous else guest},
    )
    # students learn nothing new from a vote while the results are hidden: only the hosts are told
    # (with 300 students voting, that spares 90 000 pushes)
    _push(poll, "poll.results", to_students=poll.results_shown)
    return ballot


@transaction.atomic
def close_poll(*, poll: Poll) -> Poll:
    poll = Poll.objects.select_for_update().select_related("lecture").get(pk=poll.pk)
    if poll.closed_at is None:
        poll.closed_at = timezone.now()
        poll.save(update_fields=["closed_at"])
    _push(poll, "poll.closed")
    return poll


@transaction.atomic
def close_at_its_time(*, poll_id: int) -> Poll | None:
    """A timed poll's timer ran out: it is closed as of then, and everyone is told (the pages count
    down on their own clocks; this is the server's word). None when it was closed before."""
    poll = Poll.objects.select_for_update().select_related("lecture").filter(pk=poll_id).first()
    if poll is None or poll.closed_at is not None or poll.closes_at is None or timezone.now() < poll.closes_at:
        return None
    poll.closed_at = poll.closes_at
    poll.save(update_fields=["closed_at"])
    _push(poll, "poll.closed")
    return poll


@transaction.atomic
def show_results(*, poll: Poll, shown: bool) -> Poll:
    poll = Poll.objects.select_for_update().select_related("lecture").get(pk=poll.pk)
    poll.results_shown = shown
    poll.save(update_fields=["results_shown"])
    _push(poll, "poll.results")
    return poll


def my_choices(*, poll: Poll, guest: GuestSession | None) -> list[int] | None:
    if guest is None:
        return None
    found = PollVote.objects.filter(poll=poll, voter_key=_voter_key(poll, guest)).first()
    return found.choices if found else None


def _gauge(lecture: Lecture) -> dict[str, int]:
    since = timezone.now() - GAUGE_WINDOW
    recent = Reaction.objects.filter(lecture=lecture, created_at__gt=since)
    return {
        "lost": recent.filter(kind=Reaction.Kind.LOST).values("identity").distinct().count(),
        "slow_down": recent.filter(kind=Reaction.Kind.SLOW_DOWN).values("identity").distinct().count(),
    }


@transaction.atomic
def react(*, room: Room, by: Actor, kind: str) -> Reaction:
    """A reaction (everyone sees a burst) or a pulse (the hosts' gauge moves); rate-limited per sender."""
    lecture = _live_lecture(room)
    if by.guest is None and not by.is_moderator:
        raise NotAllowed("Only the lecture's participants react.")
    pulse = kind in (Reaction.Kind.LOST, Reaction.Kind.SLOW_DOWN)
    key = f"reaction:{lecture.pk}:{by.identity}" + (f":{kind}" if pulse else "")
    limit, window = (1, PULSE_EVERY) if pulse else (REACTIONS_PER_WINDOW, REACTION_WINDOW)
    wait = take_hit(key=key, limit=limit, window=window)
    if wait:
        raise RateLimited("Slow down a little: too many reactions.", retry_after=wait)
    reaction = Reaction.objects.create(lecture=lecture, kind=kind, identity=by.identity)
    if pulse:
        gauge = _gauge(lecture)
        room_pk = room.pk
        transaction.on_commit(lambda: broadcasts.notify_pulse(room_pk=room_pk, gauge=gauge))
    else:
        lecture_pk = lecture.pk
        transaction.on_commit(lambda: broadcasts.notify_reaction(lecture_pk=lecture_pk, kind=kind))
    return reaction
