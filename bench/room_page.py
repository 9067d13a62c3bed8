"""Room page benchmark: what a student's page costs in a big lecture, and how fast it shows the professor.

    .venv/bin/python bench/room_page.py [--participants 50] [--rounds 10] [--observe 60] [--fps 5]

Self-contained, on the lobby burst's services (bench/lobby_burst.py: its own PostgreSQL on 5494,
livekit-server on 7950, daphne on 8070 — BENCH_PG_PORT, BENCH_LIVEKIT_PORT, BENCH_WEB_PORT move
them —, a fresh database; every process is stopped at the end):

1. The professor opens a lobby room (POST .../token with their session) and publishes a camera (a
   moving test pattern, 640×360) and a microphone from the Python SDK, as the host identity.
2. `--participants` - 1 students are admitted through the API (join, the host's admit, rejoin) and
   each publishes a small camera (--width × --height at --fps; with --microphones a silent mic too).
3. `--rounds` times, a real Chromium student (its own context, the default pre-join choices) opens
   the invite link and knocks; the bench admits it and takes the time from just before the admit
   request to the professor's first decoded frame on that page (the `playing` event of the host's
   tile, both clocks are this machine's). The student leaves before the next round.
4. A last student stays `--observe` seconds in the lecture; its page reports the video tracks it is
   subscribed to (the toolkit subscribes only to tiles on screen), its JS heap (Chromium's
   performance.memory) and main-thread long tasks (PerformanceObserver 'longtask') per minute.

Printed: admission → first frame p50 / p95 / max over the rounds; subscribed video tracks against
the published ones; JS heap; long tasks per minute. Targets (issue 11): the student's page
subscribes to the stage and at most one page of tiles.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import secrets
import signal
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lobby_burst import (
    BASE,
    BenchError,
    Services,
    csrf_headers,
    expect_json,
    log,
    new_session,
    setup_django,
)

CHROMIUM = "/usr/bin/chromium"
FIRST_FRAME_SCRIPT = """
(() => {
  window.__bench = { firstHostFrame: null, longTasks: [] };
  document.addEventListener('playing', (event) => {
    const tile = event.target.closest && event.target.closest('.tile[data-role="host"][data-source="camera"]');
    if (tile && window.__bench.firstHostFrame === null) window.__bench.firstHostFrame = Date.now();
  }, true);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__bench.longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { /* no long task API */ }
})();
"""
SUBSCRIBED_VIDEO = """() => {
  const room = window.lectern.room;
  let subscribed = 0, published = 0;
  for (const p of room.remoteParticipants.values()) {
    for (const pub of p.trackPublications.values()) {
      if (pub.kind !== 'video') continue;
      published += 1;
      if (pub.isSubscribed) subscribed += 1;
    }
  }
  return { subscribed, published, tiles: document.querySelectorAll('.tile').length };
}"""


class Publishers:
    """Python SDK participants on one background event loop, each sending a camera and a microphone."""

    def __init__(self, fps: int) -> None:
        from livekit import rtc

        self.rtc = rtc
        self.fps = fps
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="publishers", daemon=True)
        self.thread.start()
        self.rooms: list[Any] = []
        self.pumps: list[asyncio.Future[Any]] = []

    def run(self, coroutine: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def publish(self, people: list[dict[str, Any]], *, width: int, height: int, microphone: bool) -> int:
        """Connect and publish everyone, ten at a time; returns how many made it (failures are logged)."""
        rtc = self.rtc

        async def one(credentials: dict[str, Any]) -> None:
            room = rtc.Room(loop=self.loop)
            await asyncio.wait_for(room.connect(credentials["livekit_url"], credentials["token"]), 60)
            self.rooms.append(room)
            video = rtc.VideoSource(width, height)
            track = rtc.LocalVideoTrack.create_video_track("camera", video)
            options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, simulcast=True)
            await asyncio.wait_for(room.local_participant.publish_track(track, options), 60)
            if microphone:
                audio = rtc.AudioSource(48000, 1)
                mic = rtc.LocalAudioTrack.create_audio_track("mic", audio)
                mic_options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
                await asyncio.wait_for(room.local_participant.publish_track(mic, mic_options), 60)
            self.pumps.append(asyncio.ensure_future(self._pump(video, width, height)))

        async def all_of_them() -> int:
            done = 0
            for start in range(0, len(people), 10):
                results = await asyncio.gather(*(one(c) for c in people[start : start + 10]), return_exceptions=True)
                for result in results:
                    if isinstance(result, BaseException):
                        log(f"a publisher failed: {result!r}")
                    else:
                        done += 1
            return done

        return int(self.run(all_of_them(), timeout=60 + 90 * (len(people) // 10 + 1)))

    async def _pump(self, video: Any, width: int, height: int) -> None:
        """A few precomputed frames in turn at --fps (cheap: the encoders are the cost being simulated)."""
        rtc = self.rtc
        frames = [
            rtc.VideoFrame(
                width,
                height,
                rtc.VideoBufferType.RGBA,
                np.full((height, width, 4), (shade, 128, 255 - shade, 255), dtype=np.uint8).tobytes(),
            )
            for shade in range(0, 256, 32)
        ]
        index = 0
        while True:
            video.capture_frame(frames[index % len(frames)])
            index += 1
            await asyncio.sleep(1 / self.fps)

    def close(self) -> None:
        for pump in self.pumps:
            self.loop.call_soon_threadsafe(pump.cancel)
        for room in self.rooms:
            with contextlib.suppress(Exception):
                self.run(room.disconnect(), timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def create_host_and_room(run_id: str) -> tuple[str, str]:
    """A host with a display name, a lobby room of theirs and a logged-in session: (code, session)."""
    from django.db import connections
    from django.test import Client

    from accounts.models import User
    from rooms.services import create_room

    user = User.objects.create_user(f"prof-{run_id}@bench.example", secrets.token_urlsafe(16), name="Bench Professor")
    room = create_room(host=user, title=f"Room page {run_id}", lobby=True, ai_assistant=False)
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    connections.close_all()
    return room.code, session


async def api_post(session: aiohttp.ClientSession, path: str, body: Any = None, ok: tuple[int, ...] = (200,)) -> Any:
    async with session.post(f"{BASE}{path}", json=body or {}, headers=csrf_headers(session)) as response:
        return await expect_json(response, ok, f"POST {path}")


async def with_csrf(session: aiohttp.ClientSession, path: str) -> None:
    async with session.get(f"{BASE}{path}") as response:
        await response.read()


async def pending_entries(host: aiohttp.ClientSession, code: str) -> list[dict[str, Any]]:
    async with host.get(f"{BASE}/api/v1/rooms/{code}/lobby") as response:
        return list(json.loads(await response.text()))


async def admit_sdk_students(host: aiohttp.ClientSession, code: str, first: int, count: int) -> list[dict[str, Any]]:
    credentials = []
    for index in range(first, first + count):
        async with new_session() as student:
            await with_csrf(student, f"/j/{code}")
            body = {"display_name": f"Student {index + 1}", "fingerprint": f"bench-{index:08d}-{secrets.token_hex(8)}"}
            async with student.post(
                f"{BASE}/api/v1/rooms/{code}/join", json=body, headers=csrf_headers(student)
            ) as response:
                joined = await expect_json(response, (200, 202), "join")
            if joined.get("token"):
                credentials.append(joined)
                continue
            entry = next(e for e in await pending_entries(host, code) if e["display_name"] == body["display_name"])
            await api_post(host, f"/api/v1/rooms/{code}/lobby/{entry['id']}/admit")
            credentials.append(await api_post(student, f"/api/v1/rooms/{code}/rejoin"))
    return credentials


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


async def student_round(browser: Any, host: aiohttp.ClientSession, code: str, name: str, stay: float) -> dict[str, Any]:
    """One Chromium student: knock with the default choices, get admitted, wait for the professor's frame."""
    # Playwright's string waits are evaluated like eval(), which the page's CSP forbids (as in tests/e2e)
    context = await browser.new_context(base_url=BASE, permissions=["camera", "microphone"], bypass_csp=True)
    await context.add_init_script(FIRST_FRAME_SCRIPT)
    page = await context.new_page()
    try:
        await page.goto(f"/j/{code}")
        await page.fill("#join-name", name)
        await page.click("#join-submit")
        await page.get_by_text("The host will let you in soon.").wait_for(timeout=30_000)
        entry = None
        while entry is None:
            entry = next((e for e in await pending_entries(host, code) if e["display_name"] == name), None)
            if entry is None:
                await asyncio.sleep(0.05)
        admitted_at = time.time() * 1000
        await api_post(host, f"/api/v1/rooms/{code}/lobby/{entry['id']}/admit")
        await page.wait_for_function("window.__bench.firstHostFrame !== null", timeout=60_000)
        first = await page.evaluate("window.__bench.firstHostFrame")
        result: dict[str, Any] = {"first_frame_ms": first - admitted_at}
        if stay:
            started = await page.evaluate("performance.now()")
            await asyncio.sleep(stay)
            result["video"] = await page.evaluate(SUBSCRIBED_VIDEO)
            result["heap"] = await page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : null")
            tasks = await page.evaluate("window.__bench.longTasks")
            window = [t for t in tasks if t[0] >= started]
            result["long_tasks_per_min"] = len(window) * 60 / stay
            result["long_task_ms_per_min"] = sum(t[1] for t in window) * 60 / stay
        return result
    finally:
        await context.close()


async def run(args: argparse.Namespace, code: str, host_session: str, publishers: Publishers) -> None:
    from playwright.async_api import async_playwright

    async with new_session({"sessionid": host_session}) as host:
        await with_csrf(host, "/")
        log("the professor opens the room and publishes a camera and a microphone")
        professor = await api_post(host, f"/api/v1/rooms/{code}/token")
        if publishers.publish([professor], width=640, height=360, microphone=True) != 1:
            raise BenchError("the professor could not publish")
        log(f"admitting {args.participants - 1} Python SDK students, each with a camera")
        # Ten at a time, each connecting right after its admission (tokens are short-lived).
        published = 0
        for first in range(0, args.participants - 1, 10):
            batch = await admit_sdk_students(host, code, first, min(10, args.participants - 1 - first))
            published += publishers.publish(batch, width=args.width, height=args.height, microphone=args.microphones)
        log(f"{published} of {args.participants - 1} students publish")

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--use-fake-ui-for-media-stream",
                    "--use-fake-device-for-media-stream",
                    "--enable-precise-memory-info",
                ],
            )
            latencies = []
            for index in range(args.rounds):
                result = await student_round(browser, host, code, f"Browser student {index + 1}", 0)
                latencies.append(result["first_frame_ms"])
                log(f"round {index + 1}: admission → professor's first frame {result['first_frame_ms']:.0f} ms")
            log(f"a last student stays {args.observe:.0f} s to measure its page")
            steady = await student_round(browser, host, code, "Observed student", args.observe)
            await browser.close()

    print()
    print(
        f"room page, {args.participants} participants (Python SDK publishers at {args.fps} fps), {args.rounds} rounds"
    )
    print(
        f"  admission → professor's first frame: p50 {statistics.median(latencies):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms, max {max(latencies):.0f} ms"
    )
    video = steady["video"]
    print(
        f"  subscribed video tracks: {video['subscribed']} of {video['published']} published "
        f"({video['tiles']} tiles on the page)"
    )
    heap = steady["heap"]
    print(f"  JS heap: {heap / 1_048_576:.1f} MiB" if heap else "  JS heap: not reported by this browser")
    print(
        f"  main-thread long tasks: {steady['long_tasks_per_min']:.1f} per minute, "
        f"{steady['long_task_ms_per_min']:.0f} ms of them per minute"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=50, help="people in the lecture, the professor included")
    parser.add_argument("--rounds", type=int, default=10, help="browser students timed from admission to first frame")
    parser.add_argument("--observe", type=float, default=60.0, help="seconds the last student's page is watched")
    parser.add_argument("--fps", type=int, default=5, help="frames per second of each Python SDK camera")
    parser.add_argument("--width", type=int, default=320, help="students' camera width (height: --height)")
    parser.add_argument("--height", type=int, default=180)
    parser.add_argument("--microphones", action="store_true", help="students publish a (silent) microphone too")
    args = parser.parse_args()
    if args.participants < 1 or args.rounds < 1:
        parser.error("--participants and --rounds must be at least 1")

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    services = Services()
    publishers: Publishers | None = None
    try:
        services.start()
        setup_django(services.env)
        code, host_session = create_host_and_room(secrets.token_hex(4))
        publishers = Publishers(args.fps)
        asyncio.run(run(args, code, host_session, publishers))
        return 0
    except BenchError as exc:
        print(f"room_page: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("room_page: interrupted", file=sys.stderr)
        return 130
    finally:
        if publishers is not None:
            publishers.close()
        services.stop()


if __name__ == "__main__":
    sys.exit(main())
