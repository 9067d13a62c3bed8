"""Exports: the PDF read back with pypdf, the WebVTT parsed, the plain text and the attendance CSV."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from pypdf import PdfReader

from rooms.models import Lecture, Room

pytestmark = pytest.mark.django_db

TIMING = re.compile(r"^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$")


def pdf_text(content: bytes) -> str:
    """The PDF's text, whitespace (line wraps included) collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def parse_vtt(text: str) -> list[dict[str, object]]:
    """A strict-enough WebVTT reader: the header, then cues of [id] timing line and payload lines."""
    blocks = text.replace("\r\n", "\n").split("\n\n")
    assert blocks[0].split("\n")[0] == "WEBVTT", "a WebVTT file starts with WEBVTT"
    cues = []
    for block in blocks[1:]:
        lines = [line for line in block.split("\n") if line]
        if not lines:
            continue
        if "-->" not in lines[0]:
            lines = lines[1:]  # the cue identifier
        timing = TIMING.match(lines[0])
        assert timing, f"not a cue timing line: {lines[0]!r}"
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in timing.groups())
        start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
        end = h2 * 3600 + m2 * 60 + s2 + ms2 / 1000
        assert end > start
        payload = lines[1:]
        assert payload, "every cue has text"
        for line in payload:
            assert "-->" not in line
            assert not re.search(r"<(?!v |/v>|c[.>]|i>|/i>|b>|/b>|u>|/u>)", line), f"unexpected tag in {line!r}"
        cues.append({"start": start, "end": end, "payload": "\n".join(payload)})
    return cues


def test_pdf_is_generated_with_summary_headings_transcript_chat_and_attendance_for_the_host(
    host_client: Client, lecture: Lecture, chat: None, attendance: None
) -> None:
    response = host_client.get(f"/lectures/{lecture.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF-") and len(response.content) > 2000
    text = pdf_text(response.content)
    for heading in ("Summary", "Overview", "Topics", "Key terms", "Action items", "Questions", "Transcript"):
        assert heading in text
    assert "Today we study Dijkstra's shortest path algorithm" in text
    assert "Unanswered" in text
    assert "Mallory's secret to the host" in text
    assert "Attendance" in text and "late by 20 min" in text
    # A title typed as markup is printed as text, not interpreted.
    assert '<script>alert("xss")</script>' in text


def test_attendee_pdf_leaves_out_attendance_and_others_private_messages(
    attendee_client: Client, allow_attendees: Room, lecture: Lecture, chat: None, attendance: None
) -> None:
    text = pdf_text(attendee_client.get(f"/lectures/{lecture.pk}/export.pdf").content)
    assert "Today we study Dijkstra" in text
    assert "Attendance" not in text
    assert "Mallory's secret" not in text
    assert "Eve's private question" in text


def test_pdf_filename_is_the_sanitised_title_and_date(host_client: Client, lecture: Lecture) -> None:
    disposition = host_client.get(f"/lectures/{lecture.pk}/export.pdf")["Content-Disposition"]
    assert "<" not in disposition and "script>" not in disposition
    assert "2026-11-02.pdf" in disposition


def test_webvtt_parses_with_one_cue_per_segment_and_escaped_text(host_client: Client, lecture: Lecture) -> None:
    response = host_client.get(f"/lectures/{lecture.pk}/transcript.vtt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vtt")
    cues = parse_vtt(response.content.decode())
    assert [cue["start"] for cue in cues] == [0.0, 65.0, 130.0, 140.0, 200.0]
    assert cues[0]["end"] == 6.5
    assert cues[0]["payload"] == "<v Ada Prof>Today we study Dijkstra's shortest path algorithm on weighted graphs."
    assert "&lt;script&gt;" in str(cues[2]["payload"])
    assert str(cues[2]["payload"]).startswith("<v Eve &lt;script&gt;")


def test_plain_text_transcript_has_a_line_per_segment(host_client: Client, lecture: Lecture) -> None:
    response = host_client.get(f"/lectures/{lecture.pk}/transcript.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[1].startswith("2026-11-02 09:00")
    assert "[0:00] Ada Prof: Today we study Dijkstra's shortest path algorithm on weighted graphs." in lines
    assert "[3:20] Ada Prof: For next Monday, read chapter 24 about priority queues." in lines


def test_attendance_csv_has_one_row_per_student_with_totals_lateness_and_intervals(
    host_client: Client, lecture: Lecture, attendance: None
) -> None:
    response = host_client.get(f"/lectures/{lecture.pk}/attendance.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["name"] for row in rows] == ['\'=HYPERLINK("http://evil")', "Alice", "Bob"]
    by_name = {row["name"]: row for row in rows}
    assert by_name["Alice"]["minutes_present"] == "90.0" and by_name["Alice"]["late"] == "no"
    assert by_name["Bob"]["minutes_present"] == "78.0"
    assert (
        by_name["Bob"]["intervals"]
        == "2026-11-02 09:02:00 - 2026-11-02 09:30:00; 2026-11-02 09:40:00 - 2026-11-02 10:30:00"
    )
    assert by_name["Bob"]["last_left"] == ""  # still connected when the lecture ended
    late = by_name['\'=HYPERLINK("http://evil")']
    assert late["late"] == "yes" and late["late_by_minutes"] == "20.0" and late["minutes_present"] == "70.0"


def test_csv_cells_never_start_like_a_formula(host_client: Client, lecture: Lecture, attendance: None) -> None:
    from lectures.models import AttendanceInterval

    for name in ("+SUM(A1)", "-2+3", "@cmd", "\tTAB"):
        AttendanceInterval.objects.create(
            lecture=lecture,
            identity=f"guest-{name}",
            display_name=name,
            role="guest",
            joined_at=lecture.started_at,
            left_at=lecture.ended_at,
        )
    body = host_client.get(f"/lectures/{lecture.pk}/attendance.csv").content.decode()
    for row in csv.reader(io.StringIO(body)):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_an_ended_lectures_pdf_is_typeset_once_per_version_and_follows_changes(
    host_client: Client, lecture: Lecture, media_root: Path
) -> None:
    first = host_client.get(f"/lectures/{lecture.pk}/export.pdf").content
    cached = list((media_root / "lectures" / str(lecture.pk) / "exports").iterdir())
    assert len(cached) == 1 and cached[0].read_bytes() == first
    assert host_client.get(f"/lectures/{lecture.pk}/export.pdf").content == first

    summary = {**lecture.summary, "overview": "A brand new overview after regeneration."}  # type: ignore[dict-item]
    Lecture.objects.filter(pk=lecture.pk).update(summary=summary)
    text = pdf_text(host_client.get(f"/lectures/{lecture.pk}/export.pdf").content)
    assert "A brand new overview after regeneration." in text
    assert len(list((media_root / "lectures" / str(lecture.pk) / "exports").iterdir())) == 2


def test_a_cached_pdf_is_never_served_to_a_viewer_who_sees_less(
    host_client: Client, attendee_client: Client, allow_attendees: Room, lecture: Lecture, chat: None, attendance: None
) -> None:
    host_client.get(f"/lectures/{lecture.pk}/export.pdf")
    text = pdf_text(attendee_client.get(f"/lectures/{lecture.pk}/export.pdf").content)
    assert "Attendance" not in text and "Mallory's secret" not in text
