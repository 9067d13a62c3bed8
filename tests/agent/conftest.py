"""Fixtures of the AI assistant's tests: an agent worker on the test database and the test LiveKit."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.agent.participants import ROOT, AgentWorker
from tests.conftest import wait_for


def worker_env(**overrides: str) -> dict[str, str]:
    """The environment of an agent worker process: the test database, the test LiveKit, offline."""
    from django.db import connection

    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for name in ("DEEPGRAM_API_KEY", "OPENAI_API_KEY"):
        env.pop(name, None)
    settings = connection.settings_dict
    env["DATABASE_URL"] = f"postgres://lectern@127.0.0.1:{settings['PORT']}/{settings['NAME']}"
    env["HF_HUB_OFFLINE"] = "1"
    env["LIVEKIT_LOG_LEVEL"] = "INFO"
    env.update(overrides)
    return env


def start_worker(name: str, **overrides: str) -> AgentWorker:
    log = Path(ROOT) / "var" / f"agent-test-{os.environ['TEST_WEB_PORT']}-{name}.log"
    worker = AgentWorker(env=worker_env(**overrides), log_path=log).start()
    wait_for(worker.registered, timeout=90, interval=0.2, what=f"the agent worker to register (see {log})")
    return worker


@pytest.fixture(scope="module")
def agent_worker(django_db_setup: Any, django_db_blocker: Any, livekit: None) -> Iterator[AgentWorker]:
    """One agent worker for a module's tests, registered with the test LiveKit server."""
    worker = start_worker("module")
    yield worker
    worker.stop()
