"""The room page shows what the assistant hears: a real Chromium whose fake microphone plays a lecture
passage, the agent worker transcribing it, the captions bar and the transcript panel rendering it."""

import os
import re
from collections.abc import Iterator

import pytest
from django.db import connections
from playwright.sync_api import Page, expect, sync_playwright

from accounts.models import User
from rooms.services import create_room
from tests.agent.participants import SPEECH, AgentWorker
from tests.e2e.conftest import CHROMIUM, PASSWORD, chromium_args, log_in
from tests.e2e.room import open_lecture, open_panel

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API keeps a loop in this thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """The browser logs in through the daphne process, which knows only the real hashers."""


@pytest.fixture
def lecturing_page(web_server: str) -> Iterator[Page]:
    """A browser whose microphone says lec-cs over and over."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=chromium_args(str(SPEECH / "wav" / "lec-cs.wav"))
        )
        # bypass_csp: Playwright's string waits are eval, which the site's CSP forbids (tests/e2e/test_csp.py)
        context = browser.new_context(base_url=web_server, permissions=["camera", "microphone"], bypass_csp=True)
        context.set_default_timeout(20_000)
        yield context.new_page()
        context.close()
        browser.close()
        connections.close_all()  # the ORM opened its own connection under Playwright's event loop


def test_the_room_page_shows_the_assistant_its_captions_and_the_transcript(
    lecturing_page: Page, agent_worker: AgentWorker
) -> None:
    page = lecturing_page
    host = User.objects.create_user("prof@uni.example", PASSWORD, first_name="Ada", last_name="Prof")
    room = create_room(host=host, title="CS 101")
    log_in(page, host)
    page.goto(f"/rooms/{room.code}/")
    open_lecture(page)

    expect(page.locator("#assistant-notice")).to_have_text("AI assistant is listening — captions on", timeout=60_000)
    final = page.locator('.caption[data-final="true"]').filter(has_text="hash")
    expect(final.first).to_be_visible(timeout=60_000)
    expect(final.first.locator(".caption-speaker")).to_have_text("You")

    open_panel(page, "transcript")
    line = page.locator(".transcript-line").filter(has_text="hash").first
    expect(line.locator(".transcript-speaker")).to_have_text("You")
    expect(line.locator(".transcript-time")).to_have_text(re.compile(r"^\d+:\d\d$"))

    expect(page.locator("#toggle-captions")).to_have_attribute("aria-pressed", "true")
    page.click("#toggle-captions")
    expect(page.locator("#captions-bar")).to_have_count(0)
    expect(page.locator("#toggle-captions")).to_have_attribute("aria-pressed", "false")
    # the assistant is not a person: no tile, not counted among the people
    expect(page.locator(".tile")).to_have_count(1)
    open_panel(page, "people")
    expect(page.locator("#participants-count")).to_have_text("1")
