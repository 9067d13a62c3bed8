"""Faults a deployment meets (issue 12), on the two web processes `make cluster` runs, each started
here as a process of its own (under honcho, one process dying stops them all), on a Redis of the
test's own that it may restart.

A real deployment puts a load balancer in front of the web processes; the page's socket
(frontend/src/lib/socket.js) reconnects to the same address with back-off, and the balancer sends
it to a process that is alive. Here the test plays the balancer: when a socket's process dies, the
client reconnects to the surviving one. What is proven is what the page relies on: the dead
process's sockets close (so the page reconnects), the other process re-sends the current state on
connect, and everything a host did is in Postgres, so nothing is lost."""

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from honcho.environ import parse_procfile

from accounts.models import User
from tests.conftest import run_async, wait_for
from tests.infra.conftest import ROOT, answers, port_open
from tests.infra.test_cluster import PUSH_TIMEOUT, Browser, create_and_open_room, host_session, next_status

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class WebProcesses:
    web: list[str]
    processes: list[subprocess.Popen[bytes]]
    redis_port: int
    redis_env: dict[str, str]

    def kill(self, index: int) -> None:
        """A crash: SIGKILL to the web process (and its shell) at once."""
        os.killpg(self.processes[index].pid, signal.SIGKILL)
        self.processes[index].wait(timeout=10)

    def restart_redis(self) -> None:
        """Redis stopped and started again, empty (nothing is persisted, as scripts/redis.sh runs it)."""
        for action in ("stop", "start"):
            subprocess.run(["scripts/redis.sh", action, "test-faults"], cwd=ROOT, env=self.redis_env, check=True)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
        subprocess.run(["scripts/redis.sh", "stop", "test-faults"], cwd=ROOT, env=self.redis_env, check=False)


@pytest.fixture
def webs(django_db_setup: Any, django_db_blocker: Any, livekit: None) -> Iterator[WebProcesses]:
    """web-a and web-b exactly as scripts/cluster.sh writes them, on the suite's LiveKit and database."""
    from django.db import connection

    settings = connection.settings_dict
    web_base = int(os.environ["TEST_WEB_PORT"])
    web_ports = [web_base + 1, web_base + 2]
    redis_port = web_base + 3  # a Redis of this module's own: the suite's LiveKit keeps the test Redis
    livekit_port = os.environ["LIVEKIT_TEST_PORT"]
    for port in [*web_ports, redis_port]:
        assert not port_open(port), f"port {port} is taken: an earlier run still up?"
    redis_env = dict(os.environ, REDIS_PORT_TEST=str(redis_port))
    subprocess.run(["scripts/redis.sh", "start", "test-faults"], cwd=ROOT, env=redis_env, check=True)
    name = f"faults-{os.environ.get('TEST_PROFILE', 'test')}"
    env = dict(
        os.environ,
        CLUSTER_NAME=name,
        CLUSTER_WEB_PORTS=" ".join(map(str, web_ports)),
        CLUSTER_LIVEKIT_PORTS=f"{livekit_port} {livekit_port}",
        REDIS_PORT_CLUSTER=str(redis_port),
        CLUSTER_REDIS_DB="0",
        DATABASE_URL=f"postgres://lectern@127.0.0.1:{settings['PORT']}/{settings['NAME']}",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    procfile = subprocess.run(
        ["scripts/cluster.sh", "procfile"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    commands = parse_procfile((ROOT / procfile).read_text()).processes
    processes = []
    for node in ("a", "b"):
        log = open(ROOT / "var" / f"{name}-web-{node}.log", "wb")  # noqa: SIM115 - the process holds it
        processes.append(
            subprocess.Popen(
                ["sh", "-c", f"exec env {commands[f'web-{node}']}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    running = WebProcesses(
        web=[f"http://127.0.0.1:{port}" for port in web_ports],
        processes=processes,
        redis_port=redis_port,
        redis_env=redis_env,
    )
    try:
        wait_for(
            lambda: all(answers(f"{url}/healthz") for url in running.web),
            timeout=60,
            interval=0.3,
            what=f"both web processes to be ready (logs var/{name}-web-*.log)",
        )
        yield running
    finally:
        running.stop()


def ws(url: str) -> str:
    return url.replace("http", "ws", 1)


async def closed(socket: aiohttp.ClientWebSocketResponse) -> bool:
    """Whether the server side went away: the socket closes (or errors) within the bound."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(PUSH_TIMEOUT):
            while True:
                message = await socket.receive()
                if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    return True
    return socket.closed


async def next_of(socket: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    """The next message of type `kind` (skipping others), within the push bound."""
    async with asyncio.timeout(PUSH_TIMEOUT):
        while (message := await socket.receive_json()).get("type") != kind:
            pass
    return message


def test_a_killed_web_process_closes_its_sockets_and_they_carry_on_on_the_other_losing_nothing(
    webs: WebProcesses, host: User
) -> None:
    web_a, web_b = webs.web
    sessionid = host_session(host)

    async def scenario() -> dict[str, Any]:
        professor = Browser.open(webs, sessionid=sessionid)  # type: ignore[arg-type]
        grace, alan = Browser.open(webs), Browser.open(webs)  # type: ignore[arg-type]
        try:
            code, _ = await create_and_open_room(professor, web_a, lobby=True)
            console = await professor.session.ws_connect(f"{ws(web_a)}/ws/rooms/{code}/host/", origin=web_a)
            assert (await next_of(console, "lobby.snapshot"))["waiting"] == []
            for student, name, fingerprint in ((grace, "Grace", "fp-fault-00001"), (alan, "Alan", "fp-fault-00002")):
                status, joined = await student.post(
                    f"{web_a}/api/v1/rooms/{code}/join", {"display_name": name, "fingerprint": fingerprint}
                )
                assert (status, joined["status"]) == (202, "waiting"), joined
            waiting_socket = await alan.session.ws_connect(f"{ws(web_a)}/ws/lobby/{code}/", origin=web_a)
            assert (await next_status(waiting_socket))["status"] == "waiting"
            # What the host did before the crash: admitted Grace, wrote to the chat.
            status, waiting = await professor.get(f"{web_a}/api/v1/rooms/{code}/lobby")
            grace_entry = next(entry for entry in waiting if entry["display_name"] == "Grace")
            assert (await professor.post(f"{web_a}/api/v1/rooms/{code}/lobby/{grace_entry['id']}/admit"))[0] == 200
            assert (await professor.post(f"{web_a}/api/v1/rooms/{code}/chat", {"text": "Welcome, all"}))[0] in (
                200,
                201,
            )

            await asyncio.to_thread(webs.kill, 0)
            assert await closed(console), "the host's socket on the dead process closes: the page reconnects"
            assert await closed(waiting_socket), "so does the waiting student's"

            console = await professor.session.ws_connect(f"{ws(web_b)}/ws/rooms/{code}/host/", origin=web_b)
            snapshot = await next_of(console, "lobby.snapshot")
            waiting_socket = await alan.session.ws_connect(f"{ws(web_b)}/ws/lobby/{code}/", origin=web_b)
            resent = await next_status(waiting_socket)
            status, chat = await professor.get(f"{web_b}/api/v1/rooms/{code}/chat")
            assert status == 200, chat
            status, waiting = await professor.get(f"{web_b}/api/v1/rooms/{code}/lobby")
            assert status == 200, waiting

            alan_entry = next(entry for entry in snapshot["waiting"] if entry["display_name"] == "Alan")
            assert (await professor.post(f"{web_b}/api/v1/rooms/{code}/lobby/{alan_entry['id']}/admit"))[0] == 200
            admitted = await next_status(waiting_socket)
            await console.close()
            await waiting_socket.close()
            return {"snapshot": snapshot, "resent": resent, "chat": chat, "waiting": waiting, "admitted": admitted}
        finally:
            for browser in (professor, grace, alan):
                await browser.session.close()

    seen = run_async(scenario())
    assert [entry["display_name"] for entry in seen["snapshot"]["waiting"]] == ["Alan"], "Grace stays admitted"
    assert seen["resent"]["status"] == "waiting", "the other process re-sends the waiting student's state"
    assert "Welcome, all" in str(seen["chat"]), "the host's chat message is kept"
    assert [entry["display_name"] for entry in seen["waiting"]] == ["Alan"]
    assert seen["admitted"]["status"] == "admitted" and seen["admitted"]["token"]


async def reconnect(browser: Browser, url: str, origin: str) -> aiohttp.ClientWebSocketResponse:
    """As the page's socket does: try again with back-off (bounded) until the process answers."""
    delay = 0.25
    async with asyncio.timeout(PUSH_TIMEOUT):
        while True:
            try:
                return await browser.session.ws_connect(url, origin=origin)
            except aiohttp.WSServerHandshakeError:  # a pooled Redis connection from before the restart
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2)


def test_after_a_redis_restart_every_socket_closes_for_the_page_to_reconnect_and_pushes_resume(
    webs: WebProcesses, host: User
) -> None:
    web_a, web_b = webs.web
    sessionid = host_session(host)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        professor = Browser.open(webs, sessionid=sessionid)  # type: ignore[arg-type]
        ada, alan = Browser.open(webs), Browser.open(webs)  # type: ignore[arg-type]
        try:
            code, _ = await create_and_open_room(professor, web_a, lobby=True)
            status, joined = await ada.post(
                f"{web_a}/api/v1/rooms/{code}/join", {"display_name": "Ada", "fingerprint": "fp-fault-00003"}
            )
            assert (status, joined["status"]) == (202, "waiting"), joined
            # Two sockets on one process: channels_redis reads for the whole process in one of them.
            console_url, lobby_url = f"{ws(web_b)}/ws/rooms/{code}/host/", f"{ws(web_b)}/ws/lobby/{code}/"
            console = await professor.session.ws_connect(console_url, origin=web_b)
            assert [e["display_name"] for e in (await next_of(console, "lobby.snapshot"))["waiting"]] == ["Ada"]
            waiting_socket = await ada.session.ws_connect(lobby_url, origin=web_b)
            assert (await next_status(waiting_socket))["status"] == "waiting"

            await asyncio.to_thread(webs.restart_redis)
            assert await closed(console), "the host's socket closes: its groups went with Redis"
            assert await closed(waiting_socket), "and so does the student's on the same process"

            console = await reconnect(professor, console_url, web_b)
            snapshot = await next_of(console, "lobby.snapshot")
            waiting_socket = await reconnect(ada, lobby_url, web_b)
            assert (await next_status(waiting_socket))["status"] == "waiting"
            status, joined = await alan.post(
                f"{web_a}/api/v1/rooms/{code}/join", {"display_name": "Alan", "fingerprint": "fp-fault-00004"}
            )
            assert status == 202, joined
            knock = await next_of(console, "lobby.knock")  # pushed by web A, through the new Redis
            ada_entry = snapshot["waiting"][0]
            assert (await professor.post(f"{web_a}/api/v1/rooms/{code}/lobby/{ada_entry['id']}/admit"))[0] == 200
            admitted = await next_status(waiting_socket)
            await console.close()
            await waiting_socket.close()
            return snapshot, knock, admitted
        finally:
            for browser in (professor, ada, alan):
                await browser.session.close()

    snapshot, knock, admitted = run_async(scenario())
    assert [entry["display_name"] for entry in snapshot["waiting"]] == ["Ada"], "the state is told again"
    assert knock["entry"]["display_name"] == "Alan"
    assert admitted["status"] == "admitted" and admitted["token"], "an admission crosses processes after the restart"
