"""In Chromium: the host runs a poll and watches the results arrive; a student answers (and changes
the answer) from the phone layout, sees the results once shown, and their reaction bursts over the
host's stage while their "I'm lost" moves the host's gauge without a name."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.room import wait_connected
from tests.e2e.test_room_ui import VIEWPORTS, host_in_room

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def join_from_a_phone(new_context, code: str, name: str) -> Page:  # type: ignore[no-untyped-def]
    page = new_context(viewport=VIEWPORTS["phone"], has_touch=True, is_mobile=True).new_page()
    page.goto(f"/j/{code}")
    page.fill("#join-name", name)
    page.click("#join-submit")
    wait_connected(page)
    return page


def test_a_poll_runs_live_from_host_to_phone_and_reactions_reach_the_hosts_stage(new_context) -> None:  # type: ignore[no-untyped-def]
    host, room, _ = host_in_room(new_context, lobby=False)
    student = join_from_a_phone(new_context, room.code, "Grace")

    host.click("#toggle-polls")
    panel = host.locator("#polls-panel")
    expect(panel.get_by_role("heading", name="Polls")).to_be_visible()
    host.fill("#poll-question", "Which structure has O(1) <b>push</b>?")
    host.fill("#poll-option-0", "Heap")
    host.fill("#poll-option-1", "List")
    host.click("#poll-add-option")
    host.fill("#poll-option-2", "Tree")
    host.click("#poll-ask")
    card = panel.locator(".poll").first
    expect(card.locator(".poll-question")).to_have_text("Which structure has O(1) <b>push</b>?")  # text, not HTML
    expect(card.locator(".poll-results")).to_have_attribute("data-votes", "0")

    # The student hears of the poll (toast and live region) and answers in the phone's sheet.
    toast = student.locator(".toast", has_text="New poll: Which structure")
    expect(toast).to_be_visible()
    expect(student.locator("#announcer")).to_have_text("New poll: Which structure has O(1) <b>push</b>?")
    toast.get_by_role("button", name="Answer").click()
    ballot = student.locator("#polls-panel .poll").first
    expect(ballot).to_be_in_viewport()
    expect(ballot.locator(".poll-results")).to_have_count(0)  # results are the host's until shown
    ballot.get_by_label("Heap").check()
    ballot.get_by_role("button", name="Answer").click()
    expect(ballot.locator(".poll-mine")).to_contain_text("Your answer: Heap")
    expect(card.locator(".poll-result").nth(0)).to_have_attribute("data-count", "1")
    expect(card.locator(".poll-results")).to_have_attribute("data-votes", "1")
    expect(card.locator(".poll-ballots")).to_contain_text("Grace")

    ballot.get_by_label("List").check()
    ballot.get_by_role("button", name="Change my answer").click()
    expect(card.locator(".poll-result").nth(1)).to_have_attribute("data-count", "1")
    expect(card.locator(".poll-result").nth(0)).to_have_attribute("data-count", "0")
    expect(card.locator(".poll-results")).to_have_attribute("data-votes", "1")

    card.get_by_label("Show the results to students").check()
    expect(ballot.locator(".poll-result").nth(1)).to_have_attribute("data-count", "1")
    assert_accessible(student, "the student's poll on a phone")
    assert_accessible(host, "the host's poll panel with live results")
    card.get_by_role("button", name="Close the poll").click()
    expect(ballot.get_by_text("Closed")).to_be_visible()
    expect(ballot.get_by_label("Tree")).to_be_disabled()

    # A reaction from the phone bursts over the host's stage; "I'm lost" reaches only the gauge.
    student.click("#toggle-reactions")
    student.locator("#reaction-menu").get_by_role("button", name="Applause").click()
    expect(host.locator('#reaction-burst .burst[data-kind="clap"]')).to_be_attached()
    student.click("#toggle-reactions")
    student.locator("#reaction-menu").get_by_role("button", name="I'm lost").click()
    expect(student.locator("#reaction-menu .reaction-status")).to_contain_text("not who")
    expect(host.locator("#pulse-lost + .pulse-count")).to_have_attribute("data-count", "1")
    expect(host.locator("#pulse-gauge")).not_to_contain_text("Grace")
    assert_accessible(student, "the student's reaction menu")
