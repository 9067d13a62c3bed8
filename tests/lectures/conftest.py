"""A taught lecture (transcript, summary, chat, files, attendance), the people around it, and a real S3 server."""

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import HttpResponse
from django.test import Client, RequestFactory

from accounts.models import User
from chat.models import ChatMessage, SharedFile
from lectures.models import AttendanceInterval
from participants.guests import GUEST_COOKIE, remember_guest
from participants.models import BannedEntry, CoHost, GuestSession, MintedIdentity, ParticipantHistory
from rooms.models import Lecture, Room
from tests.conftest import logged_in, stop
from transcripts.models import TranscriptSegment

ROOT = Path(__file__).resolve().parents[2]
VERSITYGW = ROOT / "tools" / "bin" / "versitygw"

XSS = '<script>alert("xss")</script><img src=x onerror="alert(1)">'
STARTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ENDED = STARTED + timedelta(minutes=90)

SUMMARY = {
    "overview": f"Shortest paths in weighted graphs. {XSS}",
    "topics": [
        {"text": "Dijkstra's algorithm", "start": 0.0},
        {"text": f"Negative edges {XSS}", "start": 130.0},
    ],
    "key_terms": [{"term": f"Relaxation {XSS}", "start": 65.0, "definition": "lowering a tentative distance"}],
    "action_items": [{"text": "Read chapter 24", "deadline": "next Monday at noon", "start": 200.0}],
    "questions": [
        {
            "text": "Does Dijkstra work with negative weights?",
            "asked_by": "Eve",
            "start": 130.0,
            "answered": True,
            "answer_start": 140.0,
        },
        {"text": f"Why a heap? {XSS}", "asked_by": "Mallory", "start": 210.0, "answered": False},
    ],
    "provider": "local",
    "note": "",
    "generated_at": "2026-11-02T10:31:00+00:00",
}

SEGMENTS = [
    ("Ada Prof", 0.0, 6.5, "Today we study Dijkstra's shortest path algorithm on weighted graphs."),
    ("Ada Prof", 65.0, 71.0, "Relaxation lowers the tentative distance of a neighbour."),
    (f"Eve {XSS}", 130.0, 134.0, f"Does it work with negative weights? {XSS}"),
    ("Ada Prof", 140.0, 150.0, "No: negative edges break the greedy choice, use Bellman-Ford instead."),
    ("Ada Prof", 200.0, 205.0, "For next Monday, read chapter 24 about priority queues."),
]


def guest_client(guest: GuestSession) -> Client:
    """A browser holding `guest`'s guest-session cookie, exactly as the join API sets it."""
    response = HttpResponse()
    remember_guest(response, RequestFactory().get("/"), guest)
    client = Client()
    client.cookies[GUEST_COOKIE] = response.cookies[GUEST_COOKIE].value
    return client


def add_guest(
    room: Room,
    lecture: Lecture,
    name: str,
    *,
    admitted: bool = True,
    banned: bool = False,
    attended: bool = True,
    identity: str = "",
) -> GuestSession:
    guest = GuestSession.objects.create(room=room, display_name=name, fingerprint=f"fp-{name[:20]}-{time.time_ns()}")
    identity = identity or f"guest-{guest.pk:06d}"
    ParticipantHistory.objects.create(
        guest=guest,
        lecture=lecture,
        admitted_at=lecture.started_at + timedelta(minutes=1) if admitted else None,
        kicked_at=lecture.started_at + timedelta(minutes=30) if banned else None,
        banned_at=lecture.started_at + timedelta(minutes=30) if banned else None,
    )
    MintedIdentity.objects.create(identity=identity, lecture=lecture, guest=guest, role="guest")
    if banned:  # as moderation's kick-and-ban leaves it
        BannedEntry.objects.create(
            host=room.host, room=room, fingerprint=guest.fingerprint, session_id=guest.session_id, display_name=name
        )
    if attended:
        AttendanceInterval.objects.create(
            lecture=lecture,
            guest=guest,
            identity=identity,
            display_name=name,
            role="guest",
            joined_at=lecture.started_at + timedelta(minutes=1),
            left_at=lecture.started_at + timedelta(minutes=80),
        )
    return guest


@pytest.fixture
def lecture(room: Room) -> Lecture:
    """An ended lecture with a transcript, a summary, chat, a shared file and attendance."""
    lecture = Lecture.objects.create(
        room=room,
        title=f"Graphs {XSS}",
        livekit_room=f"{room.code}-past",
        status=Lecture.Status.ENDED,
        started_at=STARTED,
        ended_at=ENDED,
        summary=SUMMARY,
        summary_status="ready",
    )
    TranscriptSegment.objects.bulk_create(
        TranscriptSegment(
            lecture=lecture,
            speaker_identity="host-1",
            speaker_name=speaker,
            start=start,
            end=end,
            text=text,
            engine="whisper",
        )
        for speaker, start, end, text in SEGMENTS
    )
    return lecture


@pytest.fixture
def attendee(room: Room, lecture: Lecture) -> GuestSession:
    """A student who was admitted and present, and who sent one private message to the hosts."""
    guest = add_guest(room, lecture, f"Eve {XSS}", identity="guest-eve")
    ChatMessage.objects.create(
        lecture=lecture,
        sender_identity="guest-eve",
        sender_name=f"Eve {XSS}",
        audience=ChatMessage.Audience.HOSTS,
        text="Eve's private question to the host",
    )
    return guest


@pytest.fixture
def chat(lecture: Lecture) -> None:
    ChatMessage.objects.create(
        lecture=lecture,
        sender_identity="host-1",
        sender_name="Ada Prof",
        sender_role="host",
        text=f"Welcome everyone {XSS}",
    )
    ChatMessage.objects.create(
        lecture=lecture,
        sender_identity="guest-mallory",
        sender_name="Mallory",
        audience=ChatMessage.Audience.HOSTS,
        text="Mallory's secret to the host",
    )


@pytest.fixture
def attendance(room: Room, lecture: Lecture) -> None:
    """Three students: on time all along, late, and one who left and came back."""
    on_time = GuestSession.objects.create(room=room, display_name="Alice", fingerprint="fp-alice-0001")
    late = GuestSession.objects.create(room=room, display_name='=HYPERLINK("http://evil")', fingerprint="fp-late-0001")
    back = GuestSession.objects.create(room=room, display_name="Bob", fingerprint="fp-bob-00001")
    rows = [
        (on_time, "guest-a", 0, 90),
        (late, "guest-l", 20, 90),
        (back, "guest-b1", 2, 30),
        (back, "guest-b2", 40, None),
    ]
    for guest, identity, joined, left in rows:
        AttendanceInterval.objects.create(
            lecture=lecture,
            guest=guest,
            identity=identity,
            display_name=guest.display_name,
            role="guest",
            joined_at=STARTED + timedelta(minutes=joined),
            left_at=STARTED + timedelta(minutes=left) if left is not None else None,
        )
    AttendanceInterval.objects.create(
        lecture=lecture, identity="host-1", display_name="Ada Prof", role="host", joined_at=STARTED, left_at=ENDED
    )


@pytest.fixture
def stored_file(lecture: Lecture, media_root: Path) -> SharedFile:
    """A file shared during the lecture, its bytes in the (local) storage."""
    key = f"lectures/{lecture.pk}/files/0123456789abcdef"
    storages["default"].save(key, ContentFile(b"%PDF-1.4 slides"))
    return SharedFile.objects.create(
        lecture=lecture,
        uploader_identity="host-1",
        uploader_name="Ada Prof",
        name=f"slides {XSS[:8]}.pdf",
        size=15,
        content_type="application/pdf",
        storage_key=key,
        uploaded=True,
    )


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Local storage in a fresh folder for every test (uploads, cached PDFs)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return tmp_path / "media"


@pytest.fixture
def attendee_client(attendee: GuestSession) -> Client:
    return guest_client(attendee)


@pytest.fixture
def absent_guest_client(room: Room, lecture: Lecture) -> Client:
    """A student of the room who knocked but was never admitted into this lecture."""
    return guest_client(add_guest(room, lecture, "Waited Outside", admitted=False, attended=False))


@pytest.fixture
def banned_attendee_client(room: Room, lecture: Lecture) -> Client:
    return guest_client(add_guest(room, lecture, "Banned Bart", banned=True))


@pytest.fixture
def cohost(db: Any, room: Room, host: User) -> User:
    user = User.objects.create_user("cohost@uni.example", "correct-horse-battery", first_name="Co", last_name="Host")
    CoHost.objects.create(room=room, user=user, granted_by=host)
    return user


@pytest.fixture
def cohost_client(cohost: User) -> Client:
    return logged_in(cohost)


@pytest.fixture
def allow_attendees(room: Room) -> Room:
    room.attendees_see_lecture = True
    room.save(update_fields=["attendees_see_lecture"])
    return room


# --- a live room, for sharing files during a lecture ---


@pytest.fixture
def live_lecture(room: Room) -> Lecture:
    """The room opened by its host (no LiveKit needed: files never touch it)."""
    room.status = Room.Status.LIVE
    room.save(update_fields=["status"])
    return Lecture.objects.create(
        room=room, title=room.title, livekit_room=f"{room.code}-live", started_at=datetime.now(tz=UTC)
    )


@pytest.fixture
def admitted_guest(room: Room, live_lecture: Lecture) -> GuestSession:
    return add_guest(room, live_lecture, "Student <b>Sam</b>", identity="guest-sam", attended=False)


@pytest.fixture
def admitted_client(admitted_guest: GuestSession) -> Client:
    return guest_client(admitted_guest)


@pytest.fixture
def waiting_client(room: Room, live_lecture: Lecture) -> Client:
    return guest_client(add_guest(room, live_lecture, "Waiting Wendy", admitted=False, attended=False))


@pytest.fixture
def banned_client(room: Room, live_lecture: Lecture) -> Client:
    return guest_client(add_guest(room, live_lecture, "Banned Ben", banned=True, attended=False))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


S3_ACCESS = "lectern-test-access"
S3_SECRET = "lectern-test-secret-0123456789"
S3_BUCKET = "lectern-files"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """versitygw (a real S3 server) on a free loopback port, a posix folder behind it, one bucket."""
    if not VERSITYGW.exists():
        pytest.fail(
            f"{VERSITYGW} is missing: run `make install` (go install github.com/versity/versitygw/cmd/versitygw)"
        )
    data = tmp_path_factory.mktemp("s3")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = open(data.parent / f"versitygw-{port}.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [
            str(VERSITYGW),
            "--port",
            f"127.0.0.1:{port}",
            "--access",
            S3_ACCESS,
            "--secret",
            S3_SECRET,
            "--quiet",
            "posix",
            str(data),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ},
    )
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_ACCESS,
        aws_secret_access_key=S3_SECRET,
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    deadline = time.monotonic() + 15
    while True:
        if process.poll() is not None:
            pytest.fail(f"versitygw exited with {process.returncode}; see {log.name}")
        try:
            client.list_buckets()
            break
        except Exception:
            if time.monotonic() > deadline:
                pytest.fail("versitygw did not answer within 15 s")
            time.sleep(0.1)
    client.create_bucket(Bucket=S3_BUCKET)
    yield endpoint
    stop(process, log)


@pytest.fixture
def s3_storage(settings: Any, s3_server: str) -> Callable[[], Any]:
    """Django's default storage switched to S3 on versitygw, as STORAGE_BACKEND=s3 configures it."""
    settings.STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "endpoint_url": s3_server,
                "access_key": S3_ACCESS,
                "secret_key": S3_SECRET,
                "region_name": "us-east-1",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_expire": 60,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return lambda: storages["default"]
