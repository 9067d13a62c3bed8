"""The room as a call app: the control bar stays in view with a full room, a student's defaults
publish no microphone, the host cannot miss a knock or a hand, and endings leave no call UI."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from lobby.models import LobbyEntry
from rooms import livekit_server
from rooms.models import Room
from rooms.services import create_room
from tests.conftest import logged_in, wait_for
from tests.e2e.conftest import PASSWORD, log_in
from tests.e2e.room import knock, open_lecture, open_panel, wait_connected
from tests.moderation.conftest import post_json

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def host_in_room(new_context, viewport=None, **room_options) -> tuple[Page, Room, User]:
    user = User.objects.create_user("prof@uni.example", PASSWORD, name="Ada Lovelace")
    room = create_room(host=user, title="Algorithms", **room_options)
    context = new_context(viewport=viewport) if viewport else new_context()
    page = context.new_page()
    log_in(page, user)
    page.goto(f"/rooms/{room.code}/")
    open_lecture(page)
    return page, room, user


def admit_peer(peers, host: User, room: Room, name: str, index: int):
    """A student admitted through the API (own address, own fingerprint), connected with the Python SDK."""
    from django.test import Client

    student = Client(REMOTE_ADDR=f"10.20.0.{index}")
    response = post_json(
        student, f"/api/v1/rooms/{room.code}/join", {"display_name": name, "fingerprint": f"fp-{index:012d}"}
    )
    if response.status_code == 202:
        entry = LobbyEntry.objects.get(guest__session_id=response.json()["session_id"], status="pending")
        assert post_json(logged_in(host), f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/admit").status_code == 200
        response = post_json(student, f"/api/v1/rooms/{room.code}/rejoin")
    assert response.status_code == 200, response.content
    peer = peers.connect(response.json())
    peer.publish_tone()
    return peer


VIDEO_ON_THE_PAGE = """() => {
  const desired = [], subscribed = [];
  for (const p of window.lectern.room.remoteParticipants.values()) {
    for (const pub of p.videoTrackPublications.values()) {
      if (pub.isDesired) desired.push(p.identity);
      if (pub.isSubscribed) subscribed.push(p.identity);
    }
  }
  const shown = [...document.querySelectorAll('.tile:not([data-local])')].map((t) => t.dataset.identity);
  return { desired: desired.sort(), subscribed: subscribed.sort(), shown: shown.sort() };
}"""


def subscribed_to_the_tiles_shown(page: Page) -> dict[str, list[str]]:
    """Wait until the page receives the video of every remote tile it shows and asks for no other."""
    return wait_for(
        lambda: (
            (video := page.evaluate(VIDEO_ON_THE_PAGE))["subscribed"] == video["shown"] == video["desired"] and video
        ),
        timeout=20,
        what="video subscriptions matching the tiles on the page",
    )


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_control_bar_is_in_view_and_the_mic_three_tabs_from_the_skip_link_with_twelve_people(
    new_context, peers, device: str
) -> None:
    page, room, host = host_in_room(new_context, viewport=VIEWPORTS[device], lobby=False)
    for index in range(11):
        admit_peer(peers, host, room, f"Student {index + 1}", index + 1).publish_camera()
    expect(page.locator(".tile[data-source='camera']")).not_to_have_count(0)
    page.wait_for_function("window.lectern.room.remoteParticipants.size >= 11")
    open_panel(page, "people")
    expect(page.locator("#participants-count")).to_have_text("12")

    viewport = VIEWPORTS[device]
    box = page.locator("#controls").bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    for control in ("#toggle-mic", "#toggle-camera", "#toggle-chat", "#toggle-people", "#leave"):
        expect(page.locator(control)).to_be_in_viewport(ratio=1)
    assert page.evaluate("document.scrollingElement.scrollTop") == 0
    assert page.evaluate("document.scrollingElement.scrollHeight <= window.innerHeight")

    # The speaker view's filmstrip holds one page of tiles: the DOM has the stage and that page, and
    # the page subscribes to their video only; the next page is a keyboard press away, announced.
    strip = page.locator(".filmstrip")
    page_size = int(strip.get_attribute("data-page-size") or 0)
    pages = -(-11 // page_size)  # the host's own tile and ten students share the strip
    assert 1 <= page_size < 11
    expect(strip.locator(".tile")).to_have_count(page_size)
    expect(page.locator(".tile")).to_have_count(page_size + 1)
    first = subscribed_to_the_tiles_shown(page)
    assert len(first["shown"]) in (page_size, page_size + 1)  # + the stage; - the host's own tile
    next_page = strip.get_by_role("button", name="Next page of participants")
    next_page.focus()
    page.keyboard.press("Enter")
    expect(strip.get_by_role("status")).to_have_text(f"Page 2 of {pages}")
    expect(strip.locator(".pager-count")).to_have_text(f"2/{pages}")
    second = subscribed_to_the_tiles_shown(page)
    assert len(second["shown"]) <= page_size + 1
    assert set(second["shown"]) - set(first["shown"]), "the second page shows other students"
    expect(page.locator(".tile")).to_have_count(min(page_size, 11 - page_size) + 1)

    # From the skip link, the mic is at most three Tab stops away.
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "toggle-mic":
            break
    expect(page.locator("#toggle-mic")).to_be_focused()
    # arrow keys move along the toolbar
    page.keyboard.press("ArrowRight")
    expect(page.locator("#toggle-mic")).not_to_be_focused()


def test_a_student_who_keeps_the_default_choices_publishes_no_microphone(new_context) -> None:
    page, room, _ = host_in_room(new_context)
    open_panel(page, "people")
    student = new_context().new_page()
    knock(student, room.code, "Grace")
    page.locator(".lobby-entry", has_text="Grace").get_by_role("button", name="Admit").click()
    wait_connected(student)
    identity = student.evaluate("window.lectern.room.localParticipant.identity")
    lecture_room = room.current_lecture().livekit_room

    def student_on_server():
        return next((p for p in livekit_server.list_participants(room=lecture_room) if p.identity == identity), None)

    # the camera is on by default: once it is published, the server knows every track of the student
    wait_for(lambda: (p := student_on_server()) is not None and p.published_tracks >= 1, what="the camera track")
    assert student_on_server().published_tracks == 1
    expect(student.locator("#toggle-mic")).to_have_attribute("aria-pressed", "false")


def test_a_knock_and_a_raised_hand_reach_the_host_as_toast_title_count_and_announcement(new_context) -> None:
    page, room, _ = host_in_room(new_context)
    student = new_context().new_page()
    knock(student, room.code, "Grace")

    toast = page.locator(".toast", has_text="Grace is waiting to join")
    expect(toast).to_be_visible()
    expect(page).to_have_title("(1) Algorithms · Lectern")
    expect(page.locator("#announcer")).to_have_text("Grace is waiting to join")
    expect(page.locator("#toggle-people .control-badge")).to_have_text("1")
    toast.get_by_role("button", name="Admit").click()
    wait_connected(student)
    expect(page).to_have_title("Algorithms · Lectern")

    student.click("#raise-hand")
    expect(student.locator("#raise-hand")).to_have_attribute("aria-pressed", "true")
    hand = page.locator(".toast", has_text="Grace raised their hand")
    expect(hand).to_be_visible()
    expect(page).to_have_title("(1) Algorithms · Lectern")
    identity = student.evaluate("window.lectern.room.localParticipant.identity")
    expect(page.locator(f'.tile[data-identity="{identity}"] .tile-hand')).to_be_visible()
    hand.get_by_role("button", name="Lower").click()
    expect(page).to_have_title("Algorithms · Lectern")


def test_ending_for_everyone_tears_every_call_down_with_the_next_step(new_context) -> None:
    page, room, _ = host_in_room(new_context)
    Room.objects.filter(pk=room.pk).update(attendees_see_lecture=True)
    open_panel(page, "people")
    student = new_context().new_page()
    knock(student, room.code, "Grace")
    page.locator(".lobby-entry", has_text="Grace").get_by_role("button", name="Admit").click()
    wait_connected(student)

    page.click("#leave")
    dialog = page.locator("#leave-dialog")
    expect(dialog.get_by_role("button", name="Leave (the lecture goes on)")).to_be_visible()
    dialog.get_by_role("button", name="End for everyone").click()

    for who in (page, student):
        expect(who.locator("#end-state")).to_contain_text("The lecture has ended")
        expect(who.locator("#controls")).to_have_count(0)
        expect(who.locator(".tile")).to_have_count(0)
        expect(who.locator("#chat-form")).to_have_count(0)
    lecture_link = student.get_by_role("link", name="Open the lecture page")
    expect(lecture_link).to_have_attribute("href", f"/lectures/{room.lectures.order_by('-id').first().pk}/")
    expect(page.get_by_role("link", name="Open the lecture page")).to_be_visible()


def test_the_servers_word_ends_the_call_when_livekits_goodbye_never_arrives(new_context) -> None:
    """LiveKit's "room deleted" can lose a race with the client's own reconnect (CI saw a student who had
    just joined come back into a new, empty room). Here the student's signalling connection stalls
    before the end: nothing LiveKit says reaches the page, and our server's "ended" still ends the call."""
    page, room, _ = host_in_room(new_context)
    open_panel(page, "people")
    student = new_context().new_page()
    stalled = {"on": False}

    def relay(ws) -> None:  # the page's websocket to LiveKit, forwarded both ways until it stalls
        server = ws.connect_to_server()
        ws.on_message(server.send)
        server.on_message(lambda message: None if stalled["on"] else ws.send(message))

    student.route_web_socket(lambda url: "/rtc" in url, relay)
    knock(student, room.code, "Grace")
    page.locator(".lobby-entry", has_text="Grace").get_by_role("button", name="Admit").click()
    wait_connected(student)
    identity = student.evaluate("window.lectern.room.localParticipant.identity")

    stalled["on"] = True
    page.click("#leave")
    page.locator("#leave-dialog").get_by_role("button", name="End for everyone").click()
    expect(student.locator("#end-state")).to_contain_text("The lecture has ended")
    expect(student.locator("#controls")).to_have_count(0)
    lecture_room = room.lectures.order_by("-id").first().livekit_room
    wait_for(
        lambda: identity not in {p.identity for p in livekit_server.list_participants(room=lecture_room)},
        what="the student's page to leave LiveKit",
    )


def test_a_rejected_student_sees_one_calm_page_without_call_ui(new_context) -> None:
    page, room, _ = host_in_room(new_context)
    open_panel(page, "people")
    student = new_context().new_page()
    knock(student, room.code, "Mallory")
    page.locator(".lobby-entry", has_text="Mallory").get_by_role("button", name="Reject").click()
    expect(student.locator("#end-state")).to_contain_text("The host didn't let you into this lecture.")
    expect(student.locator("#controls")).to_have_count(0)
    expect(student.get_by_role("link", name="Log in")).to_have_count(0)
    expect(student.get_by_role("link", name="Sign up")).to_have_count(0)
