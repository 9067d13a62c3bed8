"""In Chromium: the recording indicator reaches a student within 2 s of the host's Record, and the
lecture page's player seeks to a clicked transcript line."""

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.models import User
from recordings.models import Recording
from rooms.models import Lecture
from rooms.services import create_room
from tests.conftest import wait_for
from tests.e2e.conftest import (  # noqa: F401 - the browser fixtures, shared with tests/e2e
    PASSWORD,
    _fast_passwords,
    browser,
    log_in,
    new_context,
    pytest_runtest_makereport,
)
from transcripts.models import TranscriptSegment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def wait_connected(page: Page) -> None:
    # an attribute check, not wait_for_function: the site's CSP forbids evaluating strings
    expect(page.locator("body")).to_have_attribute("data-room-state", "connected", timeout=30_000)


@pytest.mark.usefixtures("egress")
def test_the_recording_indicator_reaches_a_student_within_two_seconds(new_context) -> None:  # noqa: F811
    user = User.objects.create_user("prof@uni.example", PASSWORD, first_name="Ada", last_name="Lovelace")
    room = create_room(host=user, title="Recorded lecture", lobby=False)
    host = new_context().new_page()
    log_in(host, user)
    host.goto(f"/rooms/{room.code}/")
    host.get_by_role("button", name="Open the lecture").click()  # the host's pre-join
    wait_connected(host)
    student = new_context().new_page()
    student.goto(f"/j/{room.code}")
    student.fill("#join-name", "Student Sam")
    student.click("#join-submit")
    wait_connected(student)
    expect(student.locator("#recording-indicator")).to_be_hidden()

    with host.expect_response(lambda r: r.url.endswith("/recording") and r.request.method == "POST") as answer:
        host.click("#toggle-recording")
    assert answer.value.status == 200
    expect(student.locator("#recording-indicator")).to_be_visible(timeout=2_000)  # the 2 s
    expect(student.locator("#recording-indicator")).to_contain_text("Recording")
    expect(host.locator("#toggle-recording")).to_have_text("Stop recording")

    recording = Recording.objects.get(room=room)
    wait_for(
        lambda: Recording.objects.filter(pk=recording.pk, status="recording").exists(), timeout=45, what="recording"
    )
    expect(student.locator("#recording-indicator")).to_have_text("● Recording")
    host.click("#toggle-recording")
    wait_for(
        lambda: Recording.objects.filter(pk=recording.pk, status__in=("ready", "failed")).exists(),
        timeout=60,
        what="egress_ended",
    )
    expect(student.locator("#recording-indicator")).to_be_hidden(timeout=5_000)


def test_the_lecture_page_player_seeks_to_a_clicked_transcript_line(new_context) -> None:  # noqa: F811
    user = User.objects.create_user("prof@uni.example", PASSWORD, first_name="Ada", last_name="Lovelace")
    room = create_room(host=user, title="Sorting")
    started = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    lecture = Lecture.objects.create(
        room=room, title="Sorting", livekit_room=f"{room.code}-x", status="ended", started_at=started, ended_at=started
    )
    for start, text in ((2.0, "Today: merge sort."), (12.0, "Now the merge step."), (17.0, "And quicksort.")):
        TranscriptSegment.objects.create(
            lecture=lecture,
            speaker_identity="host-1",
            speaker_name="Ada",
            start=start,
            end=start + 3,
            text=text,
            engine="t",
        )
    key = f"recordings/{lecture.pk}/browser-test.mp4"
    path = Path(settings.MEDIA_ROOT) / key
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=10", "-f", "lavfi",
         "-i", "sine=frequency=440", "-t", "20", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "libopus",
         str(path)],
        check=True,
    )  # fmt: skip
    Recording.objects.create(
        room=room, lecture=lecture, status="ready", storage_key=key, duration=20.0,
        size=path.stat().st_size, started_at=started, egress_id="EG_browser",
    )  # fmt: skip
    page = new_context().new_page()
    log_in(page, user)
    page.goto(f"/lectures/{lecture.pk}/")
    video = page.locator("#recording-media")
    expect(video).to_be_visible()

    line = page.locator("#transcript li", has_text="Now the merge step.")
    line.locator("a.at").click()
    expect(line).to_have_class("playing", timeout=10_000)
    assert abs(video.evaluate("media => media.currentTime") - 12) < 1.5
    expect(line).to_have_class("playing", timeout=10_000)
    expect(page.locator("#transcript li.playing")).to_have_count(1)
