"""The course's sections of a lecture page (through lectures.extensions): polls with results, the
reaction timeline whose spikes link into the transcript, and each student's engagement for the
hosts only; in the PDF and the engagement CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client

from chat.models import ChatMessage
from courses.models import Poll, PollVote, Reaction
from lectures.models import AttendanceInterval
from moderation.models import HandRaise
from rooms.models import Lecture, Room
from tests.lectures.conftest import STARTED, XSS
from tests.lectures.test_exports import pdf_text
from transcripts.models import TranscriptSegment

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(lecture: Lecture, attendance: None) -> Poll:
    """A named poll at 2:00 answered by Alice and Bob; a clap, three "I'm lost" at 2:xx; a hand; Bob speaks."""
    guests = {i.identity: i.guest for i in AttendanceInterval.objects.filter(lecture=lecture, role="guest")}
    alice, bob = guests["guest-a"], guests["guest-b1"]
    poll = Poll.objects.create(lecture=lecture, question=f"Heap or list? {XSS}", options=["Heap", "List"])
    Poll.objects.filter(pk=poll.pk).update(created_at=STARTED + timedelta(minutes=2))
    PollVote.objects.create(poll=poll, voter_key="a" * 64, guest=alice, choices=[0])
    PollVote.objects.create(poll=poll, voter_key="b" * 64, guest=bob, choices=[1])
    for identity, kind, second in [
        ("guest-a", "clap", 30),
        ("guest-a", "lost", 125),
        ("guest-l", "lost", 130),
        ("guest-b2", "slow_down", 150),
        ("guest-a", "lost", 1500),
    ]:
        reaction = Reaction.objects.create(lecture=lecture, kind=kind, identity=identity)
        Reaction.objects.filter(pk=reaction.pk).update(created_at=STARTED + timedelta(seconds=second))
    HandRaise.objects.create(lecture=lecture, guest=bob, identity="guest-b1")
    ChatMessage.objects.create(lecture=lecture, sender_identity="guest-a", sender_name="Alice", text="Hello")
    TranscriptSegment.objects.create(
        lecture=lecture, speaker_identity="guest-b2", speaker_name="Bob", start=300.0, end=390.0, text="A question"
    )
    return poll


def _rows(body: str) -> dict[str, list[list[str]]]:
    """The engagement CSV: tables one after another, each under a title row."""
    tables: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))):
        if not row:
            continue
        if len(row) == 1:
            current = tables.setdefault(row[0], [])
        else:
            current.append(row)
    return tables


def test_the_host_sees_polls_the_timeline_with_linked_spikes_and_engagement(
    host_client: Client, lecture: Lecture, activity: Poll
) -> None:
    page = host_client.get(f"/lectures/{lecture.pk}/").content.decode()
    for key in ("polls", "reactions", "engagement"):
        assert f'<section id="{key}"' in page and f'href="#{key}"' in page
    assert "Heap or list? &lt;script&gt;" in page and f"Heap or list? {XSS}" not in page
    # the spike at 2:00 (two lost, one slow down) links to the segment spoken then (starts at 1:05)
    spoken_then = TranscriptSegment.objects.get(lecture=lecture, start=65.0)
    spikes = page.split('class="moments spikes"')[1].split("</ul>")[0]
    assert f'href="#t-{spoken_then.pk}">2:00</a> 2 lost, 1 asked to slow down' in spikes
    assert "25:00" not in spikes  # one lone pulse is not a spike

    response = host_client.get(f"/lectures/{lecture.pk}/engagement.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    tables = _rows(response.content.decode())
    assert tables["Polls"][1:] == [
        [f"Heap or list? {XSS}".replace("\n", " "), "2:00", "Heap", "1"],
        [f"Heap or list? {XSS}".replace("\n", " "), "2:00", "List", "1"],
    ]
    assert tables["Reactions and pulses"][1:] == [
        ["0:00", "1", "0", "0"],
        ["2:00", "0", "2", "1"],
        ["25:00", "0", "1", "0"],
    ]
    engagement = {row[0]: row[1:] for row in tables["Engagement"][1:]}
    #                  minutes, messages, hands, poll answers, reactions (pulses excluded), speaking minutes
    assert engagement["Alice"] == ["90.0", "1", "0", "1", "1", "0.0"]
    assert engagement["Bob"] == ["78.0", "0", "1", "1", "0", "1.5"]


def test_students_see_polls_and_the_timeline_but_no_hidden_results_and_no_engagement(
    attendee_client: Client, allow_attendees: Room, lecture: Lecture, activity: Poll
) -> None:
    page = attendee_client.get(f"/lectures/{lecture.pk}/").content.decode()
    assert '<section id="polls"' in page and "The host did not show the results." in page
    assert '<section id="reactions"' in page
    assert '<section id="engagement"' not in page and "Poll answers" not in page
    assert attendee_client.get(f"/lectures/{lecture.pk}/engagement.csv").status_code == 404

    Poll.objects.filter(pk=activity.pk).update(results_shown=True)
    page = attendee_client.get(f"/lectures/{lecture.pk}/").content.decode()
    assert "The host did not show the results." not in page and '<td class="count">1</td>' in page


def test_the_hosts_pdf_carries_polls_timeline_and_engagement(
    host_client: Client, lecture: Lecture, activity: Poll
) -> None:
    text = pdf_text(host_client.get(f"/lectures/{lecture.pk}/export.pdf").content)
    assert f"Heap or list? {XSS}" in text
    assert "When students were lost" in text and "2 lost, 1 asked to slow down" in text
    assert "Engagement" in text and "Poll answers" in text
