"""Polls and reactions in a live lecture: the sender is the session, votes count once per student."""

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from courses.interaction import close_at_its_time
from courses.models import Poll, PollVote, Reaction
from lectures.life import open_room
from participants.broadcasts import hosts_group, lecture_group
from rooms.models import Lecture, Room
from rooms.services import create_room
from tests.courses.conftest import Clock, post, run_worker


@pytest.fixture
def live(livekit: None, host: User) -> tuple[Room, Lecture]:
    room = create_room(host=host, title="Live course", lobby=False)
    return room, open_room(room=room)


def _student(room: Room, name: str) -> Client:
    client = Client()
    response = post(
        client,
        f"/api/v1/rooms/{room.code}/join",
        {"display_name": name, "fingerprint": f"fp-{name.lower()}-0001"},
    )
    assert response.status_code == 200, response.content
    return client


class Listener:
    """A channel in a push group: what the room's sockets would be sent."""

    def __init__(self, group: str) -> None:
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        async_to_sync(self.layer.group_add)(group, self.channel)

    def messages(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            try:
                event = async_to_sync(self._receive)()
            except TimeoutError:
                return found
            found.append(event["message"])

    async def _receive(self) -> dict[str, Any]:
        import asyncio

        return await asyncio.wait_for(self.layer.receive(self.channel), timeout=0.2)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Iterator[Any]:
    yield lambda: django_capture_on_commit_callbacks(execute=True)


def test_two_students_vote_one_changes_and_the_results_are_right(
    live: tuple[Room, Lecture], host_client: Client, on_commit: Any
) -> None:
    room, lecture = live
    grace, alan = _student(room, "Grace"), _student(room, "Alan")
    hosts = Listener(f"{hosts_group(room.pk)}.live")
    everyone = Listener(lecture_group(lecture.pk))
    with on_commit():
        response = post(
            host_client,
            f"/api/v1/rooms/{room.code}/polls",
            {"question": "Which is faster?", "options": ["Heap", "List", "Tree"]},
        )
    assert response.status_code == 201, response.content
    poll_id = response.json()["id"]
    assert [m["type"] for m in everyone.messages()] == ["poll.opened"]

    with on_commit():
        assert post(grace, f"/api/v1/rooms/{room.code}/polls/{poll_id}/vote", {"choices": [1]}).status_code == 200
        assert post(alan, f"/api/v1/rooms/{room.code}/polls/{poll_id}/vote", {"choices": [0]}).status_code == 200
        changed = post(grace, f"/api/v1/rooms/{room.code}/polls/{poll_id}/vote", {"choices": [0]})
    assert (changed.json()["my_choices"] == [0] and "counts" not in changed.json()) or changed.json()["counts"] is None
    last = hosts.messages()[-1]["poll"]
    assert last["counts"] == [2, 0, 0] and last["votes"] == 2
    assert everyone.messages() == []  # while the results are hidden, a vote tells the students nothing

    assert grace.get(f"/api/v1/rooms/{room.code}/polls/{poll_id}").status_code == 403
    read = host_client.get(f"/api/v1/rooms/{room.code}/polls/{poll_id}").json()
    assert read["counts"] == [2, 0, 0] and read["votes"] == 2 and read["closed"] is False
    assert sorted(b["name"] for b in read["ballots"]) == ["Alan", "Grace"]

    with on_commit():
        post(host_client, f"/api/v1/rooms/{room.code}/polls/{poll_id}/results", {"shown": True})
        post(alan, f"/api/v1/rooms/{room.code}/polls/{poll_id}/vote", {"choices": [1]})
    assert [m["poll"]["counts"] for m in everyone.messages()] == [[2, 0, 0], [1, 1, 0]]  # shown: each vote too
    assert grace.get(f"/api/v1/rooms/{room.code}/polls/{poll_id}").json()["counts"] == [1, 1, 0]
    assert post(host_client, f"/api/v1/rooms/{room.code}/polls/{poll_id}/close", {}).json()["closed"] is True
    late = post(alan, f"/api/v1/rooms/{room.code}/polls/{poll_id}/vote", {"choices": [2]})
    assert late.status_code == 409


@pytest.mark.django_db(transaction=True)  # the task worker commits
def test_a_timed_poll_closes_at_its_time_and_the_server_tells_everyone(
    live: tuple[Room, Lecture], host_client: Client, on_commit: Any, clock: Clock
) -> None:
    room, lecture = live
    grace = _student(room, "Grace")
    hosts = Listener(f"{hosts_group(room.pk)}.live")
    everyone = Listener(lecture_group(lecture.pk))
    with on_commit():
        body = {"question": "Ready?", "options": ["Yes", "No"], "duration_seconds": 30}
        poll_id = post(host_client, f"/api/v1/rooms/{room.code}/polls", body).json()["id"]
    poll = Poll.objects.get(pk=poll_id)
    assert poll.closes_at is not None
    queued = DBTaskResult.objects.get(task_path="courses.tasks.close_timed_poll")
    assert queued.run_after == poll.closes_at and queued.args_kwargs["args"] == [poll_id]
    everyone.messages(), hosts.messages()

    run_worker()  # not yet its time: the worker leaves it
    assert Poll.objects.get(pk=poll_id).closed_at is None and everyone.messages() == []
    assert post(grace, f"/api/v1/rooms/{room.code}/polls/{poll_id}/vote", {"choices": [0]}).status_code == 200

    clock.set(poll.closes_at + timedelta(seconds=1))
    with on_commit():
        run_worker()
    assert Poll.objects.get(pk=poll_id).closed_at == poll.closes_at
    told = [m for m in everyone.messages() if m["type"] == "poll.closed"]
    assert len(told) == 1 and told[0]["poll"]["closed"] is True and "counts" not in told[0]["poll"]
    host_told = [m for m in hosts.messages() if m["type"] == "poll.closed"]
    assert len(host_told) == 1 and host_told[0]["poll"]["counts"] == [1, 0]
    late = post(grace, f"/api/v1/rooms/{room.code}/polls/{poll_id}/vote", {"choices": [1]})
    assert late.status_code == 409
    assert close_at_its_time(poll_id=poll_id) is None, "closed once"


def test_votes_are_checked_and_only_students_vote(live: tuple[Room, Lecture], host_client: Client) -> None:
    room, _ = live
    grace = _student(room, "Grace")
    poll = post(
        host_client,
        f"/api/v1/rooms/{room.code}/polls",
        {"question": "Pick two", "options": ["a", "b", "c"], "multiple": True},
    ).json()
    url = f"/api/v1/rooms/{room.code}/polls/{poll['id']}/vote"
    assert post(grace, url, {"choices": [0, 2]}).status_code == 200
    assert post(grace, url, {"choices": [3]}).status_code == 400
    assert post(grace, url, {"choices": [1, 1]}).status_code == 400
    assert post(host_client, url, {"choices": [0]}).status_code == 403
    assert post(Client(), url, {"choices": [0]}).status_code == 401
    assert (
        post(grace, f"/api/v1/rooms/{room.code}/polls", {"question": "Mine?", "options": ["a", "b"]}).status_code == 403
    )
    bad = post(host_client, f"/api/v1/rooms/{room.code}/polls", {"question": "One?", "options": ["only"]})
    assert bad.status_code == 400 and "options" in bad.json()["detail"]
    nine = post(host_client, f"/api/v1/rooms/{room.code}/polls", {"question": "Nine?", "options": list("abcdefghi")})
    assert nine.status_code == 400


def test_anonymous_polls_store_no_names(live: tuple[Room, Lecture], host_client: Client) -> None:
    room, _ = live
    grace = _student(room, "Grace")
    poll = post(
        host_client,
        f"/api/v1/rooms/{room.code}/polls",
        {"question": "Honestly?", "options": ["y", "n"], "anonymous": True},
    ).json()
    post(grace, f"/api/v1/rooms/{room.code}/polls/{poll['id']}/vote", {"choices": [1]})
    post(grace, f"/api/v1/rooms/{room.code}/polls/{poll['id']}/vote", {"choices": [0]})
    (vote,) = PollVote.objects.all()
    assert vote.guest is None and "Grace" not in json.dumps(vote.choices) and len(vote.voter_key) == 64
    read = host_client.get(f"/api/v1/rooms/{room.code}/polls/{poll['id']}").json()
    assert read["counts"] == [1, 0] and read.get("ballots") is None


def test_reactions_reach_the_room_and_are_rate_limited_per_student(
    live: tuple[Room, Lecture], host_client: Client, on_commit: Any
) -> None:
    room, lecture = live
    grace, alan = _student(room, "Grace"), _student(room, "Alan")
    everyone = Listener(lecture_group(lecture.pk))
    hosts = Listener(f"{hosts_group(room.pk)}.live")
    url = f"/api/v1/rooms/{room.code}/reactions"
    with on_commit():
        statuses = [post(grace, url, {"kind": "clap"}).status_code for _ in range(11)]
    assert statuses == [202] * 10 + [429]
    assert post(alan, url, {"kind": "clap"}).status_code == 202  # per student
    assert [m for m in everyone.messages()] == [{"type": "reaction", "kind": "clap"}] * 10

    with on_commit():
        assert post(grace, url, {"kind": "lost"}).status_code == 202
        assert post(alan, url, {"kind": "lost"}).status_code == 202
        again = post(grace, url, {"kind": "lost"})
    assert again.status_code == 429 and int(again["Retry-After"]) > 0
    gauges = [m for m in hosts.messages() if m["type"] == "pulse"]
    assert gauges[-1] == {"type": "pulse", "lost": 2, "slow_down": 0}
    assert not [m for m in everyone.messages() if m.get("kind") == "lost"]  # no one else sees who is lost
    assert post(grace, url, {"kind": "dance"}).status_code == 400
    assert Reaction.objects.filter(lecture=lecture).count() == 13
