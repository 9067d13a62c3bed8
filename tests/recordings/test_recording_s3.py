"""Recordings on S3, as production stores them: egress uploads the file straight to the bucket (its own
s3 config, as docker-compose.yml gives it) under the key Lectern chose; Lectern serves it through a
short-lived presigned GET and deletes the object with the recording. One real egress run against
versitygw (a real S3 server)."""

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import boto3
import botocore.auth
import pytest
from botocore.client import Config
from django.test import Client
from django.urls import reverse

from recordings.models import Recording
from rooms.models import Room
from tests.conftest import ROOT, wait_for
from tests.lectures.conftest import S3_ACCESS, S3_BUCKET, S3_SECRET, s3_server, s3_storage  # noqa: F401 - fixtures
from tests.recordings.media import Lecturer
from tests.recordings.test_recording_e2e import ffprobe, post, recording_status

API = "/api/v1"
EGRESS_SH = str(ROOT / "scripts" / "egress.sh")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("web_server")]


def _restart_egress(env: dict[str, str]) -> None:
    profile = os.environ.get("TEST_PROFILE", "test")
    subprocess.run([EGRESS_SH, "stop", profile], cwd=ROOT, env=env, capture_output=True, timeout=60)
    started = subprocess.run(
        [EGRESS_SH, "start", profile], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 0, started.stdout + started.stderr


@pytest.fixture(scope="module")
def egress_on_s3(egress: None, s3_server: str) -> Iterator[str]:  # noqa: F811 - the imported fixture
    """Egress restarted with an s3 block for versitygw's bucket; restarted as before (files on disk) after."""
    env = {
        **os.environ,
        "EGRESS_S3_ENDPOINT": s3_server,
        "EGRESS_S3_BUCKET": S3_BUCKET,
        "EGRESS_S3_ACCESS_KEY": S3_ACCESS,
        "EGRESS_S3_SECRET": S3_SECRET,
    }
    _restart_egress(env)
    yield s3_server
    _restart_egress(dict(os.environ))


@pytest.fixture
def bucket(egress_on_s3: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=egress_on_s3,
        aws_access_key_id=S3_ACCESS,
        aws_secret_access_key=S3_SECRET,
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urlopen(url, timeout=30) as response:  # noqa: S310 - the presigned URL of our test bucket
            return response.status, response.read()
    except HTTPError as exc:
        return exc.code, exc.read()


def test_egress_uploads_the_recording_to_s3_and_lectern_serves_it_by_short_lived_presigned_urls(
    host_client: Client,
    room: Room,
    settings: Any,
    s3_storage: Callable[[], Any],  # noqa: F811 - the imported fixture
    bucket: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    settings.STORAGE_BACKEND = "s3"
    settings.DOWNLOAD_URL_TTL = 60
    credentials = host_client.post(f"{API}/rooms/{room.code}/token").json()
    lecturer = Lecturer(credentials).start()
    try:
        started = post(host_client, f"{API}/rooms/{room.code}/recording", {"action": "start"})
        assert started.status_code == 200, started.content
        recording_id = started.json()["recording"]["id"]
        wait_for(lambda: recording_status(recording_id, "recording"), timeout=45, what="the recording to run")
        time.sleep(5)  # five seconds of lecture in the file
        assert post(host_client, f"{API}/rooms/{room.code}/recording", {"action": "stop"}).status_code == 200
        recording = wait_for(lambda: recording_status(recording_id, "ready", "failed"), timeout=60, what="egress_ended")
    finally:
        lecturer.stop()
    assert recording.status == "ready", recording.error

    # egress put the file in the bucket, under Lectern's unguessable key, not on this disk
    head = bucket.head_object(Bucket=S3_BUCKET, Key=recording.storage_key)
    assert head["ContentLength"] == recording.size
    assert recording.storage_key.startswith(f"recordings/{recording.lecture_id}/")
    assert not (Path(settings.MEDIA_ROOT) / recording.storage_key).exists()

    # the API's link and the lecture page's player: our signed link, redirecting to a presigned GET
    detail = host_client.get(f"{API}/recordings/{recording_id}").json()
    page = host_client.get(reverse("lectures:detail", args=[recording.lecture_id])).content.decode()
    assert "/recordings/download/" in page
    redirect = host_client.get(detail["download_url"])
    assert redirect.status_code == 302 and redirect["Cache-Control"] == "private, no-store"
    url = redirect["Location"]
    assert url.startswith(f"{bucket.meta.endpoint_url}/{S3_BUCKET}/{recording.storage_key}?")
    assert "X-Amz-Expires=60" in url and "X-Amz-Signature=" in url
    status, body = fetch(url)
    assert status == 200 and len(body) == recording.size
    (tmp_path / "lecture.mp4").write_bytes(body)
    kinds = {s["codec_type"]: s["codec_name"] for s in ffprobe(tmp_path / "lecture.mp4")["streams"]}
    assert kinds == {"video": "h264", "audio": "opus"}

    # a presigned URL signed longer ago than its lifetime no longer works (the signer's clock moved back)
    signed_at = botocore.auth.get_current_datetime() - timedelta(seconds=settings.DOWNLOAD_URL_TTL + 60)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: signed_at)
    stale = host_client.get(detail["download_url"])["Location"]
    monkeypatch.undo()
    status, body = fetch(stale)
    assert status == 403, body[:200]
    assert b"expired" in body.lower()

    # deleting the recording deletes the object
    assert host_client.delete(f"{API}/recordings/{recording_id}").status_code in (200, 204)
    assert not Recording.objects.filter(pk=recording_id).exists()
    with pytest.raises(bucket.exceptions.ClientError) as missing:
        bucket.head_object(Bucket=S3_BUCKET, Key=recording.storage_key)
    assert missing.value.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound")
