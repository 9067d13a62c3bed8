"""axe-core on every page a professor, a student and an admin see: no serious or critical WCAG 2.1 AA
violation. The room pages are checked populated (a host, a student, chat, a raised hand)."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from rooms.models import Lecture, Room
from rooms.services import create_room
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD, log_in
from tests.e2e.room import knock, open_lecture, open_panel, pause_pin_entry, wait_connected

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_public_pages_are_accessible(new_context) -> None:
    page = new_context().new_page()
    for url, what in (
        ("/", "landing"),
        ("/accounts/login/", "log in"),
        ("/accounts/signup/", "sign up"),
        ("/accounts/password/reset/", "password reset"),
        ("/j/zzz-zzzz-zzz", "unknown invite code"),
    ):
        page.goto(url)
        assert_accessible(page, what)


def test_professor_and_admin_pages_are_accessible(new_context) -> None:
    admin = User.objects.create_user("admin@uni.example", PASSWORD, name="Root Admin", role=User.Role.ADMIN)
    page = new_context().new_page()
    log_in(page, admin)
    room = create_room(host=admin, title="Office hours", pin="4321")
    older = create_room(host=admin, title="Old seminar", pin="8642")
    Room.objects.filter(pk=older.pk).update(pin_sealed="")  # a PIN from before they were kept readable
    for url, what in (
        (f"/rooms/{room.code}/edit/", "edit room"),
        (f"/rooms/{room.code}/delete/", "delete room"),
        ("/", "dashboard"),
        ("/accounts/profile/", "profile"),
        ("/admin/", "admin overview"),
        ("/admin/accounts/", "admin accounts"),
        ("/lectures/", "past lectures"),
    ):
        page.goto(url)
        assert_accessible(page, what)


def test_room_pages_are_accessible_for_host_and_student(new_context) -> None:
    user = User.objects.create_user("prof@uni.example", PASSWORD, name="Ada Lovelace")
    room = create_room(host=user, title="Algorithms", pin="2468")
    host = new_context().new_page()
    log_in(host, user)
    host.goto(f"/rooms/{room.code}/")
    expect(host.get_by_role("button", name="Open the lecture")).to_be_visible()
    assert_accessible(host, "host pre-join")
    open_lecture(host)
    expect(host.locator("#room-pin code")).to_have_text("2468")  # the host reads the PIN again, with a copy button
    expect(host.get_by_role("button", name="Copy the PIN")).to_be_visible()

    student = new_context().new_page()
    student.goto(f"/j/{room.code}")
    expect(student.locator("#join-name")).to_be_visible()
    assert_accessible(student, "student pre-join")
    knock(student, room.code, "Grace", pin="2468")
    assert_accessible(student, "lobby")

    toast = host.locator(".toast", has_text="Grace is waiting to join")
    expect(toast).to_be_visible()
    assert_accessible(host, "host room with a knock")
    toast.get_by_role("button", name="Admit").click()
    wait_connected(student)
    student.click("#raise-hand")
    open_panel(student, "chat")
    student.fill("#chat-text", "Hello")
    student.click("#chat-form button[type=submit]")
    expect(student.locator(".chat-message", has_text="Hello")).to_be_visible()
    assert_accessible(student, "student room with chat")

    expect(host.locator(".toast", has_text="Grace raised their hand")).to_be_visible()
    # wrong PINs from four browsers pause PIN entry: the host is told, with the way to lift it
    pause_pin_entry(new_context(), room.code)
    expect(host.locator(".toast", has_text="Too many wrong PINs")).to_be_visible()
    for panel in ("people", "chat", "files"):
        open_panel(host, panel)
        if panel == "people":
            expect(host.locator("#lobby-notice")).to_contain_text("PIN entry is paused")
        assert_accessible(host, f"host room, {panel} panel")
    open_panel(host, "people")
    host.get_by_role("button", name="Let students enter the PIN again").first.click()
    expect(host.locator("#lobby-notice")).to_have_count(0)
    expect(host.locator("#moderation-notice")).to_contain_text("let students enter the PIN again")
    host.click("#toggle-more")
    assert_accessible(host, "host room, more dialog")
    host.keyboard.press("Escape")

    host.click("#leave")
    host.locator("#leave-dialog").get_by_role("button", name="End for everyone").click()
    expect(student.locator("#end-state")).to_be_visible()
    assert_accessible(student, "student end page")
    expect(host.locator("#end-state")).to_be_visible()
    lecture = Lecture.objects.filter(room=room).latest("id")
    host.goto(f"/lectures/{lecture.pk}/")
    assert_accessible(host, "lecture page")
