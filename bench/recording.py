"""Recording benchmark: LiveKit Egress recording a lecture through Lectern's layout.

    .venv/bin/python bench/recording.py [--seconds 60] [--runs 1]

Its own services, on ports away from `make dev` and the test suites: PostgreSQL
(`scripts/postgres.sh start test-recbench`, port 5477, a fresh database), Redis (6391),
livekit-server (7945), egress (`scripts/egress.sh start test-recbench`, health 9750) and daphne on
8065 (the lecture layout egress's Chromium opens, and the webhooks). A Python rtc lecturer
publishes a moving 640x360 test pattern and speech; the host's Record goes through
`recordings.services.start_recording`, exactly as the API does.

Figures per run:
- Record → first second: from the start call to egress's `started_at` (when its pipeline began
  writing; the file's first second is from then), and to the Recording reaching `recording`
  through the egress webhooks;
- egress CPU (cores, mean and peak) and memory (RSS, peak) of the whole egress tree (service,
  run-handler, Chromium, Xvfb) while recording, sampled each second;
- file size per hour (720p30 H.264 2.5 Mbit/s + Opus 96 kbit/s), from the file and ffprobe's duration;
- end of lecture → playable: from ending the lecture (rooms.services.end_lecture) to the Recording
  being `ready` (egress_ended applied), i.e. the player on the lecture page.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_PORT, REDIS_PORT, LK_PORT, WEB_PORT, HEALTH_PORT = 5477, 6391, 7945, 8065, 9750
PROFILE = "test-recbench"
os.environ.update(
    DATABASE_URL=f"postgres://lectern@127.0.0.1:{PG_PORT}/lectern",
    LIVEKIT_URL=f"ws://127.0.0.1:{LK_PORT}",
    LIVEKIT_API_KEY="devkey",
    LIVEKIT_API_SECRET="lectern-dev-secret-0123456789abcdefghijkl",
    DJANGO_SETTINGS_MODULE="config.settings",
    HF_HUB_OFFLINE="1",
    PORT=str(WEB_PORT),
    EGRESS_HEALTH_URL=f"http://127.0.0.1:{HEALTH_PORT}/",
    PGPORT_TEST=str(PG_PORT),
    REDIS_PORT_TEST=str(REDIS_PORT),
    LIVEKIT_TEST_PORT=str(LK_PORT),
    TEST_WEB_PORT=str(WEB_PORT),
    EGRESS_HEALTH_PORT_TEST=str(HEALTH_PORT),
    EGRESS_TEMPLATE_PORT_TEST=str(HEALTH_PORT + 1),
)


def wait_http(url: str, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - our loopback URL
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer at {url}") from None
            time.sleep(0.2)


class Services:
    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Any] = []

    def _spawn(self, name: str, command: list[str]) -> None:
        log = (ROOT / "var" / f"{name}-{PROFILE}.log").open("wb")
        self.logs.append(log)
        self.processes.append(subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log))

    def start(self) -> None:
        subprocess.run(["scripts/postgres.sh", "start", PROFILE], cwd=ROOT, check=True)
        import psycopg

        with psycopg.connect(f"postgres://lectern@127.0.0.1:{PG_PORT}/postgres", autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS lectern WITH (FORCE)")
            admin.execute("CREATE DATABASE lectern")
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
        subprocess.run(["scripts/redis.sh", "start", PROFILE], cwd=ROOT, check=True)
        self._spawn("livekit", ["scripts/livekit.sh", "run", PROFILE])
        wait_http(f"http://127.0.0.1:{LK_PORT}/", "livekit-server")
        subprocess.run(["scripts/egress.sh", "start", PROFILE], cwd=ROOT, check=True)
        self._spawn(
            "web", [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(WEB_PORT), "config.asgi:application"]
        )
        wait_http(f"http://127.0.0.1:{WEB_PORT}/healthz", "daphne")

    def stop(self) -> None:
        subprocess.run(["scripts/egress.sh", "stop", PROFILE], cwd=ROOT, check=False)
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()  # livekit-server may linger while participants are connected
        for log in self.logs:
            log.close()
        subprocess.run(["scripts/redis.sh", "stop", PROFILE], cwd=ROOT, check=False)
        subprocess.run(["scripts/postgres.sh", "stop", PROFILE], cwd=ROOT, check=False)


def egress_tree() -> list[Any]:
    """The egress supervisor's process tree (service, run-handler, Chromium, Xvfb, GStreamer)."""
    import psutil

    pid = int((ROOT / "var" / f"egress-{PROFILE}.pid").read_text())
    root = psutil.Process(pid)
    found = [root, *root.children(recursive=True)]
    # run-handler children start their own sessions but stay our descendants through the service
    return found


def sample(seconds: float) -> dict[str, float]:
    """CPU (cores) and RSS (MiB) of the egress tree, once a second for `seconds`."""
    import psutil

    cpu: list[float] = []
    rss: list[float] = []
    seen: dict[int, Any] = {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        tree = egress_tree()
        for process in tree:
            if process.pid not in seen:
                seen[process.pid] = process
                with contextlib.suppress(psutil.Error):
                    process.cpu_percent(None)
        time.sleep(1)
        total_cpu = total_rss = 0.0
        for process in tree:
            try:
                total_cpu += seen[process.pid].cpu_percent(None) / 100
                total_rss += process.memory_info().rss / 2**20
            except psutil.Error:
                continue
        cpu.append(total_cpu)
        rss.append(total_rss)
    return {
        "cpu_mean_cores": round(statistics.mean(cpu[2:] or cpu), 2),
        "cpu_peak_cores": round(max(cpu), 2),
        "rss_peak_mib": round(max(rss), 0),
    }


def run_once(seconds: float) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from lectures.life import end_lecture, issue_host_token, open_room
    from recordings.models import Recording
    from recordings.services import start_recording
    from rooms.services import create_room
    from tests.recordings.media import Lecturer

    user_model = get_user_model()
    host = user_model.objects.create_user(f"bench-{time.time_ns()}@uni.example", "bench-password-123")
    room = create_room(host=host, title="Recording benchmark")
    open_room(room=room)
    credentials = issue_host_token(room=room, user=host)
    lecturer = Lecturer({"livekit_url": credentials.livekit_url, "token": credentials.token}).start()
    try:
        time.sleep(2)
        clicked = time.time()
        recording = start_recording(room=room, by=host)
        while recording.status != Recording.Status.RECORDING:
            if time.time() - clicked > 60:
                raise RuntimeError(f"recording never started: {recording.status} {recording.error}")
            time.sleep(0.05)
            recording.refresh_from_db()
        to_recording = time.time() - clicked
        to_first_second = recording.started_at.timestamp() - clicked if recording.started_at else float("nan")
        usage = sample(seconds)
        ended = time.time()
        end_lecture(room=room)
        while recording.status not in (Recording.Status.READY, Recording.Status.FAILED):
            if time.time() - ended > 120:
                raise RuntimeError("the recording never became ready")
            time.sleep(0.05)
            recording.refresh_from_db()
        to_playable = time.time() - ended
    finally:
        lecturer.stop()
    if recording.status != Recording.Status.READY:
        raise RuntimeError(f"recording failed: {recording.error}")
    from django.conf import settings

    path = Path(settings.MEDIA_ROOT) / recording.storage_key
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_format", "-of", "json", str(path)], capture_output=True, text=True
        ).stdout
    )
    duration = float(probe["format"]["duration"])
    return {
        "record_to_first_second_s": round(to_first_second, 2),
        "record_to_recording_status_s": round(to_recording, 2),
        **usage,
        "recorded_s": round(duration, 1),
        "size_mib": round(path.stat().st_size / 2**20, 2),
        "mib_per_hour": round(path.stat().st_size / 2**20 / duration * 3600, 0),
        "end_to_playable_s": round(to_playable, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long each recording runs (600 = 10 min)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    services = Services()
    services.start()
    try:
        import django

        django.setup()
        results = [run_once(args.seconds) for _ in range(args.runs)]
    finally:
        services.stop()
    print(json.dumps({"seconds": args.seconds, "nproc": os.cpu_count(), "runs": results}, indent=2))


if __name__ == "__main__":
    main()
