"""A lecture as files: PDF (weasyprint), transcript as WebVTT and plain text, attendance as CSV.

Every user-typed string (names, chat, titles, transcript text) is escaped for its format: HTML
escaping in the PDF's template, WebVTT's entity escaping in cues, and formula neutralisation in CSV.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from lectures.selectors import AttendeeRow, LectureDocument, SegmentRow

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SEGMENTS_PER_PARAGRAPH = 5


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", _CONTROL.sub("", text or "")).strip()


def vtt_timestamp(seconds: float) -> str:
    """hh:mm:ss.ttt as WebVTT wants it."""
    millis = max(round(seconds * 1000), 0)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _vtt_escape(text: str) -> str:
    """Cue text: &, < and > as entities, so no tag (and no '-->') can come from a transcript or a name."""
    return _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def transcript_vtt(*, segments: Iterable[SegmentRow]) -> str:
    """The transcript as a WebVTT file, one cue per segment, the speaker as a voice span."""
    lines = ["WEBVTT", ""]
    for number, segment in enumerate(segments, start=1):
        end = max(segment.end, segment.start + 0.001)
        lines.append(str(number))
        lines.append(f"{vtt_timestamp(segment.start)} --> {vtt_timestamp(end)}")
        speaker = _vtt_escape(segment.speaker)
        text = _vtt_escape(segment.text) or "…"
        lines.append(f"<v {speaker}>{text}" if speaker else text)
        lines.append("")
    return "\n".join(lines)


def transcript_text(*, document: LectureDocument) -> str:
    """The transcript as plain text: a heading, then '[m:ss] Speaker: words' per segment."""
    lecture = document.lecture
    started = timezone.localtime(lecture.started_at)
    lines = [
        _one_line(lecture.title),
        f"{started:%Y-%m-%d %H:%M} · {document.duration}",
        "",
    ]
    for segment in document.segments:
        lines.append(f"[{segment.at}] {_one_line(segment.speaker)}: {_one_line(segment.text)}")
    return "\n".join(lines) + "\n"


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe."""
    text = _one_line(str(value)) if value is not None else ""
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def attendance_csv(*, document: LectureDocument, attendees: list[AttendeeRow]) -> str:
    """One row per student: name, first join, last leave, minutes present, late by, every interval."""
    lecture = document.lecture
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["name", "first_joined", "last_left", "minutes_present", "late", "late_by_minutes", "intervals"])

    def stamp(moment: object) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""  # type: ignore[arg-type]

    for row in attendees:
        lefts = [left for _, left in row.intervals]
        last_left = "" if any(left is None for left in lefts) else stamp(max(lefts))  # type: ignore[type-var]
        intervals = "; ".join(
            f"{stamp(joined)} - {stamp(left) if left else (stamp(lecture.ended_at) or 'still present')}"
            for joined, left in row.intervals
        )
        writer.writerow(
            [
                _cell(row.name),
                _cell(stamp(row.first_joined)),
                _cell(last_left),
                _cell(f"{row.total_seconds / 60:.1f}"),
                "yes" if row.late else "no",
                _cell(f"{row.late_seconds / 60:.1f}" if row.late else "0"),
                _cell(intervals),
            ]
        )
    return buffer.getvalue()


def sections_csv(*, document: LectureDocument) -> str:
    """The tables of the sections other apps add (polls, reactions, engagement), one after another."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    first = True
    for section in document.sections:
        if not section.table:
            continue
        if not first:
            writer.writerow([])
        first = False
        writer.writerow([_cell(section.title)])
        for row in section.table:
            writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


@dataclass(frozen=True)
class PdfParagraph:
    """Up to a few consecutive segments of one speaker; `speaker` is empty when their turn goes on."""

    speaker: str
    parts: list[tuple[str, str]]


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def pdf_transcript(*, segments: list[SegmentRow]) -> list[list[PdfParagraph]]:
    """The transcript as speaker turns, a few segments per paragraph, in small groups.

    WeasyPrint's time grows with the number of boxes and with the number of siblings under one
    parent, so a 2 000-segment transcript is set as ~400 paragraphs in groups of 20.
    """
    paragraphs: list[PdfParagraph] = []
    previous = None
    for segment in segments:
        same_turn = segment.speaker == previous
        if same_turn and paragraphs and len(paragraphs[-1].parts) < _SEGMENTS_PER_PARAGRAPH:
            paragraphs[-1].parts.append((segment.at, segment.text))
        else:
            paragraphs.append(
                PdfParagraph(speaker="" if same_turn else segment.speaker, parts=[(segment.at, segment.text)])
            )
        previous = segment.speaker
    return _chunks(paragraphs, 20)


def lecture_pdf_html(*, document: LectureDocument) -> str:
    """The HTML the PDF is typeset from: the viewer's own view of the lecture."""
    return render_to_string(
        "lectures/lecture_pdf.html",
        {
            "doc": document,
            "lecture": document.lecture,
            "transcript_chunks": pdf_transcript(segments=document.segments),
            "chat_chunks": _chunks(document.chat, 40),
            "attendance_chunks": _chunks(document.attendance, 40) if document.attendance else [],
        },
    )


def render_pdf(*, html: str) -> bytes:
    """Typeset HTML with WeasyPrint; only inline data: URLs may load, nothing from the network or disk."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return bytes(HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf())


def lecture_pdf(*, document: LectureDocument) -> bytes:
    """The lecture as a typeset PDF: summary, transcript, chat, files and, for hosts, attendance."""
    return render_pdf(html=lecture_pdf_html(document=document))


def export_filename(*, document: LectureDocument, extension: str) -> str:
    """'CS 101 2026-11-24.pdf': the title, sanitised, and the lecture's date."""
    from core.storage import sanitize_filename

    started = timezone.localtime(document.lecture.started_at)
    return sanitize_filename(f"{document.lecture.title} {started:%Y-%m-%d}.{extension}")
