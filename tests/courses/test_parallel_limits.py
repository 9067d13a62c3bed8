"""Rate limits hold when a student's requests race each other, and votes have one too."""

from http.cookies import SimpleCookie

import pytest
from django.test import Client

from accounts.models import User
from core.models import RateLimitHit
from courses.interaction import REACTIONS_PER_WINDOW, VOTES_PER_WINDOW
from courses.models import Reaction
from lectures.life import open_room
from rooms.models import Lecture, Room
from rooms.services import create_room
from tests.courses.conftest import post
from tests.courses.test_interaction import _student
from tests.parallel import all_at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(livekit: None, host: User) -> tuple[Room, Lecture]:
    room = create_room(host=host, title="Live course", lobby=False)
    return room, open_room(room=room)


def _same_browser(cookies: SimpleCookie) -> Client:
    client = Client()
    client.cookies = SimpleCookie(cookies.output(header="", sep="\n"))
    return client


def test_twenty_reactions_sent_at_once_pass_the_limit_only_ten_times(live: tuple[Room, Lecture]) -> None:
    room, lecture = live
    grace = _student(room, "Grace")
    url = f"/api/v1/rooms/{room.code}/reactions"

    statuses = all_at_once(20, lambda _: post(_same_browser(grace.cookies), url, {"kind": "clap"}).status_code)

    assert sorted(statuses) == [202] * REACTIONS_PER_WINDOW + [429] * (20 - REACTIONS_PER_WINDOW)
    assert Reaction.objects.filter(lecture=lecture).count() == REACTIONS_PER_WINDOW
    assert RateLimitHit.objects.filter(key__startswith="reaction:").count() == REACTIONS_PER_WINDOW


def test_a_student_changes_a_vote_a_few_times_then_waits(live: tuple[Room, Lecture], host_client: Client) -> None:
    room, _ = live
    grace, alan = _student(room, "Grace"), _student(room, "Alan")
    polls = [
        post(host_client, f"/api/v1/rooms/{room.code}/polls", {"question": q, "options": ["a", "b"]}).json()["id"]
        for q in ("First?", "Second?")
    ]
    url = f"/api/v1/rooms/{room.code}/polls/{polls[0]}/vote"
    statuses = [post(grace, url, {"choices": [n % 2]}).status_code for n in range(VOTES_PER_WINDOW + 1)]
    assert statuses == [200] * VOTES_PER_WINDOW + [429]
    refused = post(grace, url, {"choices": [1]})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0 and "votes" in refused.json()["detail"]
    assert post(grace, url, {"choices": [7]}).status_code == 400  # bad ballots are refused before counting
    assert post(alan, url, {"choices": [0]}).status_code == 200  # per student
    assert post(grace, f"/api/v1/rooms/{room.code}/polls/{polls[1]}/vote", {"choices": [0]}).status_code == 200
    # Grace's fifth vote ("a") stands, not the refused ones ("b"); Alan's "a" counts too
    assert host_client.get(f"/api/v1/rooms/{room.code}/polls/{polls[0]}").json()["counts"] == [2, 0]
