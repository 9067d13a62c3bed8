"""Big lecture: N students join a live lecture through the real join path and all leave at once.

    .venv/bin/python bench/big_lecture.py [--students 300] [--batch 25] [--processes 5] [--client go]
        [--pg-port 5494 --pg-profile test-bench] [--livekit-port 7960] [--web-port 8072] [--drain]

Self-contained: PostgreSQL of the profile test-bench on --pg-port (a fresh database
`lectern_bench_big`, dropped at the end), a livekit-server of its own (no Redis, webhooks to the
bench's web process) and daphne. A professor opens the lecture (POST /api/v1/rooms/{code}/token) and
publishes a tone with the Python rtc SDK; each student, with its own cookie jar, does what a browser
does with the lobby off (GET /j/<code>, POST /api/v1/rooms/{code}/join → the token) and connects as an
audio-only subscriber, in batches. The students are spread over --processes worker processes (default:
≤ 60 each; one Python process holding 100-175 rtc connections stalls and the SDK aborts it); each
reports when its share is connected, then all wait for a common "leave" event and every student
disconnects at the same moment.

--client go: the same students (each still admitted through the join API, a batch at a time) held by
one Go process of LiveKit's Go SDK (tools-src/loadgen, built into tools/bin/lectern-loadgen on first
use): they subscribe to the professor's audio and read its packets without decoding them. The Python
SDK's students decode the audio 300 times and handle every other student's coming and going in Python:
on a 2-core machine they take most of it, and their simultaneous teardown starves the server being
measured (docs/benchmarks.md).

Printed:
- dropped webhooks: lines of livekit-server's log about a webhook it failed to send or dropped;
- attendance lag p50/p95/max: from a student's event (connected / disconnect called) to its
  AttendanceInterval being right (open / closed), polled in the database every 50 ms; a row never
  right within --settle seconds is counted as missing;
- from livekit-server's log ("sent webhook": its queue wait and our answer time, in ms): LiveKit
  queuing each join / leave event -> our applying it (the server side of the lag, whatever the load
  generator's own connects and disconnects cost), the wait in LiveKit's queue and our answer time;
- web CPU: the daphne process's CPU seconds during the joins and during the leave;
- Postgres rows written per event: inserted + updated + deleted tuples of the database (every
  table: stored webhook events, attendance, tasks) over the joins and leaves, per join or leave.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import math
import multiprocessing
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import psutil
from livekit import rtc
from yarl import URL

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lobby_burst import (  # noqa: E402 - after the path
    BenchError,
    http_ok,
    log,
    port_in_use,
    wait_until,
)

PROFILE = "test-bench"
DATABASE = "lectern_bench_big"
LK_KEY = "devkey"
LK_SECRET = "lectern-dev-secret-0123456789abcdefghijkl"
CONNECT_TIMEOUT = 60  # a niced student process on a loaded machine needs more than 30 s now and then
PER_PROCESS = 60  # rtc connections one Python process holds without stalling (100-175 broke it)
WEBHOOK_TROUBLE = re.compile(r"webhook.*(fail|drop)|(fail|drop).*webhook", re.IGNORECASE)


def die_with_parent() -> None:
    """In a child: SIGKILL when the bench dies, even by a panic of the rtc SDK that skips `finally`."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Stack:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.web = f"http://127.0.0.1:{args.web_port}"
        self.livekit_url = f"ws://127.0.0.1:{args.livekit_port}"
        scrubbed = ("DOMAIN", "DEV_ACCESS_KEY", "ALLOWED_IPS", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
        self.env = {k: v for k, v in os.environ.items() if k not in scrubbed}
        self.env.update(
            DATABASE_URL=f"postgres://lectern@127.0.0.1:{args.pg_port}/{DATABASE}",
            LIVEKIT_URL=self.livekit_url,
            LIVEKIT_API_KEY=LK_KEY,
            LIVEKIT_API_SECRET=LK_SECRET,
            LIVEKIT_PORT=str(args.livekit_port),
            WEB_PORT=str(args.web_port),
            PORT=str(args.web_port),
            PGPORT_TEST=str(args.pg_port),
            HF_HUB_OFFLINE="1",
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="0",
            LOG_LEVEL="WARNING",
        )
        self.processes: list[tuple[subprocess.Popen[bytes], Any]] = []
        self.daphne: subprocess.Popen[bytes] | None = None
        self.livekit_log = ROOT / "var" / "livekit-bench-big.log"

    def run(self, args: list[str], timeout: float = 300) -> str:
        done = subprocess.run(args, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise BenchError(f"{args[0]} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def psql(self, sql: str, database: str = "postgres") -> str:
        base = ["psql", "-h", "127.0.0.1", "-p", str(self.args.pg_port), "-U", "lectern", "-d", database, "-Atqc"]
        return self.run([*base, sql]).strip()

    def spawn(self, args: list[str], log_path: Path) -> subprocess.Popen[bytes]:
        out = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
        )
        self.processes.append((process, out))
        return process

    def start(self) -> None:
        for port in (self.args.livekit_port, self.args.web_port):
            if port_in_use(port):
                raise BenchError(f"port {port} is in use")
        self.run(["scripts/postgres.sh", "start", self.args.pg_profile])
        self.psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        self.psql(f"CREATE DATABASE {DATABASE}")
        log("migrating")
        self.run([sys.executable, "manage.py", "migrate", "--noinput"])
        livekit = self.spawn(["scripts/livekit.sh", "run", "bench-big"], self.livekit_log)
        wait_until(lambda: http_ok(self.livekit_url.replace("ws", "http")), timeout=60, what="livekit-server")
        assert livekit.poll() is None
        daphne = str(Path(sys.executable).with_name("daphne"))
        self.daphne = self.spawn(
            [daphne, "-b", "127.0.0.1", "-p", str(self.args.web_port), "config.asgi:application"],
            ROOT / "var" / "web-bench-big.log",
        )
        wait_until(lambda: http_ok(f"{self.web}/healthz"), timeout=60, what="daphne")

    def stop(self) -> None:
        for process, out in reversed(self.processes):
            if process.poll() is None:
                process.kill()  # livekit-server ignores SIGTERM while participants are connected
                process.wait(timeout=10)
            out.close()
        try:
            self.psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        except BenchError as exc:
            log(f"could not drop {DATABASE}: {exc}")

    def rows_written(self) -> int:
        self.psql("SELECT pg_stat_force_next_flush()", DATABASE)
        return int(
            self.psql(
                "SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database "  # noqa: S608 - a constant
                f"WHERE datname = '{DATABASE}'"
            )
        )

    def webhook_trouble(self) -> list[str]:
        return [
            line for line in self.livekit_log.read_text(errors="replace").splitlines() if WEBHOOK_TROUBLE.search(line)
        ]


def create_host_and_room(stack: Stack) -> tuple[str, str]:
    os.environ.update(stack.env)
    import django

    django.setup()
    from django.db import connections
    from django.test import Client

    from accounts.models import User
    from rooms.services import create_room

    user = User.objects.create_user("prof@bench.example", "bench-password-0001", first_name="Bench")
    room = create_room(host=user, title="Big lecture", lobby=False, ai_assistant=False)
    client = Client()
    client.force_login(user)
    connections.close_all()
    return room.code, client.cookies["sessionid"].value


async def post_json(session: aiohttp.ClientSession, url: str, body: dict[str, Any], web: str) -> dict[str, Any]:
    token = next((c.value for c in session.cookie_jar if c.key == "csrftoken"), "")
    headers = {"X-CSRFToken": token, "Origin": web, "Referer": f"{web}/"}
    async with session.post(url, json=body, headers=headers) as response:
        text = await response.text()
        if response.status not in (200, 201):
            raise BenchError(f"POST {url}: {response.status} {text[:200]}")
        return dict(json.loads(text))


def new_session(web: str, cookies: dict[str, str] | None = None) -> aiohttp.ClientSession:
    jar = aiohttp.CookieJar(unsafe=True)
    if cookies:
        jar.update_cookies(cookies, URL(web))
    return aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=120))


async def student_credentials(web: str, code: str, index: int) -> dict[str, Any]:
    async with new_session(web) as session:
        async with session.get(f"{web}/j/{code}") as response:
            await response.read()
        body = {"display_name": f"Student {index:04d}", "fingerprint": f"bench-big-{index:06d}"}
        joined = await post_json(session, f"{web}/api/v1/rooms/{code}/join", body, web)
    if joined.get("status") != "admitted":
        raise BenchError(f"student {index} not admitted: {joined}")
    return joined


class Attendance:
    """Polls the database: when each identity's interval was first open, and first closed."""

    def __init__(self) -> None:
        self.opened: dict[str, float] = {}
        self.closed: dict[str, float] = {}
        self.running = True

    def poll(self, lecture_id: int) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT identity, bool_or(left_at IS NULL) FROM lectures_attendanceinterval "
                "WHERE lecture_id = %s GROUP BY identity",
                [lecture_id],
            )
            now = time.time()
            for identity, still_open in cursor.fetchall():
                self.opened.setdefault(identity, now)
                if not still_open:
                    self.closed.setdefault(identity, now)

    async def run(self, lecture_id: int) -> None:
        while self.running:
            await asyncio.to_thread(self.poll, lecture_id)
            await asyncio.sleep(0.05)


DURATION = re.compile(r"^([\d.]+)(ns|µs|us|ms|s)$")
DURATION_UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def seconds(text: str) -> float:
    """A Go duration as livekit-server logs it ("27.8µs", "29.7ms", "1.2s")."""
    match = DURATION.match(text)
    return float(match.group(1)) * DURATION_UNITS[match.group(2)] if match else 0.0


def sent_webhooks(log_path: Path) -> dict[str, dict[str, float]]:
    """From livekit-server's log, per event id: when LiveKit queued the event (the line's time minus
    how long it waited and how long we took to answer, in ms), the wait in its queue, and our answer."""
    sent: dict[str, dict[str, float]] = {}
    for line in log_path.read_text(errors="replace").splitlines():
        if "sent webhook" not in line or "{" not in line:
            continue
        fields = json.loads(line[line.index("{") :])
        logged = datetime.fromisoformat(line.split()[0].replace("Z", "+00:00")).timestamp()
        queued, answered = seconds(fields.get("queueDuration", "")), seconds(fields.get("sendDuration", ""))
        sent[fields["id"]] = {"queued_at": logged - answered - queued, "queue": queued, "answer": answered}
    return sent


def webhook_lags(identities: set[str], sent: dict[str, dict[str, float]]) -> dict[str, list[float]]:
    """Per event kind, from LiveKit queuing the event (its log, in ms) to our applying it: the server
    side of the lag, whatever the load generator's own connects and disconnects cost; and LiveKit's
    wait in its queue and our answer time as LiveKit saw them."""
    from webhooks.models import WebhookEvent

    lags: dict[str, list[float]] = {}
    events = WebhookEvent.objects.filter(
        event__in=["participant_joined", "participant_left"],
        participant_identity__in=identities,
        processed_at__isnull=False,
    )
    for event in events:
        timing = sent.get(event.event_id)
        if timing is None:
            continue
        lags.setdefault(f"LiveKit queued -> applied ({event.event})", []).append(
            max(0.0, event.processed_at.timestamp() - timing["queued_at"])  # type: ignore[union-attr]
        )
        lags.setdefault(f"wait in LiveKit's queue ({event.event})", []).append(timing["queue"])
        lags.setdefault(f"our answer to LiveKit ({event.event})", []).append(timing["answer"])
    return lags


def tone_frame() -> rtc.AudioFrame:
    samples = (np.sin(np.arange(480) * 2 * np.pi * 440 / 48000) * 3000).astype(np.int16)
    return rtc.AudioFrame(samples.tobytes(), 48000, 1, 480)


def students_worker(
    pipe: Any, leave: Any, parent: int, number: int, web: str, code: str, share: list[int], batch: int, niceness: int
) -> None:
    """A worker process's students (one process holds ≤ ~60 rtc connections before it stalls): they join
    a batch at a time, the worker reports {joined_at, failures}, waits for the common `leave`, then
    disconnects them all and reports {identities, left_at}."""
    die_with_parent()
    if os.getppid() != parent:  # the bench died before prctl
        os._exit(1)
    os.nice(niceness)  # the students' own devices: the server's processes come first on this machine
    try:
        asyncio.run(hold_students(pipe, leave, number, web, code, share, batch))
    except BaseException:
        traceback.print_exc()
        sys.stdout.flush()
        os._exit(1)
    sys.stdout.flush()
    os._exit(0)  # the rtc SDK's threads can hold the interpreter's exit for minutes


async def hold_students(pipe: Any, leave: Any, number: int, web: str, code: str, share: list[int], batch: int) -> None:
    joined_at: dict[str, float] = {}
    rooms: list[rtc.Room] = []
    failures: list[str] = []
    for first in range(0, len(share), batch):
        credentials = await asyncio.gather(*(student_credentials(web, code, i) for i in share[first : first + batch]))

        async def connect(creds: dict[str, Any]) -> rtc.Room | None:
            for _ in range(2):  # a loaded machine times a WebRTC transport out now and then: once more
                room = rtc.Room()
                options = rtc.RoomOptions(auto_subscribe=True)
                try:
                    await asyncio.wait_for(
                        room.connect(creds["livekit_url"], creds["token"], options), timeout=CONNECT_TIMEOUT
                    )
                except (rtc.ConnectError, TimeoutError) as exc:
                    failures.append(str(exc) or f"no connection within {CONNECT_TIMEOUT} s")
                    continue
                joined_at[creds["identity"]] = time.time()
                return room
            return None

        connected = await asyncio.gather(*(connect(c) for c in credentials))
        rooms += [room for room in connected if room is not None]
        log(f"worker {number}: {len(rooms)} of {len(share)} students connected ({len(failures)} attempts failed)")
    pipe.send({"joined_at": joined_at, "failures": failures})
    await asyncio.to_thread(leave.wait)
    left_at = time.time()
    await asyncio.gather(*(room.disconnect() for room in rooms))
    pipe.send({"identities": [room.local_participant.identity for room in rooms], "left_at": left_at})


class PythonStudents:
    """The students in --processes worker processes of the Python rtc SDK (the default)."""

    def __init__(self, args: argparse.Namespace, stack: Stack, code: str) -> None:
        self.args, self.stack, self.code = args, stack, code
        self.context = multiprocessing.get_context("spawn")  # no fork of a process holding the rtc SDK's threads
        self.leave_event = self.context.Event()
        self.workers: list[tuple[Any, Any]] = []
        self.live: list[tuple[Any, Any]] = []
        self.failures: list[str] = []

    async def join(self) -> dict[str, float]:
        """Who connected, when; failed attempts go to self.failures."""
        args = self.args
        shares = [list(range(args.students))[k :: args.processes] for k in range(args.processes)]
        batch = max(1, math.ceil(args.batch / args.processes))  # --batch students join at once, over all processes
        for number, share in enumerate(shares):
            ours, theirs = self.context.Pipe()
            worker = self.context.Process(
                target=students_worker,
                args=(
                    theirs,
                    self.leave_event,
                    os.getpid(),
                    number,
                    self.stack.web,
                    self.code,
                    share,
                    batch,
                    args.client_nice,
                ),
                name=f"students-{number}",
            )
            worker.start()  # from the main thread: PR_SET_PDEATHSIG follows the thread that forked
            theirs.close()  # so that a dead worker's pipe ends (EOFError) instead of hanging
            self.workers.append((worker, ours))
        joined_at: dict[str, float] = {}
        for number, (worker, pipe) in enumerate(self.workers):
            try:
                report = await asyncio.to_thread(pipe.recv)
            except EOFError:
                await asyncio.to_thread(worker.join, 10)
                self.failures.append(f"worker {number} died (exit code {worker.exitcode})")
                log(f"worker {number} died (exit code {worker.exitcode}); its students count as never connected")
                continue
            joined_at.update(report["joined_at"])
            self.failures += report["failures"]
            self.live.append((worker, pipe))
        log(f"{len(joined_at)} students connected over {len(self.live)} processes ({len(self.failures)} failures)")
        return joined_at

    async def leave(self) -> dict[str, float]:
        self.leave_event.set()  # every worker calls disconnect() on all its students at this moment
        left_at: dict[str, float] = {}
        for number, (worker, pipe) in enumerate(self.live):
            try:
                report = await asyncio.to_thread(pipe.recv)
            except EOFError:
                self.failures.append(f"worker {number} died while leaving (exit code {worker.exitcode})")
                continue
            left_at.update(dict.fromkeys(report["identities"], report["left_at"]))
        return left_at

    async def close(self) -> None:
        self.leave_event.set()  # also on a failure: the workers disconnect their students and end
        for worker, pipe in self.workers:
            await asyncio.to_thread(worker.join, 30)
            if worker.is_alive():
                worker.kill()
                worker.join()
            pipe.close()


class GoStudents:
    """--client go: the students in one Go process of LiveKit's Go SDK (tools-src/loadgen), each still
    admitted through our join API a batch at a time; they read their audio without decoding it and
    handle the others' comings and goings in Go, as 300 devices elsewhere would cost this machine
    nothing."""

    def __init__(self, args: argparse.Namespace, stack: Stack, code: str) -> None:
        self.args, self.stack, self.code = args, stack, code
        self.process: asyncio.subprocess.Process | None = None
        self.failures: list[str] = []
        self.held: list[str] = []

    async def _line(self) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        line = await self.process.stdout.readline()
        if not line:
            raise BenchError(f"loadgen exited with {await self.process.wait()}")
        return dict(json.loads(line))

    async def _send(self, line: str) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def join(self) -> dict[str, float]:
        """Who connected, when; failed attempts go to self.failures."""
        binary = await asyncio.to_thread(build_loadgen)
        self.process = await asyncio.create_subprocess_exec(
            str(binary), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, preexec_fn=die_with_parent
        )
        await self._send(json.dumps({"url": self.stack.livekit_url, "timeout": CONNECT_TIMEOUT}))
        joined_at: dict[str, float] = {}
        for first in range(0, self.args.students, self.args.batch):
            indexes = range(first, min(self.args.students, first + self.args.batch))
            credentials = await asyncio.gather(*(student_credentials(self.stack.web, self.code, i) for i in indexes))
            await self._send(json.dumps([{"identity": c["identity"], "token": c["token"]} for c in credentials]))
            while "batch_done" not in (report := await self._line()):
                if "connected" in report:
                    joined_at[report["connected"]] = report["at"]
                else:
                    self.failures.append(f"{report['failed']}: {report['error']}")
            held = report["batch_done"]
            if held // 50 != (held - len(credentials)) // 50:
                log(f"{held} of {self.args.students} students connected ({len(self.failures)} attempts failed)")
        log(f"{len(joined_at)} students connected in one Go process ({len(self.failures)} failures)")
        self.held = list(joined_at)
        return joined_at

    async def leave(self) -> dict[str, float]:
        await self._send("leave")
        report = await self._line()
        assert self.process is not None
        cpu = psutil.Process(self.process.pid).cpu_times()
        log(
            f"the Go students had subscribed to {report['subscribed']} tracks and read {report['packets']} RTP packets,"
            f" in {cpu.user + cpu.system:.1f} s of CPU"
        )
        await self._line()  # {"disconnected": n}
        return dict.fromkeys(self.held, report["left_at"])

    async def close(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


def build_loadgen() -> Path:
    """tools/bin/lectern-loadgen from tools-src/loadgen (Go, from the module proxy), when older than its source."""
    source = ROOT / "tools-src" / "loadgen"
    binary = ROOT / "tools" / "bin" / "lectern-loadgen"
    newest = max(path.stat().st_mtime for path in source.iterdir())
    if not binary.exists() or binary.stat().st_mtime < newest:
        log("building tools/bin/lectern-loadgen")
        subprocess.run(["go", "build", "-o", str(binary), "."], cwd=source, check=True, timeout=600)
    return binary


async def lecture(args: argparse.Namespace, stack: Stack, code: str, sessionid: str) -> dict[str, Any]:
    from rooms.models import Lecture

    async with new_session(stack.web, {"sessionid": sessionid}) as professor:
        async with professor.get(f"{stack.web}/rooms/{code}/") as response:
            await response.read()
        host = await post_json(professor, f"{stack.web}/api/v1/rooms/{code}/token", {}, stack.web)
    lecturer = rtc.Room()
    await lecturer.connect(host["livekit_url"], host["token"])
    source = rtc.AudioSource(48000, 1)
    await lecturer.local_participant.publish_track(
        rtc.LocalAudioTrack.create_audio_track("mic", source),
        rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE),
    )
    frame = tone_frame()

    async def speak() -> None:
        while True:
            await source.capture_frame(frame)

    speaking = asyncio.create_task(speak())
    lecture_id = await asyncio.to_thread(lambda: Lecture.objects.get(room__code=code, status="live").pk)
    attendance = Attendance()
    watcher = asyncio.create_task(attendance.run(lecture_id))
    daphne = psutil.Process(stack.daphne.pid)  # type: ignore[union-attr]

    cpu0, rows0 = daphne.cpu_times(), await asyncio.to_thread(stack.rows_written)
    students = GoStudents(args, stack, code) if args.client == "go" else PythonStudents(args, stack, code)
    started = time.perf_counter()
    try:
        joined_at = await students.join()
        join_seconds = time.perf_counter() - started
        wait_until_async = time.monotonic() + args.settle
        while (
            len([i for i in joined_at if i in attendance.opened]) < len(joined_at)
            and time.monotonic() < wait_until_async
        ):
            await asyncio.sleep(0.2)
        cpu1, rows1 = daphne.cpu_times(), await asyncio.to_thread(stack.rows_written)
        left_at = await students.leave()  # every student disconnects at this moment
        log("every student disconnected")
    finally:
        await students.close()
    failures = students.failures
    identities = [i for i in joined_at if i in left_at]
    deadline = time.monotonic() + args.settle
    while len([i for i in identities if i in attendance.closed]) < len(identities) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    cpu2, rows2 = daphne.cpu_times(), await asyncio.to_thread(stack.rows_written)
    attendance.running = False
    await watcher
    speaking.cancel()
    await lecturer.disconnect()

    # a row may be seen before connect() returns: lag 0
    sent = await asyncio.to_thread(sent_webhooks, stack.livekit_log)
    server_lags = await asyncio.to_thread(webhook_lags, set(identities), sent)
    join_lags = [max(0.0, attendance.opened[i] - joined_at[i]) for i in identities if i in attendance.opened]
    leave_lags = [attendance.closed[i] - left_at[i] for i in identities if i in attendance.closed]
    return {
        "students": len(identities),
        "attempted": args.students,
        "failures": failures,
        "join_seconds": join_seconds,
        "join_lags": join_lags,
        "server_lags": server_lags,
        "leave_lags": leave_lags,
        "join_missing": len(identities) - len(join_lags),
        "leave_missing": len(identities) - len(leave_lags),
        "cpu_joins": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system),
        "cpu_leaves": (cpu2.user + cpu2.system) - (cpu1.user + cpu1.system),
        "rows_joins": rows1 - rows0,
        "rows_leaves": rows2 - rows1,
    }


async def drain(args: argparse.Namespace, stack: Stack, code: str, sessionid: str) -> dict[str, Any]:
    """--drain: the server side alone. N students are admitted through the join API (no WebRTC), then
    their participant_joined events and then their participant_left events are posted, signed, one at
    a time, each after the answer to the last: what LiveKit's per-room queue does when N people join
    or leave at once. Measures our answer time, the time to drain the N events, and from each event's
    post to its being applied."""
    from django.conf import settings

    from rooms import livekit_server
    from rooms.models import Lecture
    from webhooks.models import WebhookEvent

    settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET = LK_KEY, LK_SECRET
    async with new_session(stack.web, {"sessionid": sessionid}) as professor:
        async with professor.get(f"{stack.web}/rooms/{code}/") as response:
            await response.read()  # the CSRF cookie
        await post_json(professor, f"{stack.web}/api/v1/rooms/{code}/token", {}, stack.web)
    lecture = await asyncio.to_thread(lambda: Lecture.objects.get(room__code=code, status="live"))
    identities = []
    for first in range(0, args.students, 50):
        joined = await asyncio.gather(
            *(student_credentials(stack.web, code, i) for i in range(first, min(args.students, first + 50)))
        )
        identities += [credentials["identity"] for credentials in joined]
    log(f"{len(identities)} students admitted; posting their events one at a time")
    daphne = psutil.Process(stack.daphne.pid)  # type: ignore[union-attr]
    result: dict[str, Any] = {"students": len(identities)}
    async with aiohttp.ClientSession() as session:
        for kind in ("participant_joined", "participant_left"):
            bodies = []
            for n, identity in enumerate(identities):
                body = json.dumps(
                    {
                        "event": kind,
                        "id": f"EV_{kind[12:]}_{n}",
                        "createdAt": str(int(time.time())),
                        "room": {"name": lecture.livekit_room, "sid": "RM_bench"},
                        "participant": {"identity": identity, "name": f"Student {n}", "attributes": {"role": "guest"}},
                    }
                ).encode()
                bodies.append((body, livekit_server.sign_webhook(body=body)))
            cpu0 = daphne.cpu_times()
            posted: dict[str, float] = {}
            answers = []
            began = time.perf_counter()
            for n, (body, authorization) in enumerate(bodies):
                posted[f"EV_{kind[12:]}_{n}"] = time.time()
                sent = time.perf_counter()
                headers = {"Authorization": authorization, "Content-Type": "application/webhook+json"}
                async with session.post(f"{stack.web}/livekit/webhook", data=body, headers=headers) as response:
                    if response.status != 204:
                        raise BenchError(f"webhook answered {response.status}: {await response.text()}")
                answers.append(time.perf_counter() - sent)
            drained = time.perf_counter() - began

            def applied(kind: str = kind) -> dict[str, float]:
                rows = WebhookEvent.objects.filter(event=kind, processed_at__isnull=False)
                return {row.event_id: row.processed_at.timestamp() for row in rows}  # type: ignore[union-attr]

            deadline = time.monotonic() + args.settle
            done = await asyncio.to_thread(applied)
            while len(done) < len(bodies) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                done = await asyncio.to_thread(applied)
            cpu1 = daphne.cpu_times()
            result[kind] = {
                "answers": answers,
                "drained": drained,
                "lags": [done[event_id] - at for event_id, at in posted.items() if event_id in done],
                "missing": len(bodies) - len(done),
                "cpu": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system),
            }
    return result


def print_drain(result: dict[str, Any]) -> None:
    print(f"\n--drain: {result['students']} students admitted through the join API; events posted one at a time")
    for kind in ("participant_joined", "participant_left"):
        figures = result[kind]
        print(f"{kind}: {len(figures['answers'])} events drained in {figures['drained']:.2f} s")
        print("  " + describe("our answer", figures["answers"]))
        print("  " + describe("posted -> applied", figures["lags"]) + f"; never applied: {figures['missing']}")
        each = figures["cpu"] / max(1, len(figures["answers"])) * 1000
        print(f"  web CPU {figures['cpu']:.2f} s ({each:.1f} ms an event)")


def describe(name: str, lags: list[float]) -> str:
    if not lags:
        return f"{name}: none measured"
    return (
        f"{name}: p50 {statistics.median(lags):.3f} s, p95 {percentile(lags, 0.95):.3f} s, "
        f"max {max(lags):.3f} s ({len(lags)} events)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--batch", type=int, default=25, help="students joining at once, over all processes")
    parser.add_argument(
        "--processes", type=int, help=f"worker processes holding the students (default: ≤ {PER_PROCESS} each)"
    )
    parser.add_argument("--settle", type=float, default=60.0, help="seconds to wait for attendance to be right")
    parser.add_argument(
        "--client",
        choices=("python", "go"),
        default="python",
        help="the students: Python rtc SDK processes (decode the audio, handle every event in Python) or one "
        "Go process of LiveKit's Go SDK (tools-src/loadgen: reads the audio without decoding it)",
    )
    parser.add_argument(
        "--client-nice",
        type=int,
        default=0,
        help="niceness of the student processes (10: they stand in for devices elsewhere; the server comes first)",
    )
    parser.add_argument(
        "--drain", action="store_true", help="the server side alone: signed events posted one at a time, no WebRTC"
    )
    parser.add_argument("--pg-port", type=int, default=5494)
    parser.add_argument("--pg-profile", default=PROFILE, help="scripts/postgres.sh profile (started if not running)")
    parser.add_argument("--livekit-port", type=int, default=7960)
    parser.add_argument("--web-port", type=int, default=8072)
    args = parser.parse_args()
    args.processes = max(1, min(args.students, args.processes or math.ceil(args.students / PER_PROCESS)))
    os.environ["PGPORT_TEST"] = str(args.pg_port)
    stack = Stack(args)
    try:
        stack.start()
        code, sessionid = create_host_and_room(stack)
        load_before = os.getloadavg()
        if args.drain:
            print_drain(asyncio.run(drain(args, stack, code, sessionid)))
            print(f"load average before: {' '.join(f'{v:.2f}' for v in load_before)}; after: {os.getloadavg()[0]:.2f}")
            return 0
        result = asyncio.run(lecture(args, stack, code, sessionid))
        trouble = stack.webhook_trouble()
    except BenchError as exc:
        log(f"failed: {exc}")
        return 1
    finally:
        stack.stop()
    n = result["students"]
    print(
        f"\n{n} of {result['attempted']} students connected (batch {args.batch}, "
        + (f"{args.processes} Python processes)" if args.client == "python" else "one Go process)")
        + f" in {result['join_seconds']:.1f} s;"
        f" {len(result['failures'])} connection attempts failed, {result['attempted'] - n} students never connected"
    )
    before = " ".join(f"{value:.2f}" for value in load_before)
    print(
        f"load average before: {before}; after: {os.getloadavg()[0]:.2f}; student processes at nice {args.client_nice}"
    )
    print(f"dropped or failed webhooks (livekit-server log): {len(trouble)}")
    for line in trouble[:5]:
        print(f"  {line[:200]}")
    print(describe("attendance lag, join", result["join_lags"]) + f"; never right: {result['join_missing']}")
    print(
        describe("attendance lag, leave (all at once)", result["leave_lags"])
        + f"; never right: {result['leave_missing']}"
    )
    for kind, lags in sorted(result["server_lags"].items()):
        print(describe(kind, lags))
    print(f"web CPU: {result['cpu_joins']:.1f} s over the joins, {result['cpu_leaves']:.1f} s over the leave")
    print(
        f"Postgres rows written: {result['rows_joins'] / n:.1f} per join, {result['rows_leaves'] / n:.1f} per leave"
        f" ({result['rows_joins']} and {result['rows_leaves']})"
    )
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    os._exit(status)  # the rtc SDK's threads can hold the interpreter's exit for minutes
