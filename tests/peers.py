"""LiveKit participants for tests: Python rtc SDK rooms living on one background event loop, so
synchronous tests can keep them connected while they call our API."""

import asyncio
import contextlib
import json
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import numpy as np
from livekit import rtc

T = TypeVar("T")


class Peer:
    """One connected participant and what it has received on data topics."""

    def __init__(self, loop: "PeerLoop", room: rtc.Room) -> None:
        self.loop = loop
        self.room = room
        self.data: list[tuple[str, dict[str, Any], str | None]] = []  # (topic, payload, sender identity)
        self.disconnect_reason: Any = None
        self.camera: Any = None
        room.on("data_received", self._on_data)
        room.on("disconnected", self._on_disconnected)

    def _on_data(self, packet: rtc.DataPacket) -> None:
        try:
            payload = json.loads(packet.data)
        except ValueError:
            payload = {"raw": packet.data.decode(errors="replace")}
        sender = packet.participant.identity if packet.participant else None
        self.data.append((packet.topic or "", payload, sender))

    def _on_disconnected(self, reason: Any) -> None:
        self.disconnect_reason = reason

    @property
    def identity(self) -> str:
        return self.room.local_participant.identity

    @property
    def connected(self) -> bool:
        return self.room.connection_state == rtc.ConnectionState.CONN_CONNECTED

    def received(self, topic: str) -> list[dict[str, Any]]:
        return [payload for t, payload, _ in self.data if t == topic]

    def publish_tone(self) -> rtc.LocalTrackPublication:
        """Publish a microphone track carrying a short tone (raises if publishing is not allowed)."""

        async def publish() -> rtc.LocalTrackPublication:
            source = rtc.AudioSource(48000, 1)
            track = rtc.LocalAudioTrack.create_audio_track("mic", source)
            options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
            publication = await self.room.local_participant.publish_track(track, options)
            samples = (np.sin(np.arange(4800) * 2 * np.pi * 440 / 48000) * 8000).astype(np.int16)
            frame = rtc.AudioFrame(samples.tobytes(), 48000, 1, 4800)
            await source.capture_frame(frame)
            return publication

        return self.loop.run(publish())

    def publish_camera(
        self, *, width: int = 160, height: int = 90, simulcast: bool = False, fps: int = 1
    ) -> rtc.LocalTrackPublication:
        """Publish a camera track of solid frames and keep sending `fps` frames a second until the loop stops."""

        async def publish() -> rtc.LocalTrackPublication:
            source = rtc.VideoSource(width, height)
            track = rtc.LocalVideoTrack.create_video_track("camera", source)
            options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, simulcast=simulcast)
            frame = rtc.VideoFrame(width, height, rtc.VideoBufferType.RGBA, bytes(width * height * 4))
            publication = await self.room.local_participant.publish_track(track, options)

            async def pump() -> None:
                # the server knows the track once media arrives; later frames keep it alive
                while True:
                    source.capture_frame(frame)
                    await asyncio.sleep(1 / fps)

            self.camera = (source, track, asyncio.ensure_future(pump()))
            return publication

        return self.loop.run(publish(), timeout=40)  # the server answers slowly on a loaded machine

    def disconnect(self) -> None:
        self.loop.run(self.room.disconnect())


class PeerLoop:
    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="livekit-peers", daemon=True)
        self._thread.start()
        self.peers: list[Peer] = []

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 20) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def connect(self, credentials: dict[str, Any]) -> Peer:
        async def connect() -> Peer:
            room = rtc.Room(loop=self._loop)
            peer = Peer(self, room)
            await room.connect(credentials["livekit_url"], credentials["token"])
            return peer

        peer = self.run(connect())
        self.peers.append(peer)
        return peer

    def close(self) -> None:
        for peer in self.peers:
            if peer.camera is not None:
                self._loop.call_soon_threadsafe(peer.camera[2].cancel)
            with contextlib.suppress(Exception):  # best effort at teardown
                self.run(peer.room.disconnect(), timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
