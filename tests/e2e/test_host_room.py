"""A professor logs in, creates a room, opens it, and sees their own camera; a second tab sees the first
(and that captions are unavailable when the assistant is at capacity)."""

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import expect

from accounts.models import User
from rooms.models import Lecture
from tests.e2e.conftest import PASSWORD, log_in
from tests.e2e.room import open_lecture, tile_video_plays
from transcripts.services import mark_captions_unavailable


def closing_connections(call: Callable[[], Any]) -> Callable[[], Any]:
    """`call`, closing the database connection of the thread it runs in."""

    def run() -> Any:
        try:
            return call()
        finally:
            connections.close_all()

    return run


pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_professor_creates_a_room_and_sees_their_camera_and_a_second_tab_sees_the_first(new_context) -> None:
    user = User.objects.create_user("prof@uni.example", PASSWORD, first_name="Ada", last_name="Lovelace")
    context = new_context()
    first = context.new_page()
    log_in(first, user)
    expect(first.get_by_role("heading", name="Your rooms")).to_be_visible()

    first.fill("input[name=title]", "CS 101 <script>alert(1)</script>")
    first.click("#create-room button[type=submit]")
    first.wait_for_url("**/rooms/*/")
    expect(first.locator("h1")).to_contain_text("CS 101 <script>alert(1)</script>")
    room_url = first.url
    code = room_url.rstrip("/").split("/")[-1]
    expect(first.locator("#join-panel")).to_contain_text("Joining as Ada Lovelace")
    open_lecture(first)
    expect(first.get_by_label("Invite link")).to_have_value(re.compile(rf"/j/{code}$"))
    first_identity = first.evaluate("window.lectern.room.localParticipant.identity")
    tile_video_plays(first, first_identity)
    expect(first.locator(f'.tile[data-identity="{first_identity}"]')).to_contain_text("Ada Lovelace")

    # The assistant found no room for this lecture: a host page opened now shows it (from the live socket)
    lecture = Lecture.objects.get(room__code=code, status=Lecture.Status.LIVE)
    mark = partial(mark_captions_unavailable, lecture_id=lecture.pk, reason=Lecture.CaptionsUnavailable.CAPACITY)
    with ThreadPoolExecutor(1) as off_the_browser_loop:  # its push (to nobody yet) needs a thread of its own
        assert off_the_browser_loop.submit(closing_connections(mark)).result()
    second = context.new_page()
    second.goto(room_url)
    open_lecture(second)
    expect(second.locator("#captions-unavailable")).to_have_text("Captions unavailable: assistant at capacity")
    second_identity = second.evaluate("window.lectern.room.localParticipant.identity")
    assert second_identity != first_identity
    tile_video_plays(second, first_identity)
    tile_video_plays(first, second_identity)

    second.click("#leave")
    second.get_by_role("button", name="Leave (the lecture goes on)").click()
    expect(second.locator("#end-state")).to_contain_text("You left the lecture")
    expect(second.locator("#controls")).to_have_count(0)
    expect(first.locator(f'.tile[data-identity="{second_identity}"]')).to_have_count(0)


def test_anonymous_visitor_of_a_room_page_is_sent_to_login(new_context, web_server: str) -> None:
    page = new_context().new_page()
    page.goto("/rooms/abc-defg-hij/")
    assert "/accounts/login/" in page.url
