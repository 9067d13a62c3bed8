"""Two browsers: the professor admits a student from the room page; the student sees the professor's
video. A rejected student sees the denial, politely."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from rooms.services import create_room
from tests.e2e.conftest import PASSWORD, log_in
from tests.e2e.room import knock, open_lecture, open_panel, tile_video_plays, wait_connected

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_room_as_host(new_context, title: str = "Hash tables") -> tuple[Page, str, str]:
    user = User.objects.create_user("prof@uni.example", PASSWORD, first_name="Ada", last_name="Lovelace")
    room = create_room(host=user, title=title)
    host = new_context().new_page()
    log_in(host, user)
    host.goto(f"/rooms/{room.code}/")
    open_lecture(host)
    open_panel(host, "people")
    return host, room.code, host.evaluate("window.lectern.room.localParticipant.identity")


def test_professor_admits_a_student_who_then_sees_the_professors_video(new_context) -> None:
    host, code, host_identity = open_room_as_host(new_context)
    student = new_context().new_page()
    knock(student, code, 'Grace O\'Hopper & "Co"')
    assert student.evaluate("window.lectern.room.state") == "disconnected"  # no token while waiting

    entry = host.locator(".lobby-entry", has_text='Grace O\'Hopper & "Co"')
    expect(entry).to_be_visible()
    expect(host.locator("#lobby-count")).to_have_text("1")
    entry.get_by_role("button", name="Admit").click()

    wait_connected(student)
    tile_video_plays(student, host_identity)
    student_identity = student.evaluate("window.lectern.room.localParticipant.identity")
    expect(host.locator(f'.tile[data-identity="{student_identity}"]')).to_contain_text('Grace O\'Hopper & "Co"')
    expect(host.locator("#lobby-count")).to_have_text("0")

    # a reload brings the admitted student straight back in, without queuing
    student.reload()
    wait_connected(student)
    expect(student.locator("#join-panel")).to_be_hidden()


def test_rejected_student_sees_the_denial(new_context) -> None:
    host, code, _ = open_room_as_host(new_context)
    student = new_context().new_page()
    knock(student, code, "Mallory")
    host.fill("#lobby-message", "Only CS 101 students, please")
    host.click("#lobby-message-form button")
    expect(student.locator("#join-host-message")).to_have_text("Only CS 101 students, please")
    host.locator(".lobby-entry", has_text="Mallory").get_by_role("button", name="Reject").click()
    expect(student.get_by_text("The host didn't let you into this lecture.")).to_be_visible()
    assert student.evaluate("window.lectern.room.state") == "disconnected"


def test_student_who_arrives_early_enters_the_lobby_when_the_host_opens_the_room(new_context) -> None:
    user = User.objects.create_user("prof@uni.example", PASSWORD)
    room = create_room(host=user, title="Early birds")
    student = new_context().new_page()
    student.goto(f"/j/{room.code}")
    expect(student.get_by_text("This lecture hasn't started yet.")).to_be_visible()
    student.fill("#join-name", "Early Student")
    student.click("#join-submit")
    host = new_context().new_page()
    log_in(host, user)
    host.goto(f"/rooms/{room.code}/")
    open_lecture(host)
    open_panel(host, "people")
    expect(student.get_by_text("The host will let you in soon.")).to_be_visible(timeout=15_000)
    expect(host.locator(".lobby-entry", has_text="Early Student")).to_be_visible()
