"""Poll burst: N students answer a poll within a few seconds; how soon does the host see each answer?
Then the term report of a course with N students × L lectures: server time.

    .venv/bin/python bench/poll_burst.py [--students 300] [--spread 10] [--lectures 40]

Self-contained like bench/lobby_burst.py (whose services and browser helpers it reuses, on its own
ports: PostgreSQL 5452 profile test-course with a fresh `lectern` database, livekit-server 7720,
daphne 8050). A host and a room without a lobby are created in-process; everything else goes over
HTTP and websockets as browsers do: the host opens the lecture (POST .../token) and keeps the live
socket (/ws/rooms/<code>/live/) open; each student joins (GET /j/<code>, POST .../join) and opens
its own live socket, as the room page does. The host asks a named poll (POST .../polls); each
student votes once (POST .../polls/<id>/vote) at a random moment within --spread seconds.

Measured, per vote: from just before its POST to the first message on the host's live socket whose
ballots include that student (the host's live results): p50 / p95 / max, and votes the host never
saw (lost). Also the vote request's own duration, the web process's CPU time, and how many poll
messages each student's socket received (every vote is pushed to the whole lecture).

The term report: L ended lectures with N roster students, each present in ~90 % of the lectures
(some late, some leaving early, a few on two devices), written in-process with bulk inserts; then
GET /api/v1/rooms/<code>/attendance.csv as the host, timed from the client (the server's time, the
machine being local) over several runs, and courses.report.term_csv in-process for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import lobby_burst as lb

# This bench's own ports (the course worktree's), so it can run beside the lobby bench.
lb.PROFILE = "test-course"
lb.PG_PORT, lb.LK_PORT, lb.WEB_PORT = 5452, 7720, 8050
lb.BASE = f"http://127.0.0.1:{lb.WEB_PORT}"
lb.WS_BASE = f"ws://127.0.0.1:{lb.WEB_PORT}"
lb.ORIGIN = lb.BASE
lb.SERVICE_ENV.update(
    {
        "DATABASE_URL": f"postgres://lectern@127.0.0.1:{lb.PG_PORT}/lectern",
        "LIVEKIT_URL": f"ws://127.0.0.1:{lb.LK_PORT}",
        "PGPORT_TEST": str(lb.PG_PORT),
        "LIVEKIT_TEST_PORT": str(lb.LK_PORT),
        "TEST_WEB_PORT": str(lb.WEB_PORT),
        "PORT": str(lb.WEB_PORT),
    }
)
BASE, WS_BASE, ORIGIN = lb.BASE, lb.WS_BASE, lb.ORIGIN
TARGET_P95 = 1.0
log = lb.log


@dataclass
class Voter:
    index: int
    name: str
    session: aiohttp.ClientSession
    ws: aiohttp.ClientWebSocketResponse | None = None
    sent_at: float | None = None
    answered_at: float | None = None
    poll_messages: int = 0
    retries: int = 0
    error: str = ""


def create_host_and_room(run_id: str) -> tuple[str, str]:
    from django.db import connections
    from django.test import Client

    from accounts.models import User
    from rooms.services import create_room

    user = User.objects.create_user(f"prof-{run_id}@bench.example", secrets.token_urlsafe(16), first_name="Bench")
    room = create_room(host=user, title=f"Poll burst {run_id}", lobby=False)
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    connections.close_all()
    return room.code, session


async def join(voter: Voter, code: str, run_id: str) -> None:
    async with voter.session.get(f"{BASE}/j/{code}") as response:
        await response.read()
    body = {"display_name": voter.name, "fingerprint": f"poll-{run_id}-{voter.index:05d}"}
    async with voter.session.post(
        f"{BASE}/api/v1/rooms/{code}/join", json=body, headers=lb.csrf_headers(voter.session)
    ) as response:
        data = await lb.expect_json(response, (200,), f"join of student {voter.index}")
    if not data.get("token"):
        raise lb.BenchError(f"student {voter.index} was not let in: {data}")
    # Like the page's socket, try again with back-off: under a join burst daphne drops a handshake
    # the application has not accepted within its websocket connect timeout (5 s).
    for attempt in range(6):
        try:
            voter.ws = await voter.session.ws_connect(f"{WS_BASE}/ws/rooms/{code}/live/", origin=ORIGIN, heartbeat=None)
            first = await asyncio.wait_for(voter.ws.receive_json(), timeout=30)
        except (aiohttp.ClientError, TimeoutError) as exc:
            voter.error = f"live socket: {exc!r}"
            await asyncio.sleep(0.5 * 2**attempt)
            continue
        if first.get("type") != "live.ready":
            raise lb.BenchError(f"student {voter.index}: expected live.ready, got {first}")
        voter.retries = attempt
        return
    raise lb.BenchError(f"student {voter.index}: {voter.error}")


async def count_poll_messages(voter: Voter) -> None:
    assert voter.ws is not None
    async for frame in voter.ws:
        if frame.type != aiohttp.WSMsgType.TEXT:
            return
        if str(json.loads(frame.data).get("type", "")).startswith("poll."):
            voter.poll_messages += 1


async def host_watch(ws: aiohttp.ClientWebSocketResponse, by_name: dict[str, Voter], poll_id: list[int]) -> None:
    """The host's live results: the first message naming a student's ballot is when the host sees it."""
    async for frame in ws:
        if frame.type != aiohttp.WSMsgType.TEXT:
            return
        arrived = time.perf_counter()
        data = json.loads(frame.data)
        poll = data.get("poll") or {}
        if not poll_id or poll.get("id") != poll_id[0]:
            continue
        for ballot in poll.get("ballots") or []:
            voter = by_name.get(ballot.get("name", ""))
            if voter is not None and voter.answered_at is None:
                voter.answered_at = arrived


async def vote(voter: Voter, code: str, poll_id: int, delay: float, durations: list[float]) -> None:
    await asyncio.sleep(delay)
    voter.sent_at = time.perf_counter()
    async with voter.session.post(
        f"{BASE}/api/v1/rooms/{code}/polls/{poll_id}/vote",
        json={"choices": [voter.index % 4]},
        headers=lb.csrf_headers(voter.session),
    ) as response:
        await lb.expect_json(response, (200,), f"vote of student {voter.index}")
    durations.append(time.perf_counter() - voter.sent_at)


async def run_poll(args: argparse.Namespace, daphne_pid: int, code: str, host_session: str, run_id: str) -> bool:
    web = psutil.Process(daphne_pid)
    load_at_start = os.getloadavg()[0]
    host = lb.new_session({"sessionid": host_session})
    voters = [Voter(index=i, name=f"Student {i:04d}", session=lb.new_session()) for i in range(args.students)]
    by_name = {v.name: v for v in voters}
    readers: list[asyncio.Task[None]] = []
    try:
        async with host.get(f"{BASE}/rooms/{code}/") as response:
            await response.read()
        async with host.post(f"{BASE}/api/v1/rooms/{code}/token", headers=lb.csrf_headers(host)) as response:
            await lb.expect_json(response, (200,), "host token (opening the room)")
        host_ws = await host.ws_connect(f"{WS_BASE}/ws/rooms/{code}/live/", origin=ORIGIN, heartbeat=None)
        if (await asyncio.wait_for(host_ws.receive_json(), timeout=30)).get("type") != "live.ready":
            raise lb.BenchError("the host's live socket did not say live.ready")
        poll_id: list[int] = []
        readers.append(asyncio.create_task(host_watch(host_ws, by_name, poll_id)))
        log(f"room {code} is live; {len(voters)} students join and open their live sockets")
        join_seconds = await lb.bounded(args.concurrency, [join(v, code, run_id) for v in voters])
        readers += [asyncio.create_task(count_poll_messages(v)) for v in voters]
        retried = sum(1 for v in voters if v.retries)
        log(f"{len(voters)} students in ({join_seconds:.1f} s, {retried} live sockets needed a retry); a named poll")

        body = {"question": "Which structure?", "options": ["Heap", "List", "Tree", "Trie"]}
        async with host.post(f"{BASE}/api/v1/rooms/{code}/polls", json=body, headers=lb.csrf_headers(host)) as r:
            poll_id.append(int((await lb.expect_json(r, (201,), "ask a poll"))["id"]))
        await asyncio.sleep(1.0)  # the poll reaches the students before they answer, as in a lecture

        rng = random.Random(run_id)
        delays = [rng.uniform(0, args.spread) for _ in voters]
        durations: list[float] = []
        load_at_burst = os.getloadavg()[0]
        cpu_before = web.cpu_times()
        started = time.perf_counter()
        await asyncio.gather(*(vote(v, code, poll_id[0], d, durations) for v, d in zip(voters, delays, strict=True)))
        deadline = time.monotonic() + args.timeout
        while any(v.answered_at is None for v in voters) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        finished = time.perf_counter()
        cpu_after = web.cpu_times()
        await asyncio.sleep(0.5)  # the last pushes reach the students' sockets

        latencies = [v.answered_at - v.sent_at for v in voters if v.answered_at and v.sent_at]
        lost = [v for v in voters if v.answered_at is None]
        cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
        pushes = [v.poll_messages for v in voters]
        print()
        print("Poll burst results")
        print(
            f"  machine                        {os.cpu_count()} cores; load average (1 min) "
            f"{load_at_start:.2f} at the start, {load_at_burst:.2f} at the burst"
        )
        print(f"  students                       {len(voters)} voting within {args.spread:.0f} s")
        if latencies:
            print(
                f"  vote -> host's live result     p50 {lb.percentile(latencies, 0.5):.3f} s   "
                f"p95 {lb.percentile(latencies, 0.95):.3f} s   max {max(latencies):.3f} s"
            )
        print(
            f"  vote request                   p50 {lb.percentile(durations, 0.5):.3f} s   "
            f"p95 {lb.percentile(durations, 0.95):.3f} s   max {max(durations):.3f} s"
        )
        print(f"  lost (never seen by the host)  {len(lost)}")
        print(f"  web CPU                        {cpu:.2f} s over {finished - started:.2f} s wall")
        print(
            f"  poll messages per student      mean {statistics.fmean(pushes):.0f} "
            f"(min {min(pushes)}, max {max(pushes)})"
        )
        p95 = lb.percentile(latencies, 0.95) if latencies else float("inf")
        verdict = "MET" if p95 <= TARGET_P95 and not lost else "MISSED"
        print(f"  target p95 <= {TARGET_P95} s, 0 lost     {verdict}")
        return verdict == "MET"
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await lb.close_all([host, *(v.session for v in voters)], [v.ws for v in voters])


def build_term(n_students: int, n_lectures: int, run_id: str) -> tuple[str, int]:
    """A course with a roster and a term of ended lectures with attendance: (room code, interval rows)."""
    from django.db import connections
    from django.utils import timezone

    from accounts.models import User
    from courses.models import RosterEntry, RosterSession, ScheduledLecture
    from lectures.models import AttendanceInterval
    from participants.models import GuestSession
    from rooms.models import Lecture
    from rooms.services import create_room

    user = User.objects.create_user(f"term-{run_id}@bench.example", secrets.token_urlsafe(16))
    room = create_room(host=user, title=f"Term {run_id}", lobby=False)
    entries = RosterEntry.objects.bulk_create(
        RosterEntry(room=room, name=f"Student {i:04d}", email=f"s{i}@{run_id}.example", student_id=f"s{i:05d}")
        for i in range(n_students)
    )
    rng = random.Random(run_id)
    first = timezone.now() - timedelta(weeks=n_lectures // 2 + 1)
    intervals: list[AttendanceInterval] = []
    for k in range(n_lectures):
        start = first + timedelta(days=3.5 * k)
        lecture = Lecture.objects.create(
            room=room,
            title=f"Lecture {k + 1}",
            livekit_room=f"{room.code}-{run_id}-{k}",
            status=Lecture.Status.ENDED,
            started_at=start,
            ended_at=start + timedelta(minutes=90),
        )
        ScheduledLecture.objects.create(
            room=room, starts_at=start, ends_at=start + timedelta(minutes=90), status="completed", lecture=lecture
        )
        guests = GuestSession.objects.bulk_create(
            GuestSession(room=room, display_name=e.name, fingerprint=f"t-{run_id}-{k}-{e.pk}") for e in entries
        )
        RosterSession.objects.bulk_create(RosterSession(entry=e, guest=g) for e, g in zip(entries, guests, strict=True))
        for guest in guests:
            if rng.random() < 0.1:
                continue  # absent
            joined = start + timedelta(minutes=rng.choice([0, 0, 0, 1, 2, 12]))
            left = start + timedelta(minutes=rng.choice([90, 90, 90, 70]))
            spans = (
                [(joined, left)]
                if rng.random() > 0.1
                else [(joined, joined + timedelta(minutes=30)), (joined + timedelta(minutes=35), left)]
            )
            for a, b in spans:
                intervals.append(
                    AttendanceInterval(
                        lecture=lecture,
                        guest=guest,
                        identity=f"guest-{guest.pk}",
                        display_name=guest.display_name,
                        role="guest",
                        joined_at=a,
                        left_at=b,
                    )
                )
    AttendanceInterval.objects.bulk_create(intervals, batch_size=2000)
    code = room.code
    connections.close_all()
    return code, len(intervals)


def term_report(args: argparse.Namespace, run_id: str) -> None:
    from django.test import Client

    from accounts.models import User
    from courses import report
    from rooms.models import Room

    log(f"writing a term: {args.students} students x {args.lectures} lectures")
    built = time.perf_counter()
    code, rows = build_term(args.students, args.lectures, run_id)
    log(f"term written ({rows} attendance intervals) in {time.perf_counter() - built:.1f} s")
    room = Room.objects.get(code=code)
    client = Client()
    client.force_login(User.objects.get(pk=room.host_id))
    session = client.cookies["sessionid"].value

    async def fetch() -> list[float]:
        times = []
        async with lb.new_session({"sessionid": session}) as http:
            for _ in range(args.runs):
                started = time.perf_counter()
                async with http.get(f"{BASE}/api/v1/rooms/{code}/attendance.csv") as response:
                    body = await response.read()
                    if response.status != 200:
                        raise lb.BenchError(f"attendance.csv: HTTP {response.status}")
                times.append(time.perf_counter() - started)
        lines = body.decode("utf-8-sig").strip().splitlines()
        if len(lines) != args.students + 1:
            raise lb.BenchError(f"attendance.csv has {len(lines)} lines, not {args.students + 1}")
        return times

    load = os.getloadavg()[0]
    over_http = asyncio.run(fetch())
    in_process = []
    for _ in range(args.runs):
        started = time.perf_counter()
        report.term_csv(room=room)
        in_process.append(time.perf_counter() - started)
    print()
    print("Term report results")
    print(f"  machine                        {os.cpu_count()} cores; load average (1 min) {load:.2f}")
    print(f"  term                           {args.students} students x {args.lectures} lectures, {rows} intervals")
    print(
        f"  GET attendance.csv ({args.runs} runs)   p50 {statistics.median(over_http):.3f} s   "
        f"max {max(over_http):.3f} s   (first {over_http[0]:.3f} s)"
    )
    print(f"  term_csv in-process            p50 {statistics.median(in_process):.3f} s   max {max(in_process):.3f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--spread", type=float, default=10.0, help="seconds over which the votes arrive")
    parser.add_argument("--concurrency", type=int, default=20, help="joins in flight at once")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the host to see every vote")
    parser.add_argument("--lectures", type=int, default=40, help="lectures in the term report")
    parser.add_argument("--runs", type=int, default=5, help="term report requests")
    args = parser.parse_args()

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    services = lb.Services()
    run_id = secrets.token_hex(4)
    try:
        services.start()
        lb.setup_django(services.env)
        code, host_session = create_host_and_room(run_id)
        assert services.daphne is not None
        met = asyncio.run(run_poll(args, services.daphne.pid, code, host_session, run_id))
        term_report(args, run_id)
        return 0 if met else 1
    except lb.BenchError as exc:
        print(f"poll_burst: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("poll_burst: interrupted", file=sys.stderr)
        return 130
    finally:
        log("stopping the services")
        services.stop()


if __name__ == "__main__":
    sys.exit(main())
