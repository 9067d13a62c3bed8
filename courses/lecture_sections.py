"""What a course adds to the lecture page and its exports (through lectures.extensions): the polls
with their results, the reaction and pulse timeline aligned with the transcript, and, for the
hosts, each student's engagement. Pulses stay nameless here too: they count on the timeline only.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Any

from django.db.models import Count, F, Sum
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from chat.models import ChatMessage
from courses.models import Poll, PollVote, Reaction
from lectures.extensions import LectureSection
from lectures.models import AttendanceInterval
from lectures.selectors import LectureDocument, anchor_at, clock, duration_text
from moderation.models import HandRaise
from transcripts.models import TranscriptSegment

PULSES = (Reaction.Kind.LOST, Reaction.Kind.SLOW_DOWN)
CHART_HEIGHT = 60


@dataclass(frozen=True)
class OptionResult:
    text: str
    count: int
    percent: int


@dataclass(frozen=True)
class PollResult:
    question: str
    at: str
    anchor: str
    multiple: bool
    anonymous: bool
    answered: int
    options: list[OptionResult] | None  # None: the host did not show the results to students


@dataclass(frozen=True)
class Minute:
    index: int
    reactions: int
    lost: int
    slow_down: int
    anchor: str

    @property
    def at(self) -> str:
        return clock(self.index * 60)

    @property
    def pulses(self) -> int:
        return self.lost + self.slow_down


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    kind: str


@dataclass(frozen=True)
class Engagement:
    name: str
    seconds_present: int
    messages: int
    hands: int
    poll_answers: int
    reactions: int
    speaking_seconds: int

    @property
    def present_text(self) -> str:
        return duration_text(self.seconds_present)

    @property
    def speaking_text(self) -> str:
        return duration_text(self.speaking_seconds) if self.speaking_seconds else "—"


def _seconds_in(document: LectureDocument, moment: datetime) -> float:
    return max((moment - document.lecture.started_at).total_seconds(), 0)


def poll_results(*, document: LectureDocument) -> list[PollResult]:
    polls = list(Poll.objects.filter(lecture=document.lecture))
    counts: dict[int, Counter[int]] = {poll.pk: Counter() for poll in polls}
    answered: Counter[int] = Counter()
    for poll_id, choices in PollVote.objects.filter(poll__lecture=document.lecture).values_list("poll_id", "choices"):
        answered[poll_id] += 1
        counts[poll_id].update(choices)
    results = []
    for poll in polls:
        start = _seconds_in(document, poll.created_at)
        options = None
        if document.viewer.manages or poll.results_shown:
            total = answered[poll.pk]
            options = [
                OptionResult(
                    text=text, count=counts[poll.pk][i], percent=round(100 * counts[poll.pk][i] / total) if total else 0
                )
                for i, text in enumerate(poll.options)
            ]
        results.append(
            PollResult(
                question=poll.question,
                at=clock(start),
                anchor=anchor_at(segments=document.segments, start=start),
                multiple=poll.multiple,
                anonymous=poll.anonymous,
                answered=answered[poll.pk],
                options=options,
            )
        )
    return results


def timeline(*, document: LectureDocument) -> list[Minute]:
    """Every minute of the lecture with its reactions and pulses (no names: only kinds and times)."""
    minutes = max(ceil(document.duration_seconds / 60), 1)
    reactions: Counter[int] = Counter()
    pulses: dict[str, Counter[int]] = {Reaction.Kind.LOST: Counter(), Reaction.Kind.SLOW_DOWN: Counter()}
    for kind, created_at in Reaction.objects.filter(lecture=document.lecture).values_list("kind", "created_at"):
        index = min(int(_seconds_in(document, created_at) // 60), minutes - 1)
        if kind in pulses:
            pulses[kind][index] += 1
        else:
            reactions[index] += 1
    return [
        Minute(
            index=i,
            reactions=reactions[i],
            lost=pulses[Reaction.Kind.LOST][i],
            slow_down=pulses[Reaction.Kind.SLOW_DOWN][i],
            anchor=anchor_at(segments=document.segments, start=i * 60),
        )
        for i in range(minutes)
    ]


def spikes(minutes: list[Minute]) -> list[Minute]:
    """Minutes where the room was lost: at least two pulses and at least half of the busiest minute."""
    busiest = max((m.pulses for m in minutes), default=0)
    return [m for m in minutes if m.pulses >= 2 and 2 * m.pulses >= busiest]


def _bars(minutes: list[Minute]) -> tuple[list[Bar], int]:
    """An SVG chart (attributes, no inline style: the CSP forbids it): reactions up, pulses in red."""
    tallest = max((max(m.reactions, m.pulses) for m in minutes), default=0) or 1
    bars = []
    for m in minutes:
        for offset, kind, value in ((0, "reactions", m.reactions), (1, "pulses", m.pulses)):
            if value:
                height = max(round(CHART_HEIGHT * value / tallest), 2)
                bars.append(Bar(x=m.index * 3 + offset, y=CHART_HEIGHT - height, height=height, kind=kind))
    return bars, len(minutes) * 3


def engagement(*, document: LectureDocument) -> list[Engagement]:
    """Each student of the attendance with what they did; reactions exclude the nameless pulses."""
    lecture = document.lecture
    students = document.attendance or []
    key_of_identity: dict[str, str] = {}
    for guest_id, identity in AttendanceInterval.objects.filter(lecture=lecture, role="guest").values_list(
        "guest_id", "identity"
    ):
        key_of_identity[identity] = f"g{guest_id}" if guest_id else f"i{identity}"

    def by_identity(rows: Iterable[tuple[str, Any]]) -> Counter[str]:
        found: Counter[str] = Counter()
        for identity, value in rows:
            key = key_of_identity.get(identity)
            if key:
                found[key] += value or 0
        return found

    messages = by_identity(
        ChatMessage.objects.filter(lecture=lecture, sender_role="guest")
        .values("sender_identity")
        .annotate(n=Count("pk"))
        .values_list("sender_identity", "n")
    )
    reactions = by_identity(
        Reaction.objects.filter(lecture=lecture)
        .exclude(kind__in=PULSES)
        .values("identity")
        .annotate(n=Count("pk"))
        .values_list("identity", "n")
    )
    speaking = by_identity(
        TranscriptSegment.objects.filter(lecture=lecture)
        .values("speaker_identity")
        .annotate(seconds=Sum(F("end") - F("start")))
        .values_list("speaker_identity", "seconds")
    )
    hands = Counter(
        {
            f"g{guest_id}": n
            for guest_id, n in HandRaise.objects.filter(lecture=lecture)
            .values("guest_id")
            .annotate(n=Count("pk"))
            .values_list("guest_id", "n")
        }
    )
    answers = Counter(
        {
            f"g{guest_id}": n
            for guest_id, n in PollVote.objects.filter(poll__lecture=lecture, guest__isnull=False)
            .values("guest_id")
            .annotate(n=Count("pk"))
            .values_list("guest_id", "n")
        }
    )
    return [
        Engagement(
            name=row.name,
            seconds_present=row.total_seconds,
            messages=messages[row.key],
            hands=hands[row.key],
            poll_answers=answers[row.key],
            reactions=reactions[row.key],
            speaking_seconds=int(speaking[row.key]),
        )
        for row in students
    ]


def _render(name: str, context: dict[str, object]) -> SafeString:
    return mark_safe(render_to_string(f"courses/lecture/{name}.html", context))  # noqa: S308 - Django templates escape


def course_sections(document: LectureDocument) -> list[LectureSection]:
    """The course's sections of one lecture page, as this viewer may see them."""
    sections = []
    polls = poll_results(document=document)
    if polls:
        table: list[list[object]] = [["poll", "asked_at", "option", "answers"]]
        for poll in polls:
            for option in poll.options or []:
                table.append([poll.question, poll.at, option.text, option.count])
        sections.append(
            LectureSection(key="polls", title="Polls", html=_render("polls", {"polls": polls}), table=table)
        )
    minutes = timeline(document=document)
    if any(m.reactions or m.pulses for m in minutes):
        bars, width = _bars(minutes)
        active = [m for m in minutes if m.reactions or m.pulses]
        context = {"minutes": active, "spikes": spikes(minutes), "bars": bars, "width": width, "height": CHART_HEIGHT}
        table = [["minute", "reactions", "lost", "slow_down"]]
        table += [[m.at, m.reactions, m.lost, m.slow_down] for m in active]
        sections.append(
            LectureSection(
                key="reactions",
                title="Reactions and pulses",
                html=_render("timeline", context),
                pdf_html=_render("timeline", {**context, "pdf": True}),
                table=table,
            )
        )
    if document.viewer.manages and document.attendance:
        rows = engagement(document=document)
        table = [["name", "minutes_present", "messages", "hands", "poll_answers", "reactions", "speaking_minutes"]]
        table += [
            [
                r.name,
                f"{r.seconds_present / 60:.1f}",
                r.messages,
                r.hands,
                r.poll_answers,
                r.reactions,
                f"{r.speaking_seconds / 60:.1f}",
            ]
            for r in rows
        ]
        sections.append(
            LectureSection(
                key="engagement", title="Engagement", html=_render("engagement", {"rows": rows}), table=table
            )
        )
    return sections
