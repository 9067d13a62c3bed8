"""Roles spelled out as fixtures, plus the real services the tests run against."""

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import OperationalError
from django.db.backends.base.operations import BaseDatabaseOperations
from django.test import Client

from accounts.models import User
from rooms import livekit_server
from rooms.models import Room
from rooms.services import create_room

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
TEST_WEB_PORT = int(os.environ["TEST_WEB_PORT"])
# the test egress's health endpoint (scripts/egress.sh), answering only while the egress fixture runs
EGRESS_HEALTH_URL_TEST = f"http://127.0.0.1:{os.environ.get('EGRESS_HEALTH_PORT_TEST', '9290')}/"


def _flush_retrying_deadlocks(original: Callable[..., Any]) -> Callable[..., Any]:
    """Transactional tests end with a TRUNCATE while LiveKit may still be delivering webhooks to the
    daphne test process; PostgreSQL then breaks the lock cycle by cancelling one side. Retry ours."""

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        for attempt in range(10):
            try:
                return original(self, sql_list)
            except OperationalError as exc:
                if "deadlock" not in str(exc) or attempt == 9:
                    raise
                time.sleep(0.1)

    return execute_sql_flush


BaseDatabaseOperations.execute_sql_flush = _flush_retrying_deadlocks(  # type: ignore[method-assign]
    BaseDatabaseOperations.execute_sql_flush
)


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a private loop in a worker thread (the browser tests keep
    an event loop in the main thread for the whole session)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def wait_for(condition: Callable[[], Any], *, timeout: float = 15.0, interval: float = 0.1, what: str = "") -> Any:
    """Poll until condition() is truthy and return it; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(interval)


def stop(process: subprocess.Popen[Any], log: Any = None) -> None:
    """Stop a server a fixture started: SIGTERM, then SIGKILL after 10 s; close its log."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if log is not None:
        log.close()


@pytest.fixture
def admin(db: Any) -> User:
    return User.objects.create_user("admin@uni.example", "correct-horse-battery", role=User.Role.ADMIN)


@pytest.fixture
def host(db: Any) -> User:
    return User.objects.create_user("prof@uni.example", "correct-horse-battery", first_name="Ada", last_name="Prof")


@pytest.fixture
def outsider(db: Any) -> User:
    """Another professor: an account, but not this room's host."""
    return User.objects.create_user("other@uni.example", "correct-horse-battery")


@pytest.fixture
def room(host: User) -> Room:
    return create_room(host=host, title="CS 101 — Data structures")


def logged_in(user: User) -> Client:
    """A test client with `user`'s session."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def host_client(host: User) -> Client:
    return logged_in(host)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return logged_in(outsider)


@pytest.fixture
def admin_client(admin: User) -> Client:  # type: ignore[override]
    return logged_in(admin)


@pytest.fixture
def peers(livekit: None) -> Iterator[Any]:
    """Python rtc SDK participants that stay connected while a synchronous test goes on."""
    from tests.peers import PeerLoop

    loop = PeerLoop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def livekit() -> None:
    """The real livekit-server that scripts/test.sh started; the tests fail, not skip, without it."""
    deadline = time.monotonic() + 20
    while True:
        try:
            livekit_server.ping()
            return
        except livekit_server.LiveKitError as exc:
            if time.monotonic() > deadline:
                pytest.fail(f"livekit-server is not running (start the suite with `make test`): {exc}")
            time.sleep(0.2)


@pytest.fixture(scope="session")
def web_server(django_db_setup: Any, django_db_blocker: Any, livekit: None) -> Iterator[str]:
    """Our ASGI app under daphne, on the port LiveKit's test webhooks point at, using the test database."""
    from django.db import connection

    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    name = connection.settings_dict["NAME"]
    env["DATABASE_URL"] = f"postgres://lectern@127.0.0.1:{connection.settings_dict['PORT']}/{name}"
    env["PORT"] = str(TEST_WEB_PORT)
    env["EGRESS_HEALTH_URL"] = EGRESS_HEALTH_URL_TEST  # as in make dev: Record asks the recorder first
    log = open(ROOT / "var" / f"web-test-{TEST_WEB_PORT}.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(TEST_WEB_PORT), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{TEST_WEB_PORT}"

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail(f"daphne exited with {process.returncode}; see var/web-test-{TEST_WEB_PORT}.log")
        try:
            with urllib.request.urlopen(f"{url}/livez", timeout=2) as response:  # noqa: S310 - our loopback URL
                return bool(response.status == 200)
        except OSError:
            return False

    try:
        # /livez, not /healthz: /healthz also asks the egress, which runs only once the egress fixture is up
        wait_for(answers, timeout=30, interval=0.2, what="daphne to answer /livez")
        yield url
    finally:  # also when it never answered: a daphne left behind keeps the test database open
        stop(process, log)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Browser tests last: Playwright keeps an event loop in the main thread from its first use to the
    end of the session, and pytest-asyncio's tests need that thread free of a running loop."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(autouse=True)
def webhooks_applied() -> Iterator[None]:
    """The webhook endpoint applies events on worker threads: let them finish inside the test."""
    yield
    from webhooks.dispatch import drain

    drain()
