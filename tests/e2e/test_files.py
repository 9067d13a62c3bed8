"""The host shares a file from the room page with a progress bar; a co-host's page sees it appear and downloads it."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from participants.models import CoHost
from rooms.services import create_room
from tests.e2e.conftest import PASSWORD, log_in
from tests.e2e.room import open_lecture, open_panel

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLIDES = b"%PDF-1.4\n" + b"week one slides " * 40_000  # ~640 kB: enough for progress events


def test_host_shares_a_file_with_a_progress_bar_and_the_cohost_sees_it_appear(new_context) -> None:
    host = User.objects.create_user("prof@uni.example", PASSWORD, first_name="Ada", last_name="Lovelace")
    colleague = User.objects.create_user("ta@uni.example", PASSWORD, first_name="Grace", last_name="Hopper")
    room = create_room(host=host, title="CS 101")
    CoHost.objects.create(room=room, user=colleague, granted_by=host)

    first = new_context().new_page()
    log_in(first, host)
    first.goto(f"/rooms/{room.code}/")
    open_lecture(first)
    open_panel(first, "files")
    expect(first.locator("#file-empty")).to_be_visible()

    second = new_context().new_page()
    log_in(second, colleague)
    second.goto(f"/rooms/{room.code}/")
    open_lecture(second)
    open_panel(second, "files")
    expect(second.locator("#file-list li")).to_have_count(0)

    # Remember every value the progress bar takes while the bytes go up.
    first.evaluate(
        """() => {
          window.progressSeen = [];
          const bar = document.getElementById('file-progress');
          const setter = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, 'value').set;
          Object.defineProperty(bar, 'value', {
            set(v) { setter.call(this, v); window.progressSeen.push(Number(v)); },
            get() { return Number(this.getAttribute('value')); },
          });
        }"""
    )
    first.set_input_files(
        "#file-input",
        files=[{"name": "Week 1 <slides>.pdf", "mimeType": "application/pdf", "buffer": SLIDES}],
    )
    first.click("#file-upload-button")
    expect(first.locator("#files-panel")).to_have_attribute("data-upload-state", "done", timeout=20_000)
    expect(first.locator("#file-status")).to_have_text("Shared Week 1 <slides>.pdf.")
    seen = first.evaluate("window.progressSeen")
    assert seen[-1] == 100 and 0 in seen

    item = second.locator("#file-list li")
    expect(item).to_have_count(1, timeout=15_000)
    expect(item.locator("a")).to_have_text("Week 1 _slides_.pdf")
    expect(item).to_contain_text("Ada Lovelace")
    with second.expect_download() as download_info:
        item.locator("a").click()
    download = download_info.value
    assert download.suggested_filename == "Week 1 _slides_.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == SLIDES


def test_a_refused_file_shows_the_servers_reason(new_context) -> None:
    host = User.objects.create_user("prof2@uni.example", PASSWORD)
    room = create_room(host=host, title="CS 102")
    page = new_context().new_page()
    log_in(page, host)
    page.goto(f"/rooms/{room.code}/")
    open_lecture(page)
    open_panel(page, "files")
    page.set_input_files("#file-input", files=[{"name": "page.html", "mimeType": "text/html", "buffer": b"<p>hi</p>"}])
    page.click("#file-upload-button")
    expect(page.locator("#file-status")).to_contain_text("Files of type text/html cannot be shared here")
    expect(page.locator("#files-panel")).to_have_attribute("data-upload-state", "error")
    expect(page.locator("#file-list li")).to_have_count(0)
