"""Steps on the room page that several browser tests share (the page is frontend/src/room.jsx)."""

from playwright.sync_api import BrowserContext, Page, expect

VIDEO_PLAYING = "el => el.readyState >= 2 && el.videoWidth > 0"


def wait_connected(page: Page) -> None:
    page.wait_for_function("document.body.dataset.roomState === 'connected'", timeout=30_000)


def open_lecture(page: Page) -> None:
    """The host's pre-join: camera preview and devices, then "Open the lecture"."""
    page.get_by_role("button", name="Open the lecture").click()
    wait_connected(page)


def knock(page: Page, code: str, name: str, pin: str = "") -> None:
    """A student's pre-join with its default choices (and the PIN if given), then the waiting room."""
    page.goto(f"/j/{code}")
    page.fill("#join-name", name)
    if pin:
        page.fill("#join-pin", pin)
    page.click("#join-submit")
    expect(page.get_by_text("The host will let you in soon.")).to_be_visible()
    # the waiting room's socket is up: from now on the host's messages and decisions reach this page
    expect(page.locator("#join-panel")).to_have_attribute("data-socket", "open")


def open_panel(page: Page, name: str) -> None:
    """Open the drawer on one panel: people, chat, files or transcript."""
    panel = {"people": "#participants-panel", "chat": "#chat-panel", "files": "#files-panel"}.get(
        name, "#transcript-panel"
    )
    if page.locator(panel).is_visible():
        return
    if name in ("people", "chat"):
        page.click(f"#toggle-{name}")
    else:
        page.click("#toggle-more")
        page.locator("#more-dialog").get_by_role("button", name=name.capitalize()).click()
    expect(page.locator(panel)).to_be_visible()


def tile_video_plays(page: Page, identity: str) -> None:
    """Wait until the tile of `identity` shows decoded video frames."""
    video = page.locator(f'.tile[data-identity="{identity}"][data-source="camera"] video').first
    expect(video).to_be_attached()
    page.wait_for_function(f"el => ({VIDEO_PLAYING})(el)", arg=video.element_handle(), timeout=20_000)


def pause_pin_entry(context: BrowserContext, code: str) -> None:
    """Ten wrong PINs over HTTP from four browsers (three count per browser): the room's PIN entry pauses."""
    context.request.get(f"/j/{code}")  # the CSRF cookie
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    for attempt in range(10):
        response = context.request.post(
            f"/api/v1/rooms/{code}/join",
            data={"display_name": "Guesser", "fingerprint": f"fp-guesser-{attempt // 3:04d}", "pin": f"9{attempt}99"},
            headers={"X-CSRFToken": token},
        )
        assert response.status == 403, response.text()
