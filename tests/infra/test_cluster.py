"""The cluster (issue 12): two web processes on one Channels Redis layer, two LiveKit nodes on one
Redis. Every step goes through the public routes of API.md, to the process the test names."""

import asyncio
import json
import secrets
from typing import Any

import aiohttp
import pytest
from django.test import Client
from yarl import URL

from accounts.models import User
from tests.conftest import logged_in, run_async, wait_for
from tests.infra.conftest import Cluster

pytestmark = pytest.mark.django_db(transaction=True)  # the cluster's processes read what the test writes
PUSH_TIMEOUT = 10.0


class Browser:
    """One person's cookies and CSRF token, sent to whichever web process a request names."""

    def __init__(self, session: aiohttp.ClientSession, csrf: str) -> None:
        self.session = session
        self.csrf = csrf

    @classmethod
    def open(cls, cluster: Cluster, *, sessionid: str | None = None) -> "Browser":
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for an IP address host
        csrf = secrets.token_hex(16)
        cookies = {"csrftoken": csrf} | ({"sessionid": sessionid} if sessionid else {})
        for url in cluster.web:  # cookies ignore the port, but say so for both processes
            jar.update_cookies(cookies, URL(url))
        return cls(aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=30)), csrf)

    async def post(self, url: str, data: Any = None) -> tuple[int, Any]:
        headers = {"X-CSRFToken": self.csrf, "Content-Type": "application/json"}
        async with self.session.post(url, data=json.dumps(data or {}), headers=headers) as response:
            return response.status, await response.json()

    async def get(self, url: str) -> tuple[int, Any]:
        async with self.session.get(url) as response:
            return response.status, await response.json()


def host_session(host: User) -> str:
    client: Client = logged_in(host)
    return client.cookies["sessionid"].value


async def create_and_open_room(professor: Browser, web: str, *, lobby: bool) -> tuple[str, dict[str, Any]]:
    status, room = await professor.post(f"{web}/api/v1/rooms", {"title": "CS 101 cluster", "lobby": lobby})
    assert status == 201, room
    status, credentials = await professor.post(f"{web}/api/v1/rooms/{room['code']}/token")
    assert status == 200, credentials
    return room["code"], credentials


async def next_status(socket: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await asyncio.wait_for(socket.receive_json(), timeout=PUSH_TIMEOUT)
    assert message["type"] == "lobby.status", message
    return message


def test_a_student_waiting_on_web_a_gets_the_token_when_the_host_admits_through_web_b(
    cluster: Cluster, host: User
) -> None:
    web_a, web_b = cluster.web
    sessionid = host_session(host)

    async def scenario() -> dict[str, Any]:
        professor = Browser.open(cluster, sessionid=sessionid)
        student = Browser.open(cluster)
        try:
            code, _ = await create_and_open_room(professor, web_b, lobby=True)
            status, joined = await student.post(
                f"{web_a}/api/v1/rooms/{code}/join", {"display_name": "Grace", "fingerprint": "fp-cluster-0001"}
            )
            assert (status, joined["status"]) == (202, "waiting"), joined
            socket = await student.session.ws_connect(f"{web_a.replace('http', 'ws')}/ws/lobby/{code}/", origin=web_a)
            assert (await next_status(socket))["status"] == "waiting"

            status, waiting = await professor.get(f"{web_b}/api/v1/rooms/{code}/lobby")
            assert status == 200 and [entry["display_name"] for entry in waiting] == ["Grace"]
            status, body = await professor.post(f"{web_b}/api/v1/rooms/{code}/lobby/{waiting[0]['id']}/admit")
            assert status == 200, body

            admitted = await next_status(socket)
            await socket.close()
            return admitted
        finally:
            await professor.session.close()
            await student.session.close()

    admitted = run_async(scenario())
    assert admitted["status"] == "admitted"
    assert admitted["token"] and admitted["identity"]
    # Minted by web B, which admitted (it hands out node B), and pushed to web A over Redis.
    assert admitted["livekit_url"] == cluster.livekit[1]


def test_a_knock_on_web_b_reaches_the_hosts_socket_on_web_a(cluster: Cluster, host: User) -> None:
    web_a, web_b = cluster.web
    sessionid = host_session(host)

    async def scenario() -> dict[str, Any]:
        professor = Browser.open(cluster, sessionid=sessionid)
        student = Browser.open(cluster)
        try:
            code, _ = await create_and_open_room(professor, web_a, lobby=True)
            socket = await professor.session.ws_connect(
                f"{web_a.replace('http', 'ws')}/ws/rooms/{code}/host/", origin=web_a
            )
            snapshot = await asyncio.wait_for(socket.receive_json(), timeout=PUSH_TIMEOUT)
            assert snapshot == {"type": "lobby.snapshot", "waiting": []}, snapshot
            status, joined = await student.post(
                f"{web_b}/api/v1/rooms/{code}/join", {"display_name": "Ada", "fingerprint": "fp-cluster-0003"}
            )
            assert status == 202, joined
            async with asyncio.timeout(PUSH_TIMEOUT):  # skip anything else the host's socket is told
                while (message := await socket.receive_json()).get("type") != "lobby.knock":
                    pass
            await socket.close()
            return message
        finally:
            await professor.session.close()
            await student.session.close()

    knock = run_async(scenario())
    assert knock["entry"]["display_name"] == "Ada"


def test_admit_all_hands_each_waiting_student_its_own_token_on_either_process(cluster: Cluster, host: User) -> None:
    """The room's waiting sockets get a batch as one layer message per process (core/fanout.py):
    students on both processes, one of them with a second tab, and the host on web B."""
    web_a, web_b = cluster.web
    sessionid = host_session(host)

    async def scenario() -> tuple[dict[str, list[dict[str, Any]]], int]:
        professor = Browser.open(cluster, sessionid=sessionid)
        students = {name: Browser.open(cluster) for name in ("Grace", "Alan", "Ada")}
        homes = {"Grace": [web_a, web_b], "Alan": [web_a], "Ada": [web_b]}  # Grace has a tab on each
        try:
            code, _ = await create_and_open_room(professor, web_b, lobby=True)
            sockets: dict[str, list[aiohttp.ClientWebSocketResponse]] = {}
            for n, (name, browser) in enumerate(students.items()):
                status, joined = await browser.post(
                    f"{homes[name][0]}/api/v1/rooms/{code}/join",
                    {"display_name": name, "fingerprint": f"fp-batch-{n:06}"},
                )
                assert (status, joined["status"]) == (202, "waiting"), joined
                sockets[name] = []
                for web in homes[name]:
                    socket = await browser.session.ws_connect(
                        f"{web.replace('http', 'ws')}/ws/lobby/{code}/", origin=web
                    )
                    assert (await next_status(socket))["status"] == "waiting"
                    sockets[name].append(socket)

            status, body = await professor.post(
                f"{web_b}/api/v1/rooms/{code}/lobby/message", {"message": "Two minutes"}
            )
            assert status == 200, body
            for name, held in sockets.items():
                for socket in held:
                    assert (await next_status(socket)).get("message") == "Two minutes", name

            status, body = await professor.post(f"{web_b}/api/v1/rooms/{code}/lobby/admit-all")
            assert status == 200, body
            received = {name: [await next_status(socket) for socket in held] for name, held in sockets.items()}
            for held in sockets.values():
                for socket in held:
                    await socket.close()
            return received, body["count"]
        finally:
            await professor.session.close()
            for browser in students.values():
                await browser.session.close()

    received, count = run_async(scenario())
    assert count == 3
    identities = {}
    for name, messages in received.items():
        assert all(message["status"] == "admitted" and message["token"] for message in messages), messages
        assert len({message["identity"] for message in messages}) == 1, f"{name}'s tabs got different tokens"
        identities[name] = messages[0]["identity"]
    assert len(set(identities.values())) == 3  # each student its own token, never another's


def test_a_participant_on_node_a_and_one_on_node_b_each_receive_the_others_track(
    cluster: Cluster, host: User, peers: Any
) -> None:
    web_a, web_b = cluster.web
    sessionid = host_session(host)

    async def tokens() -> tuple[dict[str, Any], dict[str, Any]]:
        professor = Browser.open(cluster, sessionid=sessionid)
        student = Browser.open(cluster)
        try:
            code, host_credentials = await create_and_open_room(professor, web_a, lobby=False)
            status, joined = await student.post(
                f"{web_b}/api/v1/rooms/{code}/join", {"display_name": "Alan", "fingerprint": "fp-cluster-0002"}
            )
            assert (status, joined["status"]) == (200, "admitted"), joined
            return host_credentials, joined
        finally:
            await professor.session.close()
            await student.session.close()

    host_credentials, student_credentials = run_async(tokens())
    assert host_credentials["livekit_url"] == cluster.livekit[0]
    assert student_credentials["livekit_url"] == cluster.livekit[1]

    on_a = peers.connect(host_credentials)
    on_b = peers.connect(student_credentials)
    on_a.publish_tone()
    on_b.publish_tone()

    def receives_track_of(peer: Any, other: Any) -> bool:
        remote = peer.room.remote_participants.get(other.identity)
        return remote is not None and any(pub.track is not None for pub in remote.track_publications.values())

    wait_for(lambda: receives_track_of(on_a, on_b), timeout=20, what="node A's participant to receive B's track")
    wait_for(lambda: receives_track_of(on_b, on_a), timeout=20, what="node B's participant to receive A's track")
    assert on_a.room.name == on_b.room.name
