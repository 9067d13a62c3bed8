"""The lecture page: what each viewer sees, the summary's links, search, chat privacy, attendance, escaping."""

import re

import pytest
from django.test import Client
from django.utils.html import escape

from audit.models import AuditEvent
from chat.models import ChatMessage, SharedFile
from rooms.models import Lecture, Room
from tests.lectures.conftest import XSS
from transcripts.models import TranscriptSegment

pytestmark = pytest.mark.django_db


def page(client: Client, lecture: Lecture, query: str = "") -> str:
    response = client.get(f"/lectures/{lecture.pk}/", {"q": query} if query else {})
    assert response.status_code == 200
    return response.content.decode()


def segment_anchor(lecture: Lecture, start: float) -> str:
    return f"t-{TranscriptSegment.objects.get(lecture=lecture, start=start).pk}"


def test_host_sees_title_date_duration_summary_transcript_chat_files_and_attendance(
    host_client: Client, lecture: Lecture, chat: None, attendance: None, stored_file: SharedFile
) -> None:
    html = page(host_client, lecture)
    assert escape(f"Graphs {XSS}") in html
    assert "Monday 2 November 2026" in html
    assert "1 h 30 min" in html
    for heading in ("Overview", "Topics", "Key terms", "Action items", "Questions"):
        assert f"<h3>{heading}</h3>" in html
    assert "Today we study Dijkstra" in html
    assert "Welcome everyone" in html
    assert f'href="/lectures/files/{stored_file.pk}/"' in html
    assert 'id="attendance"' in html
    assert f'href="/lectures/{lecture.pk}/attendance.csv"' in html
    assert f'href="/lectures/{lecture.pk}/export.pdf"' in html
    assert f'href="/lectures/{lecture.pk}/transcript.vtt"' in html
    assert f'href="/lectures/{lecture.pk}/transcript.txt"' in html
    assert 'id="attendee-access"' in html and 'id="regenerate-summary"' in html


def test_summary_points_link_to_their_moment_in_the_transcript(host_client: Client, lecture: Lecture) -> None:
    html = page(host_client, lecture)
    negative_edges = segment_anchor(lecture, 130.0)
    assert f'<li id="{negative_edges}"' in html
    assert re.search(rf'<a class="at" href="#{negative_edges}">2:10</a> Negative edges', html)
    # The answered question links to the moment of its answer.
    assert f'class="answer-link" href="#{segment_anchor(lecture, 140.0)}"' in html
    # A key term said at 65 s links to the segment spoken then.
    assert f'href="#{segment_anchor(lecture, 65.0)}">1:05</a>' in html


def test_unanswered_questions_are_flagged_and_deadlines_shown(host_client: Client, lecture: Lecture) -> None:
    html = page(host_client, lecture)
    unanswered = re.search(r'<li class="unanswered">(.*?)</li>', html, re.S)
    assert unanswered is not None
    assert "Why a heap?" in unanswered.group(1) and "Unanswered" in unanswered.group(1)
    assert html.count('<li class="unanswered">') == 1
    assert "Due: next Monday at noon" in html


def test_a_lecture_without_summary_says_so(host_client: Client, lecture: Lecture) -> None:
    Lecture.objects.filter(pk=lecture.pk).update(summary=None, summary_status="pending")
    assert "The summary is being written" in page(host_client, lecture)


def test_search_highlights_matching_moments_best_first(host_client: Client, lecture: Lecture) -> None:
    html = page(host_client, lecture, "priority queues")
    results = re.search(r'<div class="search-results".*?</div>', html, re.S)
    assert results is not None
    assert "<strong>1</strong> matching moment for" in results.group(0)
    assert "<mark>priority</mark> <mark>queues</mark>" in results.group(0)
    # The same segment is highlighted in the full transcript, and the result jumps to it.
    anchor = segment_anchor(lecture, 200.0)
    assert f'<li id="{anchor}" class="match">' in html
    assert f'<a class="at" href="#{anchor}">3:20</a>' in results.group(0)


def test_search_uses_english_stemming(host_client: Client, lecture: Lecture) -> None:
    html = page(host_client, lecture, "weight")
    assert "<strong>2</strong> matching moments" in html  # "weighted" and "weights"


def test_search_that_matches_nothing_says_so(host_client: Client, lecture: Lecture) -> None:
    html = page(host_client, lecture, "quantum")
    assert "Nothing in the transcript matches “quantum”." in html
    assert 'class="match"' not in html


def test_search_highlights_never_let_transcript_markup_through(host_client: Client, lecture: Lecture) -> None:
    html = page(host_client, lecture, "negative")
    assert "<mark>negative</mark> weights? &lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html
    assert XSS not in html


def test_search_query_itself_is_escaped(host_client: Client, lecture: Lecture) -> None:
    html = page(host_client, lecture, "<img src=x onerror=alert(1)>")
    assert "<img src=x onerror" not in html
    assert escape("<img src=x onerror=alert(1)>") in html


def test_transcript_api_searches_ranked_and_lists_everything_without_a_query(
    host_client: Client, lecture: Lecture
) -> None:
    hits = host_client.get(f"/api/v1/lectures/{lecture.pk}/transcript", {"q": "bellman"}).json()
    assert hits == [
        {
            "speaker": "Ada Prof",
            "start": 140.0,
            "end": 150.0,
            "text": "No: negative edges break the greedy choice, use Bellman-Ford instead.",
        }
    ]
    assert host_client.get(f"/api/v1/lectures/{lecture.pk}/transcript", {"q": "quantum"}).json() == []
    everything = host_client.get(f"/api/v1/lectures/{lecture.pk}/transcript").json()
    assert [row["start"] for row in everything] == [0.0, 65.0, 130.0, 140.0, 200.0]


def test_transcript_api_ranks_the_closer_match_first(host_client: Client, lecture: Lecture) -> None:
    TranscriptSegment.objects.create(
        lecture=lecture,
        speaker_identity="host-1",
        speaker_name="Ada Prof",
        start=300.0,
        end=305.0,
        engine="whisper",
        text="Negative weight cycles: negative weights everywhere, negative edges, negative cycles.",
    )
    hits = host_client.get(f"/api/v1/lectures/{lecture.pk}/transcript", {"q": "negative"}).json()
    assert hits[0]["start"] == 300.0
    assert {row["start"] for row in hits} == {130.0, 140.0, 300.0}


def test_private_messages_are_shown_to_hosts_and_to_their_sender_only(
    host_client: Client, attendee_client: Client, allow_attendees: Room, lecture: Lecture, chat: None
) -> None:
    host_html = page(host_client, lecture)
    assert "Mallory&#x27;s secret to the host" in host_html
    assert "Eve&#x27;s private question to the host" in host_html
    attendee_html = page(attendee_client, lecture)
    assert "Welcome everyone" in attendee_html
    assert "Eve&#x27;s private question to the host" in attendee_html
    assert "Mallory" not in attendee_html.split('id="chat"')[1].split("</section>")[0]


def test_attendance_shows_intervals_total_time_and_late_arrival_to_the_host(
    host_client: Client, lecture: Lecture, attendance: None
) -> None:
    html = page(host_client, lecture)
    table = html.split('<table class="attendance">')[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>.*?</tr>", table.split("<tbody>")[1], re.S)
    assert len(rows) == 3  # students only, not the host
    bob = next(r for r in rows if ">Bob<" in r)
    assert "09:02–09:30" in bob and "09:40–end" in bob
    assert "1 h 18 min" in bob and "on time" in bob
    late = next(r for r in rows if "HYPERLINK" in r)
    assert 'class="late"' in late and "late by 20 min" in late


def test_attendees_see_the_page_but_not_attendance_nor_host_controls(
    attendee_client: Client, allow_attendees: Room, lecture: Lecture, attendance: None
) -> None:
    html = page(attendee_client, lecture)
    assert "Today we study Dijkstra" in html
    assert 'id="attendance"' not in html
    assert "attendance.csv" not in html
    assert 'id="attendee-access"' not in html and 'id="regenerate-summary"' not in html
    assert 'id="save-to-drive"' not in html  # no account, no Drive


def test_host_switch_lets_attendees_in_and_out(
    host_client: Client, attendee_client: Client, room: Room, lecture: Lecture
) -> None:
    assert attendee_client.get(f"/lectures/{lecture.pk}/").status_code == 404
    response = host_client.post(f"/lectures/{lecture.pk}/access", {"attendees_see_lecture": "on"}, follow=True)
    assert "Students who attended can now open" in response.content.decode()
    assert attendee_client.get(f"/lectures/{lecture.pk}/").status_code == 200
    host_client.post(f"/lectures/{lecture.pk}/access", {})
    assert attendee_client.get(f"/lectures/{lecture.pk}/").status_code == 404


def test_regenerate_summary_queues_a_new_summary_of_an_ended_lecture(host_client: Client, lecture: Lecture) -> None:
    response = host_client.post(f"/lectures/{lecture.pk}/summary/regenerate", follow=True)
    assert "The summary is being regenerated" in response.content.decode()
    lecture.refresh_from_db()
    assert lecture.summary_status == "pending"


def test_regenerate_summary_of_a_live_lecture_says_it_must_end_first(host_client: Client, lecture: Lecture) -> None:
    Lecture.objects.filter(pk=lecture.pk).update(status=Lecture.Status.LIVE, ended_at=None)
    response = host_client.post(f"/lectures/{lecture.pk}/summary/regenerate", follow=True)
    assert "once it has ended" in response.content.decode()


def test_every_user_typed_string_renders_inert(
    host_client: Client, attendee: object, lecture: Lecture, chat: None, attendance: None, stored_file: SharedFile
) -> None:
    html = page(host_client, lecture)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    escaped = escape(XSS)
    # title, speaker, transcript text, chat, attendee's name (attendance), summary overview/topic/term/question
    assert html.count(escaped) >= 8
    assert escape(stored_file.name) in html


def test_past_lectures_page_lists_the_rooms_lectures_with_links(
    host_client: Client, room: Room, lecture: Lecture
) -> None:
    html = host_client.get(f"/lectures/?room={room.code}").content.decode()
    assert f'href="/lectures/{lecture.pk}/"' in html
    assert escape(lecture.title) in html
    assert "1 h 30 min" in html
    overview = host_client.get("/lectures/").content.decode()
    assert f'href="/lectures/{lecture.pk}/"' in overview


def test_the_host_removes_a_chat_message_from_the_lecture_page(
    host_client: Client,
    admin_client: Client,
    attendee_client: Client,
    allow_attendees: Room,
    lecture: Lecture,
    chat: None,
) -> None:
    secret = ChatMessage.objects.get(sender_name="Mallory")
    form = f'action="/lectures/{lecture.pk}/chat/{secret.pk}/remove"'
    assert form in page(host_client, lecture)
    assert 'aria-label="Remove the message from Mallory"' in page(host_client, lecture)
    assert form not in page(admin_client, lecture) and "chat-remove" not in page(attendee_client, lecture)

    url = f"/lectures/{lecture.pk}/chat/{secret.pk}/remove"
    assert attendee_client.post(url).status_code == 403
    assert admin_client.post(url).status_code == 403, "admins read the record; the host edits it"
    response = host_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/lectures/{lecture.pk}/#chat"
    html = response.content.decode()
    assert "The message from Mallory is removed." in html and "Mallory&#x27;s secret" not in html
    assert AuditEvent.objects.get(action="chat.remove").detail["text"] == "Mallory's secret to the host"
    again = host_client.post(url, follow=True).content.decode()
    assert "This message was removed already." in again
    assert (
        not ChatMessage.objects.filter(pk=secret.pk).exists()
        and ChatMessage.objects.filter(lecture=lecture).count() == 2
    )


def test_a_message_of_another_lecture_is_not_removed_through_this_page(
    host_client: Client, room: Room, lecture: Lecture, chat: None
) -> None:
    other = Lecture.objects.create(
        room=room, title="Other", livekit_room=f"{room.code}-other", status="ended", started_at=lecture.started_at
    )
    elsewhere = ChatMessage.objects.create(lecture=other, sender_identity="g", sender_name="Sam", text="hi")
    response = host_client.post(f"/lectures/{lecture.pk}/chat/{elsewhere.pk}/remove", follow=True)
    assert "This message was removed already." in response.content.decode()
    assert ChatMessage.objects.filter(pk=elsewhere.pk).exists()
