"""Python rtc participants for the AI assistant's tests and benchmarks: speakers that publish the
speech test set as a microphone, listeners that collect captions from `lk.transcription`, and a
running agent worker process."""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from livekit import rtc

from rooms.livekit_server import Credentials

SPEECH = Path(os.environ.get("LECTERN_SPEECH_DIR", Path(__file__).resolve().parents[3] / "shared" / "speech"))
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RATE = 16000
FRAME_SAMPLES = 160  # 10 ms
FRAME_BYTES = FRAME_SAMPLES * 2


def passages() -> dict[str, dict[str, str]]:
    return {p["id"]: p for p in json.loads((SPEECH / "passages.json").read_text())}


def read_pcm(name: str) -> bytes:
    """16 kHz mono 16-bit samples of a render in the speech test set (`lec-cs`, `lec-cs.noisy`, …)."""
    with wave.open(str(SPEECH / "wav" / f"{name}.wav")) as wav:
        assert wav.getframerate() == SAMPLE_RATE and wav.getnchannels() == 1 and wav.getsampwidth() == 2
        return wav.readframes(wav.getnframes())


def seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / SAMPLE_RATE


@dataclass
class ReceivedCaption:
    identity: str
    text: str
    final: bool
    segment_id: str
    track_id: str
    start: float
    end: float
    received_at: float  # time.time() at the listener


class Listener:
    """A participant that subscribes to no media and keeps every caption it receives."""

    def __init__(self) -> None:
        self.room = rtc.Room()
        self.captions: list[ReceivedCaption] = []
        self._readers: set[asyncio.Task[None]] = set()

    async def join(self, credentials: Credentials) -> None:
        self.room.register_text_stream_handler("lk.transcription", self._on_stream)
        await self.room.connect(
            credentials.livekit_url, credentials.token, options=rtc.RoomOptions(auto_subscribe=False)
        )

    def _on_stream(self, reader: rtc.TextStreamReader, sender: str) -> None:
        async def read() -> None:
            text = await reader.read_all()
            attributes = reader.info.attributes or {}
            track_id = attributes.get("lk.transcribed_track_id", "")
            self.captions.append(
                ReceivedCaption(
                    identity=self.speaker_of(track_id) or sender,
                    text=text,
                    final=attributes.get("lk.transcription_final") == "true",
                    segment_id=attributes.get("lk.segment_id", ""),
                    track_id=attributes.get("lk.transcribed_track_id", ""),
                    start=float(attributes.get("lectern.start", "0")),
                    end=float(attributes.get("lectern.end", "0")),
                    received_at=time.time(),
                )
            )

        task = asyncio.get_running_loop().create_task(read())
        self._readers.add(task)
        task.add_done_callback(self._readers.discard)

    def speaker_of(self, track_sid: str) -> str:
        """The identity of the participant that published `track_sid` (the assistant sends as itself)."""
        for participant in self.room.remote_participants.values():
            if track_sid in participant.track_publications:
                return participant.identity
        return ""

    def finals(self, identity: str | None = None) -> list[ReceivedCaption]:
        return [c for c in self.captions if c.final and c.text and (identity is None or c.identity == identity)]

    def final_text(self, identity: str) -> str:
        return " ".join(c.text for c in self.finals(identity)).lower()

    def agents(self) -> list[rtc.RemoteParticipant]:
        return [
            p for p in self.room.remote_participants.values() if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT
        ]

    async def leave(self) -> None:
        await self.room.disconnect()


class Speaker:
    """A participant with a microphone track that sends audio in real time, silence when not talking."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.identity = credentials.identity
        self.room = rtc.Room()
        self.source = rtc.AudioSource(SAMPLE_RATE, 1, queue_size_ms=100)
        self.track_sid = ""
        self.subscriptions = 0  # times someone (the agent; listeners subscribe to nothing) subscribed
        self._heard = asyncio.Event()
        self._script: list[tuple[bytes, asyncio.Future[float]]] = []
        self._pump: asyncio.Task[None] | None = None
        self._ignored: set[asyncio.Task[str]] = set()

    async def join(self) -> None:
        self.room.on("local_track_subscribed", self._on_subscribed)
        self.room.register_text_stream_handler("lk.transcription", self._ignore_captions)
        await self.room.connect(
            self.credentials.livekit_url, self.credentials.token, options=rtc.RoomOptions(auto_subscribe=False)
        )
        track = rtc.LocalAudioTrack.create_audio_track("microphone", self.source)
        publication = await self.room.local_participant.publish_track(
            track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        )
        self.track_sid = publication.sid
        self._pump = asyncio.get_running_loop().create_task(self._send())

    def _ignore_captions(self, reader: rtc.TextStreamReader, identity: str) -> None:
        task = asyncio.get_running_loop().create_task(reader.read_all())
        self._ignored.add(task)
        task.add_done_callback(self._ignored.discard)

    def _on_subscribed(self, track: rtc.Track) -> None:
        self.subscriptions += 1
        self._heard.set()

    async def wait_until_heard(self, *, timeout: float = 60, times: int = 1) -> None:
        """Until the agent has subscribed to this microphone (`times` times in all)."""
        deadline = time.monotonic() + timeout
        while self.subscriptions < times:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nobody subscribed to {self.identity}'s microphone within {timeout}s")
            self._heard.clear()
            try:
                await asyncio.wait_for(self._heard.wait(), timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                continue

    def say(self, pcm: bytes) -> "asyncio.Future[float]":
        """Queue speech; the future gives the time (time.time()) its last sample was sent."""
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._script.append((pcm, done))
        return done

    async def _send(self) -> None:
        silence = b"\0" * FRAME_BYTES
        current, done, offset = b"", None, 0
        while True:
            if done is None and self._script:
                current, done = self._script.pop(0)
                offset = 0
            if done is not None:
                chunk = current[offset : offset + FRAME_BYTES].ljust(FRAME_BYTES, b"\0")
                offset += FRAME_BYTES
            else:
                chunk = silence
            await self.source.capture_frame(rtc.AudioFrame(chunk, SAMPLE_RATE, 1, FRAME_SAMPLES))
            if done is not None and offset >= len(current):
                if not done.done():
                    done.set_result(time.time() + self.source.queued_duration)
                done = None

    async def leave(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            await asyncio.gather(self._pump, return_exceptions=True)
        await self.room.disconnect()


async def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> None:
    """Poll an async test's condition without blocking its event loop."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.1)


@dataclass
class AgentWorker:
    """`python -m agent <mode>` as a subprocess in its own process group, logging to a file."""

    env: dict[str, str]
    log_path: Path
    mode: str = "dev"
    process: subprocess.Popen[bytes] | None = None
    _log: object = field(default=None, repr=False)

    def start(self) -> "AgentWorker":
        self._offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "agent", self.mode],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,  # type: ignore[arg-type]
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def log(self) -> str:
        with self.log_path.open("rb") as handle:
            handle.seek(self._offset)
            return handle.read().decode(errors="replace")

    def registered(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"the agent worker exited with {self.process.returncode}; see {self.log_path}")
        return "AI assistant worker" in self.log() and "registered with" in self.log()

    def kill(self) -> None:
        """Crash: SIGKILL to the worker and every job process, as a power cut would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()  # type: ignore[attr-defined]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # job processes that outlived the worker
            self._log.close()  # type: ignore[attr-defined]
