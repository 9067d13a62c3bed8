"""Real Chromium (Debian's) driven by Playwright against our daphne process and livekit-server."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from accounts.models import User

# Playwright's sync API keeps an event loop in a greenlet; the ORM calls our tests make between
# browser steps are plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "e2e"
PASSWORD = "a-Long-passphrase-42"


def chromium_args(fake_audio: str | None = None) -> list[str]:
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
    ]
    if fake_audio:
        args.append(f"--use-file-for-fake-audio-capture={fake_audio}")
    return args


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args())
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser, web_server: str, request: Any) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def make(*, enforce_csp: bool = False, **options: Any) -> BrowserContext:
        # Playwright's string predicates (wait_for_function) are evaluated like eval(), which our CSP
        # forbids; tests/e2e/test_csp.py runs the room with the policy enforced and no such waits.
        context = browser.new_context(
            base_url=web_server, permissions=["camera", "microphone"], bypass_csp=not enforce_csp, **options
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for page_index, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{index}-{page_index}.png"))
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome: Any = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def log_in(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """The browser logs in through the daphne process, which knows only the real hashers."""
