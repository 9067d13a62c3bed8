"""End to end on the real stack: livekit-server + Redis + egress (Chromium under Xvfb, PulseAudio)
recording our lecture layout served by daphne, the egress webhooks coming back to it."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from recordings.models import Recording
from recordings.services import check_recording
from rooms.models import Room
from tests.conftest import EGRESS_HEALTH_URL_TEST, ROOT, wait_for
from tests.recordings.conftest import egress_pid
from tests.recordings.media import Lecturer

API = "/api/v1"
EGRESS_SH = str(ROOT / "scripts" / "egress.sh")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("egress", "web_server")]


def profile() -> str:
    return os.environ.get("TEST_PROFILE", "test")


def ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def mean_volume(path: Path) -> float:
    out = subprocess.run(
        ["ffmpeg", "-hide_banner", "-i", str(path), "-vn", "-af", "volumedetect", "-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    line = next(text for text in out.stderr.splitlines() if "mean_volume" in text)
    return float(line.split("mean_volume:")[1].split("dB")[0])


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def recording_status(recording_id: int, *wanted: str) -> Recording | None:
    recording = Recording.objects.get(pk=recording_id)
    return recording if recording.status in wanted else None


def test_host_records_a_lecture_and_gets_a_playable_file_with_audio_and_video(host_client: Client, room: Room) -> None:
    credentials = host_client.post(f"{API}/rooms/{room.code}/token").json()
    lecturer = Lecturer(credentials).start()
    try:
        started = post(host_client, f"{API}/rooms/{room.code}/recording", {"action": "start"})
        assert started.status_code == 200, started.content
        recording_id = started.json()["recording"]["id"]
        assert started.json()["recording"]["status"] in ("starting", "recording")
        again = post(host_client, f"{API}/rooms/{room.code}/recording", {"action": "start"})
        assert again.status_code == 409

        wait_for(
            lambda: recording_status(recording_id, "recording"), timeout=45, what="egress_started/updated → recording"
        )
        time.sleep(12)
        stopped = post(host_client, f"{API}/rooms/{room.code}/recording", {"action": "stop"})
        assert stopped.status_code == 200 and stopped.json()["recording"]["status"] in ("processing", "ready")
        recording = wait_for(lambda: recording_status(recording_id, "ready", "failed"), timeout=60, what="egress_ended")
    finally:
        lecturer.stop()

    assert recording.status == "ready", recording.error
    assert recording.duration and recording.size
    path = Path(settings.MEDIA_ROOT) / recording.storage_key
    probe = ffprobe(path)
    kinds = {s["codec_type"]: s["codec_name"] for s in probe["streams"]}
    assert kinds == {"video": "h264", "audio": "opus"}
    assert abs(float(probe["format"]["duration"]) - recording.duration) <= 2
    assert recording.duration >= 10
    assert path.stat().st_size == recording.size
    assert mean_volume(path) > -45, "the speech is in the recording, not silence"

    detail = host_client.get(f"{API}/recordings/{recording_id}").json()
    download = host_client.get(detail["download_url"])
    assert download.status_code == 200
    assert sum(len(chunk) for chunk in download.streaming_content) == recording.size  # type: ignore[attr-defined]


def live_socket_group(lecture_id: int) -> Any:
    """Listen to the lecture's live-socket group (what every room page's /live/ socket relays);
    returns a function giving the next server message."""
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from participants.broadcasts import lecture_group

    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(lecture_group(lecture_id), channel)

    async def receive() -> dict[str, Any]:
        return dict((await asyncio.wait_for(layer.receive(channel), timeout=10))["message"])

    return lambda: async_to_sync(receive)()


@pytest.fixture
def egress_watched(settings: Any) -> None:
    settings.EGRESS_HEALTH_URL = EGRESS_HEALTH_URL_TEST


def test_a_recording_whose_egress_dies_fails_with_the_reason_and_a_new_one_starts_after_the_restart(
    host_client: Client, room: Room, egress_watched: None
) -> None:
    credentials = host_client.post(f"{API}/rooms/{room.code}/token").json()
    lecturer = Lecturer(credentials).start()
    try:
        first = post(host_client, f"{API}/rooms/{room.code}/recording", {"action": "start"}).json()["recording"]["id"]
        wait_for(lambda: recording_status(first, "recording"), timeout=45, what="the first recording to run")
        # the whole egress goes down (service and its handler), as when a pipeline crash takes it along
        service = egress_pid()
        assert service is not None
        handlers = subprocess.run(["pgrep", "-P", str(service), "-f", "run-handler"], capture_output=True, text=True)
        assert handlers.stdout.split(), "egress runs the recording in a run-handler child"
        for pid in [service, *map(int, handlers.stdout.split())]:
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: (egress_pid() or service) != service, timeout=20, what="the supervisor to restart egress")
        wait_for(lambda: subprocess.run([EGRESS_SH, "health", profile()]).returncode == 0, timeout=20, what="egress")

        room_page = live_socket_group(Recording.objects.get(pk=first).lecture_id)
        recording = check_recording(recording=Recording.objects.get(pk=first))
        assert recording.status == "failed" and "stopped unexpectedly" in recording.error
        # what the room page's live socket gets: the host's "Recording stopped: …" (10 s at most each)
        told = next(m for m in iter(room_page, None) if m.get("recording", {}).get("status") == "failed")
        assert "stopped unexpectedly" in told["recording"]["error"]

        second = post(host_client, f"{API}/rooms/{room.code}/recording", {"action": "start"})
        assert second.status_code == 200, second.content
        second_id = second.json()["recording"]["id"]
        wait_for(lambda: recording_status(second_id, "recording"), timeout=45, what="the second recording to run")
        time.sleep(4)
        assert post(host_client, f"{API}/rooms/{room.code}/recording", {"action": "stop"}).status_code == 200
        done = wait_for(lambda: recording_status(second_id, "ready", "failed"), timeout=60, what="egress_ended")
        assert done.status == "ready", done.error
    finally:
        lecturer.stop()


def test_auto_record_starts_when_the_host_opens_the_room_and_ending_the_lecture_stops_it(
    host_client: Client, room: Room
) -> None:
    settings_response = host_client.patch(
        f"{API}/rooms/{room.code}/recording-settings",
        json.dumps({"auto_record": True, "default_access": "attendees"}),
        content_type="application/json",
    )
    assert settings_response.status_code == 200
    credentials = host_client.post(f"{API}/rooms/{room.code}/token").json()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)  # the task worker
    recording = Recording.objects.get(room=room)
    assert recording.status in ("starting", "recording") and recording.access == "attendees"
    lecturer = Lecturer(credentials).start()
    try:
        wait_for(lambda: recording_status(recording.pk, "recording"), timeout=45, what="auto-record to run")
        indicator = host_client.get(f"{API}/rooms/{room.code}/recording").json()
        assert indicator["recording"]["recording"] is True
        time.sleep(4)
        assert host_client.post(f"{API}/rooms/{room.code}/end").status_code == 200
        done = wait_for(lambda: recording_status(recording.pk, "ready", "failed"), timeout=60, what="egress_ended")
    finally:
        lecturer.stop()
    assert done.status == "ready", done.error
    assert done.duration and done.duration >= 3
