"""A small `make cluster` for the tests: scripts/cluster.sh runs two livekit-server nodes and two
daphne processes on the test Redis and the test database, on ports beside the suite's own."""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
STOP_TIMEOUT = 20  # honcho kills whatever is still running 5 s after SIGTERM


@dataclass
class Cluster:
    web: list[str]  # http://127.0.0.1:<port> of web-a, web-b
    livekit: list[str]  # ws://127.0.0.1:<port> of node a, node b
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def ports(self) -> list[int]:
        return [int(url.rsplit(":", 1)[1]) for url in self.web + self.livekit]

    def stop(self) -> float:
        """SIGTERM to honcho, as Ctrl-C does; returns how long it took everything to go."""
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
                pytest.fail(f"the cluster did not stop within {STOP_TIMEOUT}s; see {self.log}")
        return time.monotonic() - started


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our loopback URLs
            return bool(response.status == 200)
    except OSError:
        return False


def start_cluster(processes: list[str], database_url: str) -> Cluster:
    """scripts/cluster.sh run <processes>, on ports just above the suite's own web and LiveKit ports."""
    web_base = int(os.environ["TEST_WEB_PORT"])
    livekit_base = int(os.environ["LIVEKIT_TEST_PORT"])
    web_ports = [web_base + 1, web_base + 2]
    livekit_ports = [livekit_base + 3, livekit_base + 6]  # each node uses the next two for RTC
    profile = f"cluster-{os.environ.get('TEST_PROFILE', 'test')}"
    env = dict(
        os.environ,
        CLUSTER_NAME=profile,
        CLUSTER_WEB_PORTS=" ".join(map(str, web_ports)),
        CLUSTER_LIVEKIT_PORTS=" ".join(map(str, livekit_ports)),
        # The test Redis, in a database of its own: the suite's LiveKit node is on database 0.
        REDIS_PORT_CLUSTER=os.environ.get("REDIS_PORT_TEST", "6380"),
        CLUSTER_REDIS_DB="1",
        DATABASE_URL=database_url,
        LIVEKIT_LOG_LEVEL="warn",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for port in web_ports + livekit_ports:
        assert not port_open(port), f"port {port} is taken: a cluster of an earlier run still up?"
    log = ROOT / "var" / f"{profile}.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            ["scripts/cluster.sh", "run", *processes],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    cluster = Cluster(
        web=[f"http://127.0.0.1:{port}" for port in web_ports],
        livekit=[f"ws://127.0.0.1:{port}" for port in livekit_ports],
        process=process,
        log=log,
    )

    def ready() -> bool:
        if process.poll() is not None:
            pytest.fail(f"the cluster exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        nodes = [
            url.replace("ws://", "http://")
            for url, node in zip(cluster.livekit, "ab", strict=True)
            if f"livekit-{node}" in processes
        ]
        webs = [f"{url}/healthz" for url, node in zip(cluster.web, "ab", strict=True) if f"web-{node}" in processes]
        return all(answers(url) for url in nodes + webs)

    try:
        wait_for(ready, timeout=60, interval=0.3, what=f"the cluster's readiness (log {log})")
    except BaseException:
        with contextlib.suppress(Exception):
            cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="module")
def cluster(django_db_setup: Any, django_db_blocker: Any, livekit: None) -> Iterator[Cluster]:
    """Two LiveKit nodes and two web processes on one Redis and the test database."""
    from django.db import connection

    settings = connection.settings_dict
    database_url = f"postgres://lectern@127.0.0.1:{settings['PORT']}/{settings['NAME']}"
    running = start_cluster(["livekit-a", "livekit-b", "web-a", "web-b"], database_url)
    yield running
    running.stop()
