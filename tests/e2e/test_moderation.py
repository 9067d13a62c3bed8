"""In Chromium: the host removes a student, whose page says so; chat stays inert text both ways."""

import pytest
from playwright.sync_api import expect

from rooms.models import Room
from tests.conftest import wait_for
from tests.e2e.room import knock, open_panel, wait_connected
from tests.e2e.test_lobby import open_room_as_host

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XSS = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'


def admitted_student(new_context, host, code, name):
    student = new_context().new_page()
    knock(student, code, name)
    host.locator(".lobby-entry", has_text=name).get_by_role("button", name="Admit").click()
    wait_connected(student)
    return student


def test_host_removes_a_student_whose_page_says_they_were_removed(new_context) -> None:
    host, code, _ = open_room_as_host(new_context)
    student = admitted_student(new_context, host, code, "Mallory")
    identity = student.evaluate("window.lectern.room.localParticipant.identity")
    row = host.locator(f'#participants-list .participant[data-identity="{identity}"]')
    expect(row).to_contain_text("Mallory")
    row.get_by_role("button", name="Actions for Mallory").click()
    row.get_by_role("button", name="Remove Mallory").click()
    host.locator("#confirm-dialog").get_by_role("button", name="Remove").click()
    expect(student.locator("#end-state")).to_contain_text("You were removed from the lecture by the host")
    # the call is torn down: no controls, no stale people list or chat box, no way back from here
    expect(student.locator("#controls")).to_have_count(0)
    expect(student.locator("#chat-form")).to_have_count(0)
    expect(student.get_by_role("button", name="Rejoin")).to_have_count(0)
    expect(row).to_have_count(0)
    # the page cannot simply rejoin
    student.reload()
    expect(student.locator("#join-form")).to_be_visible()


def test_chat_payloads_render_as_text_for_everyone(new_context) -> None:
    host, code, _ = open_room_as_host(new_context)
    student = admitted_student(new_context, host, code, "Grace")
    open_panel(host, "chat")
    open_panel(student, "chat")
    student.fill("#chat-text", XSS)
    student.click("#chat-form button[type=submit]")
    for page in (host, student):
        message = page.locator(".chat-message", has_text="Grace")
        expect(message.locator(".chat-text")).to_have_text(XSS)
        assert page.locator(".chat-messages img, .chat-messages script").count() == 0
        assert page.evaluate("window.pwned") is None
    student.check("#chat-private")
    student.fill("#chat-text", "only for the professor")
    student.click("#chat-form button[type=submit]")
    expect(host.locator(".chat-message.private")).to_contain_text("only for the professor")
    host.fill("#chat-text", "public answer")
    host.click("#chat-form button[type=submit]")
    expect(student.locator(".chat-message", has_text="public answer")).to_be_visible()
    # the student sees their own private message (echoed locally) but no one else's
    open_panel(host, "people")
    other = admitted_student(new_context, host, code, "Alan")
    open_panel(other, "chat")
    expect(other.locator(".chat-message", has_text="public answer")).to_be_visible()
    expect(other.locator(".chat-message", has_text="only for the professor")).to_have_count(0)


def test_host_removes_a_chat_message_from_everyones_page(new_context) -> None:
    host, code, _ = open_room_as_host(new_context)
    student = admitted_student(new_context, host, code, "Grace")
    open_panel(host, "chat")
    open_panel(student, "chat")
    for text in ("buy followers at spam.example", "When is the exam?"):
        student.fill("#chat-text", text)
        student.click("#chat-form button[type=submit]")
        expect(host.locator(".chat-message", has_text=text)).to_be_visible()
    expect(student.get_by_role("button", name="Remove the message from Grace")).to_have_count(0)
    spam = host.locator(".chat-message", has_text="spam.example")
    spam.get_by_role("button", name="Remove the message from Grace").click()
    for page in (host, student):
        expect(page.locator(".chat-message", has_text="spam.example")).to_have_count(0)
        expect(page.locator(".chat-message", has_text="When is the exam?")).to_be_visible()
    student.reload()  # gone from the history too
    wait_connected(student)
    open_panel(student, "chat")
    expect(student.locator(".chat-message", has_text="When is the exam?")).to_be_visible()
    expect(student.locator(".chat-message", has_text="spam.example")).to_have_count(0)


def test_panic_button_mutes_the_student_and_says_so(new_context) -> None:
    host, code, _ = open_room_as_host(new_context)
    student = admitted_student(new_context, host, code, "Grace")
    expect(student.locator("#toggle-mic")).to_be_enabled()
    host.click("#panic")
    host.locator("#confirm-dialog").get_by_role("button", name="Stop all students from sharing").click()
    expect(student.locator("#moderation-notice")).to_contain_text("muted")
    expect(student.locator("#toggle-mic")).to_be_disabled()


def test_host_turns_student_chat_off_from_the_room(new_context) -> None:
    host, code, _ = open_room_as_host(new_context)
    student = admitted_student(new_context, host, code, "Grace")
    host.locator('#room-settings input[data-setting="student_chat"]').uncheck()
    expect(host.locator('#room-settings input[data-setting="student_chat"]')).not_to_be_checked()
    wait_for(lambda: not Room.objects.get(code=code).student_chat, what="the setting to be saved")
    open_panel(student, "chat")
    student.fill("#chat-text", "can I still talk?")
    student.click("#chat-form button[type=submit]")
    expect(student.locator("#chat-error")).to_contain_text("turned student chat off")
