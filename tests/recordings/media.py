"""A lecturer for recording tests: a Python rtc participant that publishes a camera (a moving test
pattern) and a microphone (speech from the shared speech set, looped) in real time, on its own
event loop in a background thread so synchronous tests can call the API meanwhile."""

import asyncio
import contextlib
import json
import threading
import time
from typing import Any

import numpy as np
from livekit import rtc

from tests.agent.participants import SAMPLE_RATE, read_pcm

WIDTH, HEIGHT, FPS = 640, 360, 15
FRAME_SAMPLES = SAMPLE_RATE // 100  # 10 ms


class Lecturer:
    def __init__(self, credentials: dict[str, Any], speech: str = "lec-cs") -> None:
        self.credentials = credentials
        self.pcm = read_pcm(speech)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="lecturer", daemon=True)
        self.room: rtc.Room | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.frames_sent = 0
        self.data: list[tuple[str, dict[str, Any]]] = []  # (topic, payload) the server sent

    def start(self) -> "Lecturer":
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._join(), self.loop).result(30)
        return self

    async def _join(self) -> None:
        self.room = rtc.Room(loop=self.loop)
        self.room.on("data_received", self._on_data)
        await self.room.connect(self.credentials["livekit_url"], self.credentials["token"])
        video = rtc.VideoSource(WIDTH, HEIGHT)
        audio = rtc.AudioSource(SAMPLE_RATE, 1, queue_size_ms=100)
        participant = self.room.local_participant
        await participant.publish_track(
            rtc.LocalVideoTrack.create_video_track("camera", video),
            rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA),
        )
        await participant.publish_track(
            rtc.LocalAudioTrack.create_audio_track("microphone", audio),
            rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE),
        )
        self.tasks = [self.loop.create_task(self._camera(video)), self.loop.create_task(self._microphone(audio))]

    def _on_data(self, packet: rtc.DataPacket) -> None:
        with contextlib.suppress(ValueError):
            self.data.append((packet.topic or "", json.loads(packet.data)))

    def received(self, topic: str) -> list[dict[str, Any]]:
        return [payload for t, payload in self.data if t == topic]

    async def _camera(self, source: rtc.VideoSource) -> None:
        """Colour bars with a white block sweeping across: every frame differs from the last."""
        bars = np.zeros((HEIGHT, WIDTH, 4), dtype=np.uint8)
        colours = [(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0), (255, 0, 255), (255, 0, 0), (0, 0, 255)]
        for i, colour in enumerate(colours):
            bars[:, i * WIDTH // 7 : (i + 1) * WIDTH // 7, :3] = colour
        bars[:, :, 3] = 255
        start = time.monotonic()
        while True:
            frame = bars.copy()
            x = (self.frames_sent * 8) % (WIDTH - 80)
            frame[HEIGHT // 2 - 40 : HEIGHT // 2 + 40, x : x + 80, :3] = 0
            source.capture_frame(rtc.VideoFrame(WIDTH, HEIGHT, rtc.VideoBufferType.RGBA, frame.tobytes()))
            self.frames_sent += 1
            await asyncio.sleep(max(0.0, start + self.frames_sent / FPS - time.monotonic()))

    async def _microphone(self, source: rtc.AudioSource) -> None:
        step = FRAME_SAMPLES * 2
        offset = 0
        while True:
            chunk = self.pcm[offset : offset + step]
            if len(chunk) < step:
                offset, chunk = 0, self.pcm[:step]
            offset += step
            await source.capture_frame(rtc.AudioFrame(chunk, SAMPLE_RATE, 1, FRAME_SAMPLES))

    def stop(self) -> None:
        async def leave() -> None:
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            if self.room is not None:
                await self.room.disconnect()

        with contextlib.suppress(Exception):  # best effort at teardown
            asyncio.run_coroutine_threadsafe(leave(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
