"""Fixtures of the recordings tests: the real egress stack (Redis shared with livekit-server, egress
with Chromium under Xvfb and PulseAudio), started here and stopped at the end of the session."""

import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import User
from recordings.models import Recording
from rooms import livekit_server
from rooms.models import Room
from tests.conftest import ROOT


def _profile() -> str:
    return os.environ.get("TEST_PROFILE", "test")


@pytest.fixture(scope="session")
def egress(livekit: None) -> Iterator[None]:
    """LiveKit Egress on the test Redis (scripts/egress.sh: config under var/, PulseAudio, a supervisor
    that restarts egress when it dies). The tests fail, not skip, when it cannot start."""
    script = str(ROOT / "scripts" / "egress.sh")
    started = subprocess.run([script, "start", _profile()], cwd=ROOT, capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        pytest.fail(f"egress did not start (make tools/bin/egress builds it): {started.stdout}{started.stderr}")
    yield
    subprocess.run([script, "stop", _profile()], cwd=ROOT, capture_output=True, timeout=60)


def egress_pid() -> int | None:
    """The running egress service process (the supervisor's child), if any."""
    pidfile = ROOT / "var" / f"egress-{_profile()}.pid"
    if not pidfile.exists():
        return None
    supervisor = pidfile.read_text().strip()
    found = subprocess.run(["pgrep", "-P", supervisor, "-x", "egress"], capture_output=True, text=True)
    pids = [int(p) for p in found.stdout.split()]
    return pids[0] if pids else None


def make_recording(
    room: Room, *, status: str = Recording.Status.READY, access: str = "hosts", key: str = ""
) -> Recording:
    """A recording row of the room's latest lecture (a new ended one if it has none)."""
    from django.utils import timezone

    from rooms.models import Lecture

    lecture = room.lectures.order_by("-started_at").first()
    if lecture is None:
        lecture = Lecture.objects.create(
            room=room,
            title=room.title,
            livekit_room=f"{room.code}-rec{Lecture.objects.count()}",
            started_at=timezone.now(),
            status=Lecture.Status.ENDED,
            ended_at=timezone.now(),
        )
    return Recording.objects.create(
        room=room,
        lecture=lecture,
        status=status,
        access=access,
        storage_key=key or f"recordings/{lecture.pk}/test-{Recording.objects.count()}-{os.urandom(4).hex()}.mp4",
        duration=12.0 if status == Recording.Status.READY else None,
        size=1000 if status == Recording.Status.READY else None,
    )


def egress_webhook(client: Any, *, event: str, egress: livekit_server.Egress, event_id: str) -> Any:
    """POST a signed egress webhook to our endpoint, as LiveKit would."""
    body = livekit_server.mint_egress_webhook_body(event=event, egress=egress, event_id=event_id)
    return client.post(
        "/livekit/webhook",
        data=body,
        content_type="application/webhook+json",
        HTTP_AUTHORIZATION=livekit_server.sign_webhook(body=body),
    )


@pytest.fixture
def co_host(db: Any) -> User:
    return User.objects.create_user("cohost@uni.example", "correct-horse-battery")
