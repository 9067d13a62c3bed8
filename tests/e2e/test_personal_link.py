"""In Chromium: a student opens their personal link, types no name, and waits in the lobby as the roster's name."""

import pytest
from playwright.sync_api import expect

from courses.models import RosterEntry, RosterSession
from rooms.models import Room
from tests.conftest import wait_for
from tests.e2e.room import open_panel
from tests.e2e.test_lobby import open_room_as_host

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_personal_link_knocks_with_the_rosters_name(new_context) -> None:  # type: ignore[no-untyped-def]
    host, code, _ = open_room_as_host(new_context)
    entry = RosterEntry.objects.create(room=Room.objects.get(code=code), name="Grace Hopper", email="g@s.example")
    student = new_context().new_page()
    student.goto(f"/j/{code}?s={entry.invite_token}")
    expect(student.locator("#join-name")).to_be_disabled()
    student.click("#join-submit")
    expect(student.get_by_text("The host will let you in soon.")).to_be_visible()
    open_panel(host, "people")
    expect(host.locator(".lobby-entry", has_text="Grace Hopper")).to_be_visible()
    # the tie is written right after the knock (which must commit on its own: a failed PIN stays counted)
    wait_for(lambda: RosterSession.objects.filter(entry=entry).exists(), timeout=5, what="the roster tie")
