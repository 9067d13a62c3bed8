"""The reads behind the lecture page, its exports and the API: transcript, search, chat, files, attendance."""

import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pydantic import ValidationError

from chat.models import ChatMessage
from chat.selectors import FileRow, shared_files
from lectures.access import LectureViewer
from lectures.extensions import LectureSection, build_sections
from lectures.models import AttendanceInterval
from rooms.models import Lecture, Room
from summaries.schema import Summary
from transcripts.models import TranscriptSegment

SEARCH_CONFIG = "english"  # the configuration of the GIN index segment_text_search
SEARCH_LIMIT = 100
# ts_headline marks matches with these private-use characters; the text is escaped before they
# become <mark> tags, so a transcript can never inject markup through a highlight.
_MARK_START = "\ue000"
_MARK_STOP = "\ue001"


def clock(seconds: float) -> str:
    """Seconds from the lecture's start as H:MM:SS (or M:SS under an hour)."""
    total = max(int(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration_text(seconds: float) -> str:
    """A human duration: '1 h 25 min', '12 min', '40 s'."""
    total = max(round(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


@dataclass(frozen=True)
class SegmentRow:
    pk: int
    speaker: str
    start: float
    end: float
    text: str

    @property
    def anchor(self) -> str:
        return f"t-{self.pk}"

    @property
    def at(self) -> str:
        return clock(self.start)


@dataclass(frozen=True)
class SearchHit:
    segment: SegmentRow
    rank: float
    highlighted: SafeString


@dataclass(frozen=True)
class TranscriptLine:
    """A segment as the page shows it: highlighted when it matches the search (see templatetags)."""

    segment: SegmentRow
    highlighted: SafeString | None = None


@dataclass(frozen=True)
class ChatRow:
    id: int
    sender: str
    role: str
    private: bool
    text: str
    at: str


@dataclass
class AttendeeRow:
    """One student's presence in a lecture: every join/leave, the time present and lateness."""

    name: str
    intervals: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    key: str = ""  # "g<guest id>", or "i<identity>" for a presence no guest session is known for
    total_seconds: int = 0
    first_joined: datetime | None = None
    late_seconds: int = 0

    @property
    def late(self) -> bool:
        return self.late_seconds > 0

    @property
    def total_text(self) -> str:
        return duration_text(self.total_seconds)

    @property
    def late_text(self) -> str:
        return duration_text(self.late_seconds) if self.late_seconds else ""


@dataclass(frozen=True)
class Moment:
    """One point of the summary, linked to the transcript segment being spoken at that moment."""

    text: str
    start: float
    anchor: str
    detail: str = ""
    asked_by: str = ""
    answered: bool = True
    answer_anchor: str = ""

    @property
    def at(self) -> str:
        return clock(self.start)


@dataclass(frozen=True)
class SummaryView:
    """The stored summary, validated against summary_schema.Summary, ready to render."""

    overview: str
    topics: list[Moment]
    key_terms: list[Moment]
    action_items: list[Moment]
    questions: list[Moment]
    provider: str
    note: str
    generated_at: str

    @property
    def unanswered_count(self) -> int:
        return sum(1 for q in self.questions if not q.answered)


@dataclass
class LectureDocument:
    """Everything the page and the exports show of one lecture, for one viewer."""

    lecture: Lecture
    viewer: LectureViewer
    segments: list[SegmentRow]
    chat: list[ChatRow]
    files: list[FileRow]
    attendance: list[AttendeeRow] | None
    summary: SummaryView | None
    sections: list[LectureSection] = field(default_factory=list)  # from apps above (extensions.py)

    @property
    def duration_seconds(self) -> float:
        end = self.lecture.ended_at or timezone.now()
        return max((end - self.lecture.started_at).total_seconds(), 0)

    @property
    def duration(self) -> str:
        return duration_text(self.duration_seconds)


@dataclass(frozen=True)
class PastLecture:
    lecture: Lecture
    duration: str


def lectures_of_host(*, user_id: int, room: Room | None = None) -> list[PastLecture]:
    """The lectures of the rooms a host owns (one room when given), newest first, with their durations."""
    lectures: QuerySet[Lecture] = Lecture.objects.filter(room__host_id=user_id).select_related("room")
    if room is not None:
        lectures = lectures.filter(room=room)
    return [
        PastLecture(
            lecture=lecture,
            duration=duration_text((lecture.ended_at - lecture.started_at).total_seconds()) if lecture.ended_at else "",
        )
        for lecture in lectures.order_by("-started_at", "-pk")
    ]


def transcript(*, lecture: Lecture) -> list[SegmentRow]:
    rows = (
        TranscriptSegment.objects.filter(lecture=lecture)
        .order_by("start", "pk")
        .values_list("pk", "speaker_name", "start", "end", "text")
    )
    return [
        SegmentRow(pk=pk, speaker=speaker, start=start, end=end, text=text) for pk, speaker, start, end, text in rows
    ]


def _highlight(headline: str) -> SafeString:
    text = escape(headline)
    return mark_safe(text.replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>"))  # noqa: S308 - escaped above


def _search(lecture: Lecture, query: str) -> tuple[QuerySet[TranscriptSegment], SearchQuery, SearchVector]:
    ts_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    vector = SearchVector("text", config=SEARCH_CONFIG)
    matches = TranscriptSegment.objects.filter(lecture=lecture).annotate(document=vector).filter(document=ts_query)
    return matches, ts_query, vector


def search_segments(*, lecture: Lecture, query: str, limit: int = SEARCH_LIMIT) -> list[SegmentRow]:
    """Segments matching a web-style query (words, "phrases", -not), best first.

    The match is on the same to_tsvector('english', text) expression as the GIN index, so the index serves it.
    """
    query = query.strip()
    if not query:
        return []
    matches, ts_query, vector = _search(lecture, query)
    rows = (
        matches.annotate(rank=SearchRank(vector, ts_query))
        .order_by("-rank", "start", "pk")
        .values_list("pk", "speaker_name", "start", "end", "text")[:limit]
    )
    return [
        SegmentRow(pk=pk, speaker=speaker, start=start, end=end, text=text) for pk, speaker, start, end, text in rows
    ]


def search_transcript(*, lecture: Lecture, query: str, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Like search_segments, with each match highlighted (<mark>) in escaped text, for the page."""
    query = query.strip()
    if not query:
        return []
    matches, ts_query, vector = _search(lecture, query)
    rows = (
        matches.annotate(
            rank=SearchRank(vector, ts_query),
            headline=SearchHeadline(
                "text",
                ts_query,
                config=SEARCH_CONFIG,
                start_sel=_MARK_START,
                stop_sel=_MARK_STOP,
                highlight_all=True,
            ),
        )
        .order_by("-rank", "start", "pk")
        .values_list("pk", "speaker_name", "start", "end", "text", "rank", "headline")[:limit]
    )
    return [
        SearchHit(
            segment=SegmentRow(pk=pk, speaker=speaker, start=start, end=end, text=text),
            rank=rank,
            highlighted=_highlight(headline),
        )
        for pk, speaker, start, end, text, rank, headline in rows
    ]


def transcript_lines(*, segments: list[SegmentRow], hits: list[SearchHit]) -> list[TranscriptLine]:
    """The full transcript with the search's matches highlighted in place."""
    highlighted = {hit.segment.pk: hit.highlighted for hit in hits}
    return [TranscriptLine(segment=s, highlighted=highlighted.get(s.pk)) for s in segments]


def chat_history(*, lecture: Lecture, viewer: LectureViewer) -> list[ChatRow]:
    """The chat as this viewer may read it: private messages to the hosts only for hosts, admins and their sender."""
    messages = ChatMessage.objects.filter(lecture=lecture).order_by("created_at", "pk")
    if not viewer.manages:
        public = messages.filter(audience=ChatMessage.Audience.EVERYONE)
        own = messages.filter(sender_identity__in=viewer.identities) if viewer.identities else messages.none()
        messages = (public | own).order_by("created_at", "pk")
    start = lecture.started_at
    return [
        ChatRow(
            id=pk,
            sender=name,
            role=role,
            private=audience == ChatMessage.Audience.HOSTS,
            text=text,
            at=clock((created_at - start).total_seconds()),
        )
        for pk, name, role, audience, text, created_at in messages.values_list(
            "pk", "sender_name", "sender_role", "audience", "text", "created_at"
        )
    ]


def _union_seconds(spans: list[tuple[datetime, datetime]]) -> int:
    """Time covered by possibly overlapping spans (one student on two devices counts once)."""
    total = timedelta()
    current_start: datetime | None = None
    current_end: datetime | None = None
    for start, end in sorted(spans):
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_start is not None and current_end is not None:
        total += current_end - current_start
    return int(total.total_seconds())


def attendance(*, lecture: Lecture) -> list[AttendeeRow]:
    """Each student's join/leave intervals, total time present and lateness against the lecture's start."""
    lecture_end = lecture.ended_at or timezone.now()
    late_after = timedelta(minutes=settings.LECTURE_LATE_AFTER_MINUTES)
    students: dict[str, AttendeeRow] = {}
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    intervals = (
        AttendanceInterval.objects.filter(lecture=lecture, role="guest")
        .order_by("joined_at", "pk")
        .values_list("guest_id", "identity", "display_name", "joined_at", "left_at")
    )
    for guest_id, identity, name, joined_at, left_at in intervals:
        key = f"g{guest_id}" if guest_id else f"i{identity}"
        row = students.get(key)
        if row is None:
            row = students[key] = AttendeeRow(name=name, first_joined=joined_at, key=key)
            spans[key] = []
        row.name = name or row.name
        row.intervals.append((joined_at, left_at))
        end = min(left_at or lecture_end, lecture_end)
        if end > joined_at:
            spans[key].append((max(joined_at, lecture.started_at), end))
    for key, row in students.items():
        row.total_seconds = _union_seconds(spans[key])
        if row.first_joined is not None and row.first_joined - lecture.started_at > late_after:
            row.late_seconds = int((row.first_joined - lecture.started_at).total_seconds())
    return sorted(students.values(), key=lambda r: (r.name.casefold(), r.first_joined or lecture.started_at))


def parse_summary(*, lecture: Lecture) -> Summary | None:
    """The stored summary if it has the documented shape; None when missing or malformed."""
    if not lecture.summary:
        return None
    try:
        return Summary.model_validate(lecture.summary)
    except ValidationError:
        return None


def anchor_at(*, segments: list[SegmentRow], start: float | None) -> str:
    """The page anchor of the transcript segment being spoken `start` seconds into the lecture."""
    if start is None or not segments:
        return "transcript"
    starts = [s.start for s in segments]
    index = max(bisect.bisect_right(starts, start + 0.5) - 1, 0)
    return segments[index].anchor


def summary_view(*, summary: Summary, segments: list[SegmentRow]) -> SummaryView:
    """Each point of the summary with the anchor of the transcript segment spoken at its moment."""

    def anchor(start: float | None) -> str:
        return anchor_at(segments=segments, start=start)

    return SummaryView(
        overview=summary.overview,
        topics=[Moment(text=p.text, start=p.start, anchor=anchor(p.start)) for p in summary.topics],
        key_terms=[
            Moment(text=k.term, start=k.start, anchor=anchor(k.start), detail=k.definition) for k in summary.key_terms
        ],
        action_items=[
            Moment(text=a.text, start=a.start, anchor=anchor(a.start), detail=a.deadline) for a in summary.action_items
        ],
        questions=[
            Moment(
                text=q.text,
                start=q.start,
                anchor=anchor(q.start),
                asked_by=q.asked_by,
                answered=q.answered,
                answer_anchor=anchor(q.answer_start) if q.answer_start is not None else "",
            )
            for q in summary.questions
        ],
        provider=summary.provider,
        note=summary.note,
        generated_at=summary.generated_at,
    )


def lecture_document(*, lecture: Lecture, viewer: LectureViewer) -> LectureDocument:
    """All of a lecture a viewer may see, ready for the page, the PDF and Drive."""
    segments = transcript(lecture=lecture)
    summary = parse_summary(lecture=lecture)
    document = LectureDocument(
        lecture=lecture,
        viewer=viewer,
        segments=segments,
        chat=chat_history(lecture=lecture, viewer=viewer),
        files=shared_files(lecture=lecture),
        attendance=attendance(lecture=lecture) if viewer.manages else None,
        summary=summary_view(summary=summary, segments=segments) if summary else None,
    )
    document.sections = build_sections(document=document)
    return document
