"""Lobby burst: N students knock, the professor clicks "admit all"; how fast does each token arrive?

    .venv/bin/python bench/lobby_burst.py [--students 500] [--profile] [--cluster]

--cluster: two daphne processes on the Channels Redis layer (and a Redis of the bench's own), as
`make cluster` runs them: students knock and wait on the first, the professor's page is on the second.

Self-contained: starts its own PostgreSQL (profile test-bench, port 5494, a fresh database each run),
livekit-server (7950) and daphne (8070) — BENCH_PG_PORT, BENCH_LIVEKIT_PORT, BENCH_WEB_PORT,
BENCH_REDIS_PORT move them —, runs the migrations, creates a host and a room in-process,
and drives everything else over HTTP and websockets exactly as browsers do (each student has its own
cookie jar: GET /j/<code> for the CSRF cookie, POST .../join, then WS /ws/lobby/<code>/). The host's
room page is simulated too: its /ws/rooms/<code>/host/ socket is open throughout, as in a real lecture.

Measured:
- knock phase: how long N joins (at --concurrency at a time) and N lobby sockets take;
- per student, the time from just before the admit-all POST to the "admitted" message (with its
  token) on its socket: p50 / p95 / max, and how many never got one (lost, must be 0);
- the admit-all request's own duration and the web process's CPU time during the burst;
- before the burst, a host message to everyone waiting (POST .../lobby/message), timed the same way:
  it takes a token's path to each socket without the database work, so it shows delivery alone;
- the memory of one idle waiting socket: the daphne process's RSS after all joins and a few warm-up
  sockets, then after the remaining sockets, divided by their number.

--profile then runs services.admit_all in this process for a second room of N waiting students,
timing its pieces (ban checks, history writes, token minting, each SQL statement kind) by wall clock.

Every process it starts is stopped at the end, also on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from yarl import URL

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PROFILE = os.environ.get("BENCH_PROFILE", "test-bench")  # scripts/postgres.sh and redis.sh profile (test*)
# Ports: the defaults, or (with BENCH_PROFILE) BENCH_PG_PORT, BENCH_LIVEKIT_PORT, BENCH_WEB_PORT (+1 for
# --cluster's second web process) and BENCH_REDIS_PORT (--cluster) when several people bench on one machine.
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5494"))
LK_PORT = int(os.environ.get("BENCH_LIVEKIT_PORT", "7950"))
WEB_PORT = int(os.environ.get("BENCH_WEB_PORT", "8070"))
WEB_PORT_B = WEB_PORT + 1
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6394"))
BASE = f"http://127.0.0.1:{WEB_PORT}"
WS_BASE = f"ws://127.0.0.1:{WEB_PORT}"
ORIGIN = BASE
# The professor's process: the same one, or with --cluster the second web process (students knock on
# the first, the host is told and admits through the second, tokens cross back over Redis).
HOST_BASE = BASE
HOST_WS_BASE = WS_BASE
LK_KEY = "devkey"
LK_SECRET = "lectern-dev-secret-0123456789abcdefghijkl"
TARGET_P95 = 0.5

SERVICE_ENV = {
    "DATABASE_URL": f"postgres://lectern@127.0.0.1:{PG_PORT}/lectern",
    "LIVEKIT_URL": f"ws://127.0.0.1:{LK_PORT}",
    "LIVEKIT_API_KEY": LK_KEY,
    "LIVEKIT_API_SECRET": LK_SECRET,
    "PGPORT_TEST": str(PG_PORT),
    "LIVEKIT_TEST_PORT": str(LK_PORT),
    "LIVEKIT_REDIS": "off",  # one node, no Egress: the bench starts no Redis
    "TEST_WEB_PORT": str(WEB_PORT),
    "PORT": str(WEB_PORT),
    "HF_HUB_OFFLINE": "1",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    # Production-like request handling (no SQL log, no debug pages); still loopback-only hosts.
    "DEBUG": "0",
    "LOG_LEVEL": "WARNING",
}
# Variables that would change what is measured or lock the site (dev access key, IP allow-list, Redis).
SCRUBBED = ("DOMAIN", "DEV_ACCESS_KEY", "ALLOWED_IPS", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")


class BenchError(Exception):
    """The benchmark could not run (a service did not start, a request failed)."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.2) -> None:
    """Poll condition() until it is true; BenchError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise BenchError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our loopback URL
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


# --------------------------------------------------------------------------------------------------
# Services


class Services:
    """PostgreSQL, livekit-server and daphne on the bench ports (with --cluster: Redis and a second
    daphne on the Channels Redis layer, as `make cluster` runs them); stop() undoes what start() did."""

    def __init__(self, *, cluster: bool = False) -> None:
        self.env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
        self.env.update(SERVICE_ENV)
        self.cluster = cluster
        if cluster:
            self.env["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
            self.env["REDIS_PORT_TEST"] = str(REDIS_PORT)
        self.started_postgres = False
        self.started_redis = False
        self.processes: list[tuple[str, subprocess.Popen[bytes], Any]] = []
        self.daphne: subprocess.Popen[bytes] | None = None
        self.daphne_b: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        VAR.mkdir(exist_ok=True)
        ports = [(LK_PORT, "livekit-server"), (WEB_PORT, "the web server")]
        if self.cluster:
            ports += [(WEB_PORT_B, "the second web server"), (REDIS_PORT, "Redis")]
        for port, name in ports:
            if port_in_use(port):
                raise BenchError(f"port {port} (for {name}) is already in use; stop whatever listens there")
        if self.cluster:
            self.started_redis = True
            self._run(["scripts/redis.sh", "start", f"{PROFILE}-redis"], timeout=60, what="scripts/redis.sh start")
        self._start_postgres()
        self._fresh_database()
        self._migrate()
        self._start_livekit()
        self._start_daphne()

    def _run(self, args: list[str], *, timeout: float, what: str) -> str:
        try:
            done = subprocess.run(args, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"{what} took longer than {timeout:.0f}s") from exc
        if done.returncode != 0:
            raise BenchError(f"{what} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return done.stdout

    def _start_postgres(self) -> None:
        if not port_in_use(PG_PORT):
            self.started_postgres = True  # set first: a half-started cluster is stopped too
        else:
            log(f"port {PG_PORT} already answers: reusing the running {PROFILE} cluster (left running)")
        log(f"starting PostgreSQL ({PROFILE}) on :{PG_PORT}")
        self._run(["scripts/postgres.sh", "start", PROFILE], timeout=120, what="scripts/postgres.sh start")

    def _psql(self, sql: str) -> None:
        args = ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "lectern", "-d", "postgres", "-qc", sql]
        self._run(args, timeout=60, what=f"psql {sql!r}")

    def _fresh_database(self) -> None:
        self._psql("DROP DATABASE IF EXISTS lectern WITH (FORCE)")
        self._psql("CREATE DATABASE lectern")

    def _migrate(self) -> None:
        log("migrating a fresh database")
        self._run([sys.executable, "manage.py", "migrate", "--noinput"], timeout=300, what="manage.py migrate")

    def _spawn(self, name: str, args: list[str], log_name: str) -> subprocess.Popen[bytes]:
        out = open(VAR / log_name, "wb")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append((name, process, out))
        return process

    def _wait_http(self, process: subprocess.Popen[bytes], url: str, *, name: str, log_name: str) -> None:
        def ready() -> bool:
            if process.poll() is not None:
                raise BenchError(f"{name} exited with {process.returncode}; see var/{log_name}")
            return http_ok(url)

        wait_until(ready, timeout=60, what=f"{name} to answer {url}")

    def _start_livekit(self) -> None:
        log(f"starting livekit-server on :{LK_PORT}")
        name, log_name = "livekit-server", f"livekit-{PROFILE}.log"
        process = self._spawn(name, ["scripts/livekit.sh", "run", PROFILE], log_name)
        self._wait_http(process, f"http://127.0.0.1:{LK_PORT}/", name=name, log_name=log_name)

    def _start_daphne(self) -> None:
        ports = [WEB_PORT, WEB_PORT_B] if self.cluster else [WEB_PORT]
        for port in ports:
            log(f"starting daphne on :{port}")
            name, log_name = f"daphne :{port}", f"web-{PROFILE}-{port}.log"
            daphne = str(Path(sys.executable).with_name("daphne"))
            args = [daphne, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
            process = self._spawn(name, args, log_name)
            self._wait_http(process, f"http://127.0.0.1:{port}/healthz", name=name, log_name=log_name)
            if port == WEB_PORT:
                self.daphne = process
            else:
                self.daphne_b = process

    def stop(self) -> None:
        for name, process, out in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    log(f"{name} did not stop in 10s: killing it")
                    process.kill()
                    process.wait(timeout=10)
            out.close()
        self.processes.clear()
        if self.started_postgres:
            with contextlib.suppress(BenchError):
                self._run(["scripts/postgres.sh", "stop", PROFILE], timeout=60, what="scripts/postgres.sh stop")
            self.started_postgres = False
        if self.started_redis:
            with contextlib.suppress(BenchError):
                self._run(["scripts/redis.sh", "stop", f"{PROFILE}-redis"], timeout=60, what="scripts/redis.sh stop")
            self.started_redis = False


# --------------------------------------------------------------------------------------------------
# Django, in this process: only to create the host, the room and the host's login session.


def setup_django(env: dict[str, str]) -> None:
    for key in (*SERVICE_ENV, *SCRUBBED):
        if key in env:
            os.environ[key] = env[key]
        else:
            os.environ.pop(key, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_host_and_room(run_id: str) -> tuple[str, str]:
    """A host account, a lobby room of theirs and a logged-in session: (room code, session cookie)."""
    from django.db import connections
    from django.test import Client

    from accounts.models import User
    from rooms.services import create_room

    user = User.objects.create_user(
        f"prof-{run_id}@bench.example", secrets.token_urlsafe(16), first_name="Bench", last_name="Professor"
    )
    room = create_room(host=user, title=f"Lobby burst {run_id}", lobby=True)
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    connections.close_all()
    return room.code, session


# --------------------------------------------------------------------------------------------------
# Browsers


def new_session(cookies: dict[str, str] | None = None) -> aiohttp.ClientSession:
    # unsafe=True: aiohttp refuses cookies from IP-address hosts otherwise. force_close: a browser's
    # idle keep-alive connection is not what we want to count against each waiting socket.
    jar = aiohttp.CookieJar(unsafe=True)
    if cookies:
        jar.update_cookies(cookies, URL(BASE))
    return aiohttp.ClientSession(
        cookie_jar=jar,
        connector=aiohttp.TCPConnector(force_close=True, limit=0),
        timeout=aiohttp.ClientTimeout(total=60),
    )


def csrf_headers(session: aiohttp.ClientSession, origin: str | None = None) -> dict[str, str]:
    token = ""
    for cookie in session.cookie_jar:
        if cookie.key == "csrftoken":
            token = cookie.value
    if not token:
        raise BenchError("no csrftoken cookie")
    origin = origin or ORIGIN
    return {"X-CSRFToken": token, "Origin": origin, "Referer": f"{origin}/"}


async def expect_json(response: aiohttp.ClientResponse, statuses: tuple[int, ...], what: str) -> dict[str, Any]:
    text = await response.text()
    if response.status not in statuses:
        raise BenchError(f"{what}: HTTP {response.status}: {text[:300]}")
    return dict(json.loads(text))


@dataclass
class Student:
    index: int
    session: aiohttp.ClientSession
    ws: aiohttp.ClientWebSocketResponse | None = None
    probed_at: float | None = None
    admitted_at: float | None = None
    message: dict[str, Any] | None = None
    extra: list[Any] = field(default_factory=list)
    error: str = ""
    inbox: asyncio.Queue[tuple[float, dict[str, Any] | None]] | None = None
    pump: asyncio.Task[None] | None = None


async def join(student: Student, code: str, run_id: str) -> None:
    async with student.session.get(f"{BASE}/j/{code}") as response:
        if response.status != 200:
            raise BenchError(f"GET /j/{code}: HTTP {response.status}")
        await response.read()
    body = {"display_name": f"Student {student.index:04d}", "fingerprint": f"bench-{run_id}-{student.index:05d}"}
    async with student.session.post(
        f"{BASE}/api/v1/rooms/{code}/join", json=body, headers=csrf_headers(student.session)
    ) as response:
        data = await expect_json(response, (202,), f"join of student {student.index}")
    if data.get("status") != "waiting":
        raise BenchError(f"student {student.index} was not put in the lobby: {data}")


async def open_socket(student: Student, code: str) -> None:
    student.ws = await student.session.ws_connect(
        f"{WS_BASE}/ws/lobby/{code}/", origin=ORIGIN, heartbeat=None, timeout=aiohttp.ClientWSTimeout(ws_close=5)
    )
    first = await asyncio.wait_for(student.ws.receive_json(), timeout=30)
    if first.get("type") != "lobby.status" or first.get("status") != "waiting":
        raise BenchError(f"student {student.index}: expected waiting, got {first}")
    student.inbox = asyncio.Queue()
    student.pump = asyncio.create_task(pump(student))


async def read_until(student: Student, wanted: Callable[[dict[str, Any]], bool]) -> tuple[float, dict[str, Any]]:
    """Read the student's socket until a message `wanted` accepts: (perf_counter when it arrived, it)."""
    assert student.inbox is not None
    while True:
        arrived, data = await student.inbox.get()
        if data is None:
            raise BenchError(f"student {student.index}: {student.error}")
        if wanted(data):
            return arrived, data
        student.extra.append(data)


async def pump(student: Student) -> None:
    """Read the socket from the moment it opens, as a browser does: aiohttp answers the server's pings
    only while the socket is read, and daphne closes a socket whose pings go unanswered (~50 s)."""
    assert student.ws is not None and student.inbox is not None
    async for frame in student.ws:
        if frame.type != aiohttp.WSMsgType.TEXT:
            break
        student.inbox.put_nowait((time.perf_counter(), json.loads(frame.data)))
    student.error = student.error or f"socket closed ({student.ws.close_code})"
    student.inbox.put_nowait((time.perf_counter(), None))


async def await_probe(student: Student, text: str) -> None:
    student.probed_at, _ = await read_until(student, lambda data: data.get("message") == text)


async def await_admission(student: Student) -> None:
    student.admitted_at, student.message = await read_until(student, lambda data: data.get("status") == "admitted")


async def bounded(concurrency: int, jobs: list[Any]) -> float:
    """Run coroutines at most `concurrency` at a time; seconds taken. The first failure is raised."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Any) -> None:
        async with gate:
            await job

    started = time.perf_counter()
    await asyncio.gather(*(one(job) for job in jobs))
    return time.perf_counter() - started


@dataclass
class HostWatcher:
    """The professor's room page: the host socket, counting live lobby events."""

    ws: aiohttp.ClientWebSocketResponse
    knocks: int = 0
    decided: int = 0
    task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        async for frame in self.ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                return
            data = json.loads(frame.data)
            if data.get("type") == "lobby.knock":
                self.knocks += 1
            elif data.get("type") == "lobby.decided":
                self.decided += len(data.get("ids", []))


async def settle(tasks: list[asyncio.Task[None]], timeout: float) -> None:
    """Wait for the readers up to `timeout`; cancel the rest. A reader that failed or was cancelled
    leaves its student without a timestamp: counted as lost, not an abort."""
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def rss_mib(process: psutil.Process) -> float:
    return process.memory_info().rss / 2**20


async def run_burst(
    args: argparse.Namespace, daphne_pid: int, code: str, host_session: str, run_id: str, other_pid: int | None = None
) -> bool:
    web = psutil.Process(daphne_pid)
    webs = [web] + ([psutil.Process(other_pid)] if other_pid else [])
    load_at_start = os.getloadavg()[0]
    n = args.students
    host = new_session({"sessionid": host_session})
    students = [Student(index=i, session=new_session()) for i in range(n)]
    watcher: HostWatcher | None = None
    try:
        # The professor opens the room page: CSRF cookie, then the token that opens the lecture.
        async with host.get(f"{HOST_BASE}/rooms/{code}/") as response:
            if response.status != 200:
                raise BenchError(f"host room page: HTTP {response.status} (is the session valid?)")
            await response.read()
        async with host.post(
            f"{HOST_BASE}/api/v1/rooms/{code}/token", headers=csrf_headers(host, HOST_BASE)
        ) as response:
            await expect_json(response, (200,), "host token (opening the room)")
        host_ws = await host.ws_connect(f"{HOST_WS_BASE}/ws/rooms/{code}/host/", origin=HOST_BASE, heartbeat=None)
        snapshot = await asyncio.wait_for(host_ws.receive_json(), timeout=30)
        if snapshot.get("type") != "lobby.snapshot":
            raise BenchError(f"host socket: expected a lobby snapshot, got {snapshot}")
        watcher = HostWatcher(ws=host_ws)
        watcher.task = asyncio.create_task(watcher.run())
        log(f"room {code} is live; {n} students knock ({args.concurrency} at a time)")

        join_seconds = await bounded(args.concurrency, [join(s, code, run_id) for s in students])
        warm = min(10, max(1, n // 10))
        await bounded(args.concurrency, [open_socket(s, code) for s in students[:warm]])
        rss_before = rss_mib(web)
        socket_seconds = await bounded(args.concurrency, [open_socket(s, code) for s in students[warm:]])
        rss_after = rss_mib(web)
        per_socket_kib = (rss_after - rss_before) * 1024 / max(1, n - warm)
        log(f"{n} students waiting (joins {join_seconds:.2f}s, sockets {socket_seconds:.2f}s)")

        # Fan-out probe: the host's message to everyone waiting takes the same path to each socket as
        # a token (one group_send per guest, then the guest's consumer) with almost no database work,
        # so it shows what the delivery alone costs.
        probe_text = f"Probe {run_id}: the lecture starts in a minute."
        probes = [asyncio.create_task(await_probe(s, probe_text)) for s in students]
        await asyncio.sleep(0)
        probe_sent = time.perf_counter()
        async with host.post(
            f"{HOST_BASE}/api/v1/rooms/{code}/lobby/message",
            json={"message": probe_text},
            headers=csrf_headers(host, HOST_BASE),
        ) as response:
            probe_answered = time.perf_counter()
            await expect_json(response, (200,), "message to those waiting")
        await settle(probes, args.timeout)
        probe_latencies = [s.probed_at - probe_sent for s in students if s.probed_at is not None]

        # Every student is reading its socket before the professor clicks.
        load_at_burst = os.getloadavg()[0]
        readers = [asyncio.create_task(await_admission(s)) for s in students]
        await asyncio.sleep(0)
        cpu_before = [process.cpu_times() for process in webs]
        clicked = time.perf_counter()
        admit_all = f"{HOST_BASE}/api/v1/rooms/{code}/lobby/admit-all"
        async with host.post(admit_all, headers=csrf_headers(host, HOST_BASE)) as response:
            answered = time.perf_counter()
            result = await expect_json(response, (200,), "admit-all")
        await settle(readers, args.timeout)
        finished = time.perf_counter()
        cpu_after = [process.cpu_times() for process in webs]

        latencies = [s.admitted_at - clicked for s in students if s.admitted_at is not None]
        lost = [s for s in students if s.admitted_at is None]
        identities = {s.message.get("identity") for s in students if s.message}
        bad = [
            s.index
            for s in students
            if s.message
            and (
                not str(s.message.get("identity", "")).startswith("guest-")
                or str(s.message.get("token", "")).count(".") != 2
                or s.message.get("livekit_url") != SERVICE_ENV["LIVEKIT_URL"]
            )
        ]
        # Let the host's lobby.decided arrive (it is sent after the last guest's token).
        deadline = time.monotonic() + 5
        while watcher.decided < len(latencies) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

        cpu_seconds = sum(
            (after.user + after.system) - (before.user + before.system)
            for before, after in zip(cpu_before, cpu_after, strict=True)
        )
        print()
        print("Lobby burst results")
        print(
            f"  machine                          {os.cpu_count()} cores; load average (1 min) "
            f"{load_at_start:.2f} at the start, {load_at_burst:.2f} at the burst"
        )
        print(f"  students                         {n}")
        if other_pid:
            print(f"  cluster                          students on :{WEB_PORT}, the host on :{WEB_PORT_B}, Redis layer")
        print(
            f"  knock phase                      {join_seconds + socket_seconds:.2f} s "
            f"(joins {join_seconds:.2f} s = {n / join_seconds:.0f}/s; {n - warm} sockets {socket_seconds:.2f} s "
            f"after {warm} warm-up ones; "
            f"concurrency {args.concurrency})"
        )
        print(f"  admit-all request                {answered - clicked:.3f} s (count={result.get('count')})")
        if latencies:
            print(
                f"  admit -> token latency           p50 {percentile(latencies, 0.50):.3f} s   "
                f"p95 {percentile(latencies, 0.95):.3f} s   max {max(latencies):.3f} s   "
                f"(first {min(latencies):.3f} s, mean {statistics.fmean(latencies):.3f} s)"
            )
        print(f"  lost (no token within {args.timeout:.0f} s)      {len(lost)}")
        if probe_latencies:
            print(
                f"  fan-out probe (lobby/message)    request {probe_answered - probe_sent:.3f} s; delivered "
                f"{len(probe_latencies)}/{n}: p50 {percentile(probe_latencies, 0.50):.3f} s   "
                f"p95 {percentile(probe_latencies, 0.95):.3f} s   max {max(probe_latencies):.3f} s"
            )
        print(f"  malformed admitted messages      {len(bad)}; distinct identities {len(identities)}")
        print(
            f"  web CPU during the burst         {cpu_seconds:.2f} s over {finished - clicked:.2f} s wall"
            f" ({len(webs)} web process{'es' if len(webs) > 1 else ''})"
        )
        print(
            f"  idle waiting socket memory       {per_socket_kib:.1f} KiB/socket "
            f"(daphne RSS {rss_before:.1f} -> {rss_after:.1f} MiB over {n - warm} sockets)"
        )
        print(f"  host socket saw                  {watcher.knocks} knocks, {watcher.decided} decided")
        p95 = percentile(latencies, 0.95) if latencies else float("inf")
        verdict = "MET" if p95 <= TARGET_P95 and not lost and not bad else "MISSED"
        print(f"  target p95 <= {TARGET_P95} s, 0 lost       {verdict}")
        for s in lost[:5]:
            print(f"    lost: student {s.index} {s.error or 'no message'} extra={s.extra[:2]}")
        return verdict == "MET"
    finally:
        if watcher is not None and watcher.task is not None:
            watcher.task.cancel()
        await close_all([host, *(s.session for s in students)], [s.ws for s in students])


async def close_all(sessions: list[aiohttp.ClientSession], sockets: list[Any]) -> None:
    async def close_socket(ws: aiohttp.ClientWebSocketResponse) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(), timeout=5)

    await asyncio.gather(*(close_socket(ws) for ws in sockets if ws is not None and not ws.closed))
    await asyncio.gather(*(session.close() for session in sessions), return_exceptions=True)


# --------------------------------------------------------------------------------------------------
# --profile: admit_all in this process, timed piece by piece (wall clock, no profiler overhead)


class Stopwatch:
    """Wraps functions so that each call adds its wall time to a named counter."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, attribute: str, label: str) -> None:
        original = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
                self.calls[label] = self.calls.get(label, 0) + 1

        self._undo.append((owner, attribute, original))
        setattr(owner, attribute, timed)

    def database(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        """A connection.execute_wrapper: time in the driver, by statement kind and table."""
        words = sql.split()
        verb = words[0].upper() if words else "?"
        table = next((w.strip('"').split('"')[0] for w in words if w.startswith('"') and "_" in w), "")
        label = f"  SQL {verb} {table}".rstrip()
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            for key in (label, "database (all statements)"):
                self.seconds[key] = self.seconds.get(key, 0.0) + elapsed
                self.calls[key] = self.calls.get(key, 0) + 1

    def restore(self) -> None:
        for owner, attribute, original in reversed(self._undo):
            setattr(owner, attribute, original)
        self._undo.clear()


def profile_admit_all(n: int, run_id: str) -> None:
    from django.db import connection, connections
    from django.db.models.query import QuerySet

    from accounts.models import User
    from lectures import life
    from lobby import broadcasts
    from lobby import services as lobby_services
    from participants.access import Actor
    from rooms import livekit_server
    from rooms import services as room_services

    user = User.objects.create_user(f"prof2-{run_id}@bench.example", secrets.token_urlsafe(16))
    by = Actor(user=user, role="host")
    room = room_services.create_room(host=user, title=f"Profile {run_id}", lobby=True)
    life.open_room(room=room)
    for i in range(n):
        lobby_services.knock(
            room=room,
            display_name=f"P {i}",
            fingerprint=f"prof-{run_id}-{i:05d}",
            pin=None,
            transcribe_me=True,
            ip="127.0.0.1",
            existing_guest=None,
        )
    watch = Stopwatch()
    watch.wrap(lobby_services, "find_ban", "find_ban (ban check per guest)")
    watch.wrap(lobby_services, "_admit", "_admit (history + token per guest)")
    watch.wrap(lobby_services, "issue_guest_token", "  issue_guest_token")
    watch.wrap(livekit_server, "mint_token", "    mint_token (JWT signing)")
    watch.wrap(QuerySet, "bulk_update", "bulk_update of the lobby entries")
    watch.wrap(lobby_services, "record_audit", "record_audit")
    watch.wrap(broadcasts, "notify_guest", "notify_guest (group_send, no listeners here)")
    try:
        with connection.execute_wrapper(watch.database):
            started = time.perf_counter()
            count = lobby_services.admit_all(room=room, by=by)
            elapsed = time.perf_counter() - started
    finally:
        watch.restore()
    print()
    print(f"admit_all in this process for {count} waiting students: {elapsed:.3f} s wall")
    print(f"  {'piece':54} {'calls':>6} {'seconds':>8} {'ms/call':>8}")
    for label, seconds in sorted(watch.seconds.items(), key=lambda item: -item[1]):
        calls = watch.calls[label]
        print(f"  {label[:54]:54} {calls:6d} {seconds:8.3f} {1000 * seconds / calls:8.2f}")
    connections.close_all()


# --------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50, help="joins / socket opens in flight at once")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for every token")
    parser.add_argument("--profile", action="store_true", help="then profile admit_all in-process")
    parser.add_argument(
        "--cluster", action="store_true", help="two web processes on Redis: knock on the first, admit via the second"
    )
    args = parser.parse_args()
    if args.students < 1:
        parser.error("--students must be at least 1")

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
    global HOST_BASE, HOST_WS_BASE
    if args.cluster:
        HOST_BASE, HOST_WS_BASE = f"http://127.0.0.1:{WEB_PORT_B}", f"ws://127.0.0.1:{WEB_PORT_B}"
    services = Services(cluster=args.cluster)
    run_id = secrets.token_hex(4)
    try:
        services.start()
        setup_django(services.env)
        code, host_session = create_host_and_room(run_id)
        assert services.daphne is not None
        other = services.daphne_b.pid if services.daphne_b is not None else None
        met = asyncio.run(run_burst(args, services.daphne.pid, code, host_session, run_id, other))
        if args.profile:
            profile_admit_all(args.students, run_id)
        return 0 if met else 1
    except BenchError as exc:
        print(f"lobby_burst: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lobby_burst: interrupted", file=sys.stderr)
        return 130
    finally:
        log("stopping the services")
        services.stop()


if __name__ == "__main__":
    sys.exit(main())
