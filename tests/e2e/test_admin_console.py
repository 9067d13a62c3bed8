"""The admin console in Chromium: every admin page passes axe (no serious or critical WCAG 2.1 AA
violation) and every control on it is reached with the Tab key; the overview, under the enforced
CSP, re-renders from its websocket when a lecture ends in another tab."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from accounts.models import User
from audit.services import record_audit
from lectures.life import open_room
from rooms.models import Room
from rooms.services import create_room
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), "
    "textarea:not([disabled]), [tabindex]:not([tabindex='-1'])"
)


def open_off_the_loop(room: Room) -> None:
    """open_room in a worker thread: it calls LiveKit and broadcasts through async_to_sync, which the
    browser tests' event loop in the main thread forbids."""

    def run() -> None:
        try:
            open_room(room=room)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def assert_keyboard_reachable(page: Page, what: str) -> None:
    """Tabbing from the top of the page reaches every visible control, in order, and leaves none out."""
    count = page.evaluate(
        """selector => {
            const visible = Array.from(document.querySelectorAll(selector))
              .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden");
            visible.forEach((el, index) => el.setAttribute("data-kb", String(index)));
            document.activeElement && document.activeElement.blur();
            return visible.length;
        }""",
        FOCUSABLE,
    )
    reached: list[str] = []
    # More presses than controls: a date field stops on its day, month and year, the browser on its own UI.
    for _ in range(3 * count + 10):
        page.keyboard.press("Tab")
        mark = page.evaluate("document.activeElement && document.activeElement.getAttribute('data-kb')")
        if mark is not None and mark not in reached:
            reached.append(mark)
        if len(reached) == count:
            break
    missing = sorted(set(map(str, range(count))) - set(reached), key=int)
    labels = [page.locator(f"[data-kb='{m}']").evaluate("el => el.outerHTML.slice(0, 120)") for m in missing]
    assert not missing, f"{what}: not reachable with Tab: {labels}"


def test_every_admin_page_is_accessible_and_keyboard_operable(new_context: Any, room: Room, host: User) -> None:
    admin = User.objects.create_user("admin@uni.example", PASSWORD, name="Root Admin", role=User.Role.ADMIN)
    room.ai_assistant = False  # no agent worker here: the overview would rightly call captions down
    room.save(update_fields=["ai_assistant"])
    open_off_the_loop(room)
    record_audit(action="lobby.admit", room=room, actor=host, target="=Ben Okafor", ip_address="198.51.100.9")
    create_room(host=host, title="Scheduled seminar")

    page = new_context().new_page()
    log_in(page, admin)
    for url, what in (
        ("/admin/", "overview"),
        ("/admin/rooms/", "rooms"),
        (f"/admin/rooms/{room.code}/", "room detail"),
        ("/admin/accounts/", "accounts"),
        ("/admin/audit/?action=lobby.admit", "audit log"),
        ("/admin/sandbox/", "token sandbox"),
        ("/admin/settings/", "settings"),
        ("/admin/ai/", "AI assistant"),
        ("/admin/egress/", "egress"),
    ):
        page.goto(url)
        assert_accessible(page, what)
        assert_keyboard_reachable(page, what)

    # The sandbox by keyboard alone: type into its fields, submit with Enter, read the claims.
    page.goto("/admin/sandbox/")
    page.get_by_label("LiveKit room").focus()
    page.keyboard.type("sandbox-room")
    page.keyboard.press("Tab")
    page.keyboard.type("keyboard-tester")
    page.keyboard.press("Enter")
    expect(page.locator("#sandbox-token")).to_be_visible()
    assert_accessible(page, "token sandbox with a token")
    assert "keyboard-tester" in page.content()


def test_the_overview_updates_from_its_websocket_under_the_csp(new_context: Any, room: Room) -> None:
    admin = User.objects.create_user("admin@uni.example", PASSWORD, name="Root Admin", role=User.Role.ADMIN)
    room.ai_assistant = False
    room.save(update_fields=["ai_assistant"])
    open_off_the_loop(room)

    watching = new_context(enforce_csp=True).new_page()
    log_in(watching, admin)
    watching.goto("/admin/")
    expect(watching.locator("#health")).to_have_attribute("data-live", "yes")  # a snapshot arrived
    expect(watching.locator("#health-live")).to_have_text("1")
    expect(watching.locator("#live-rooms").get_by_role("link", name=room.title)).to_be_visible()

    acting = new_context().new_page()
    log_in(acting, admin)
    acting.goto(f"/admin/rooms/{room.code}/")
    acting.get_by_role("button", name="End the lecture").click()
    expect(acting.get_by_text(f"The lecture in {room.title} has ended.")).to_be_visible()

    expect(watching.locator("#health-live")).to_have_text(
        "0", timeout=2_000
    )  # pushed at once (the periodic push is every 5 s)
    expect(watching.locator("#live-rooms")).to_have_text("No lecture is live right now.")
    assert watching.locator("#health-banner").is_hidden()
