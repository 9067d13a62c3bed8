"""livekit-server killed mid-lecture and started again (issue 12): the room page says "reconnecting",
reconnects by itself, the lecture goes on, and what LiveKit never reported is reconciled.

The suite's LiveKit serves every other test, so this one runs a livekit-server and a web process of
its own (on the ports the cluster tests use: web + 1, LiveKit + 3), killed with SIGKILL, as a crash
(livekit-server does not exit on SIGTERM while participants are connected). Alone, without Redis,
the node forgets its rooms: the harder case, the clients recreate the room when they reconnect."""

import dataclasses
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from lectures.attendance import reconcile_attendance
from lectures.models import AttendanceInterval
from rooms.models import Lecture
from rooms.services import create_room
from tests.agent.test_captions import guest_credentials
from tests.conftest import wait_for
from tests.e2e.conftest import PASSWORD, log_in
from tests.e2e.room import open_lecture, wait_connected
from tests.infra.conftest import ROOT, port_open

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our loopback URLs
            return bool(response.status == 200)
    except OSError:
        return False


@dataclass
class Stack:
    web: str
    livekit_url: str
    livekit_env: dict[str, str]
    name: str
    livekit: subprocess.Popen[bytes] | None = None
    daphne: subprocess.Popen[bytes] | None = None

    def start_livekit(self) -> None:
        with open(ROOT / "var" / f"livekit-{self.name}.log", "ab") as log:
            self.livekit = subprocess.Popen(
                ["scripts/livekit.sh", "run", self.name],
                cwd=ROOT,
                env=self.livekit_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        http = self.livekit_url.replace("ws://", "http://")
        wait_for(lambda: answers(http), timeout=30, interval=0.2, what=f"livekit-server at {http}")

    def kill_livekit(self) -> None:
        assert self.livekit is not None
        os.killpg(self.livekit.pid, signal.SIGKILL)
        self.livekit.wait(timeout=10)

    def stop(self) -> None:
        for process in (self.livekit, self.daphne):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def stack(django_db_setup: Any, django_db_blocker: Any, livekit: None, settings: Any) -> Iterator[Stack]:
    from django.db import connection

    web_port = int(os.environ["TEST_WEB_PORT"]) + 1
    livekit_port = int(os.environ["LIVEKIT_TEST_PORT"]) + 3
    for port in (web_port, livekit_port, livekit_port + 1):
        assert not port_open(port), f"port {port} is taken: an earlier run still up?"
    name = f"restart-{os.environ.get('TEST_PROFILE', 'test')}"
    livekit_url = f"ws://127.0.0.1:{livekit_port}"
    running = Stack(
        web=f"http://127.0.0.1:{web_port}",
        livekit_url=livekit_url,
        livekit_env=dict(os.environ, LIVEKIT_PORT=str(livekit_port), WEB_PORT=str(web_port)),
        name=name,
    )
    env = dict(os.environ, LIVEKIT_URL=livekit_url, PORT=str(web_port), WEB_PORT=str(web_port))
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["DATABASE_URL"] = (
        f"postgres://lectern@127.0.0.1:{connection.settings_dict['PORT']}/{connection.settings_dict['NAME']}"
    )
    settings.LIVEKIT_URL = livekit_url  # the test's own calls (tokens, reconciliation) go to this node
    try:
        running.start_livekit()
        with open(ROOT / "var" / f"web-{name}.log", "wb") as log:
            running.daphne = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(web_port), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(lambda: answers(f"{running.web}/healthz"), timeout=30, interval=0.2, what="the web process")
        yield running
    finally:
        running.stop()


def open_interval(lecture: Lecture, identity: str) -> bool:
    return AttendanceInterval.objects.filter(lecture=lecture, identity=identity, left_at__isnull=True).exists()


def test_a_lecture_goes_on_when_livekit_is_killed_and_restarted(new_context, stack: Stack, peers: Any) -> None:
    user = User.objects.create_user("prof@uni.example", PASSWORD, first_name="Ada", last_name="Lovelace")
    room = create_room(host=user, title="CS 101 through a crash", lobby=False, ai_assistant=False)
    page = new_context().new_page()
    log_in(page, user)  # the session cookie is for 127.0.0.1, whichever port
    page.goto(f"{stack.web}/rooms/{room.code}/")
    open_lecture(page)
    lecture = Lecture.objects.get(room=room, status=Lecture.Status.LIVE)
    host_identity = page.evaluate("window.lectern.room.localParticipant.identity")
    # A student who will not come back: LiveKit dies before it can report them leaving.
    credentials = dataclasses.replace(guest_credentials(lecture, "Grace Student"), livekit_url=stack.livekit_url)
    student = peers.connect(dataclasses.asdict(credentials))
    wait_for(lambda: open_interval(lecture, student.identity), timeout=15, what="the student's join (webhook)")

    stack.kill_livekit()
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "reconnecting", timeout=20_000)
    peers.run(student.room.disconnect(), timeout=10)
    stack.start_livekit()
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "connected", timeout=60_000)
    wait_connected(page)

    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.LIVE, "the lecture goes on"
    expect(page.locator("#end-state")).to_have_count(0)
    assert page.evaluate("window.lectern.room.localParticipant.identity") == host_identity
    assert open_interval(lecture, student.identity), "LiveKit never said the student left"
    reconcile_attendance(lecture=lecture)  # what the task worker runs every 30 s for a live lecture
    assert not open_interval(lecture, student.identity), "reconciled: the student left"
    assert open_interval(lecture, host_identity), "the host is still there"
