"""One lecture's room: a speech-to-text stream per speaker's audio track, captions out, segments stored.

Like livekit/agents' multi-user transcriber, every remote microphone gets its own stream, opened
when the track is subscribed and closed (its last utterance finalised) when it goes away. The
agent subscribes only to people who may be transcribed: never to another agent, never to a
participant whose token says `lectern.transcribe: no` (the student ticked "Don't transcribe me").
"""

import asyncio
import bisect
import logging
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime

from livekit import rtc

from agent import services
from agent.captions import Caption, publish_caption
from agent.services import LectureInfo
from agent.stt import SAMPLE_RATE, SpeechEngine, Transcript

logger = logging.getLogger(__name__)

OPT_OUT_ATTRIBUTE = "lectern.transcribe"
CLOSE_TIMEOUT_SECONDS = 15.0  # for the engine to hand over the last utterance of a closing stream


def may_transcribe(participant: rtc.RemoteParticipant) -> bool:
    """Everyone but agents and students who opted out of transcription."""
    if participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT:
        return False
    return participant.attributes.get(OPT_OUT_ATTRIBUTE, "").strip().lower() != "no"


class AudioClock:
    """When (wall-clock seconds) a given second of a stream's audio was heard.

    Audio arrives in real time, so the stream's own count of samples keeps step with the clock;
    when it stops (a muted microphone sends nothing) the mapping gets a new anchor.
    """

    _DRIFT_SECONDS = 0.3

    def __init__(self) -> None:
        self._positions: list[float] = []  # stream seconds where an anchor starts
        self._anchors: list[float] = []  # wall-clock time of stream second 0 from that position on
        self._samples = 0

    def heard(self, samples: int, now: float) -> None:
        """`samples` more samples arrived at `now`."""
        self._samples += samples
        position = self._samples / SAMPLE_RATE
        anchor = now - position
        if not self._anchors or abs(anchor - self._anchors[-1]) > self._DRIFT_SECONDS:
            self._positions.append(max(0.0, position - samples / SAMPLE_RATE))
            self._anchors.append(anchor)

    def wall_time(self, position: float) -> float:
        index = max(0, bisect.bisect_right(self._positions, position) - 1)
        return self._anchors[index] + position if self._anchors else time.time()


class SpeakerTranscriber:
    """One participant's microphone track: audio → engine → captions and segments."""

    def __init__(
        self,
        *,
        room: rtc.Room,
        lecture: LectureInfo,
        engine: SpeechEngine,
        participant: rtc.RemoteParticipant,
        track: rtc.RemoteAudioTrack,
        track_sid: str,
        on_stored: Callable[[datetime], None],
    ) -> None:
        self._room = room
        self._lecture = lecture
        self._engine = engine
        self.identity = participant.identity
        self._name = participant.name or participant.identity
        self._track = track
        self._track_sid = track_sid
        self._on_stored = on_stored
        self._stream = engine.stream()
        self._clock = AudioClock()
        self._segment_prefix = f"SG_{secrets.token_hex(4)}"
        self._origin = lecture.started_at.timestamp()
        self._pump: asyncio.Task[None] | None = None
        self._consumer: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._pump = asyncio.create_task(self._pump_audio(), name=f"audio {self.identity}")
        self._consumer = asyncio.create_task(self._deliver(), name=f"captions {self.identity}")

    async def _pump_audio(self) -> None:
        audio = rtc.AudioStream.from_track(track=self._track, sample_rate=SAMPLE_RATE, num_channels=1)
        try:
            async for event in audio:
                frame = event.frame
                self._clock.heard(frame.samples_per_channel, time.time())
                self._stream.push_audio(bytes(frame.data))
        finally:
            await audio.aclose()

    async def _deliver(self) -> None:
        async for transcript in self._stream:
            try:
                await self._handle(transcript)
            except Exception:
                logger.exception("could not deliver a transcript of %s", self.identity)

    async def _handle(self, transcript: Transcript) -> None:
        start = self._clock.wall_time(transcript.start) - self._origin
        end = self._clock.wall_time(transcript.end) - self._origin
        caption = Caption(
            speaker_identity=self.identity,
            speaker_name=self._name,
            track_sid=self._track_sid,
            segment_id=f"{self._segment_prefix}_{transcript.utterance}",
            text=transcript.text,
            final=transcript.final,
            start=max(0.0, start),
            end=max(0.0, end),
        )
        if not (transcript.final and transcript.text):
            await publish_caption(self._room, caption)
            return
        await asyncio.gather(
            publish_caption(self._room, caption),
            services.record_segment(
                lecture_id=self._lecture.id,
                speaker_identity=self.identity,
                speaker_name=self._name,
                start=caption.start,
                end=caption.end,
                text=transcript.text,
                engine=self._engine.name,
            ),
        )
        self._on_stored(datetime.now(tz=UTC))

    def flush(self) -> None:
        """The speaker muted: what they said so far is final."""
        self._stream.flush()

    async def aclose(self) -> None:
        """Stop listening; the utterance in progress is finalised, published and stored first."""
        if self._pump is not None:
            self._pump.cancel()
            await asyncio.gather(self._pump, return_exceptions=True)
        await self._stream.aclose()
        if self._consumer is not None:
            try:
                await asyncio.wait_for(self._consumer, timeout=CLOSE_TIMEOUT_SECONDS)
            except TimeoutError:
                logger.warning("the last transcript of %s did not come in time", self.identity)
            except Exception:
                logger.exception("captions of %s failed", self.identity)


class RoomTranscriber:
    """All speakers of one room."""

    def __init__(self, *, room: rtc.Room, lecture: LectureInfo, engine: SpeechEngine) -> None:
        self._room = room
        self._lecture = lecture
        self._engine = engine
        self._speakers: dict[str, SpeakerTranscriber] = {}  # by track sid
        self._closing: set[asyncio.Task[None]] = set()
        self.last_stored_at: datetime | None = None

    def start(self) -> None:
        room = self._room
        room.on("track_published", self._on_track_published)
        room.on("track_subscribed", self._on_track_subscribed)
        room.on("track_unsubscribed", self._on_track_gone)
        room.on("track_unpublished", self._on_track_unpublished)
        room.on("track_muted", self._on_track_muted)
        room.on("participant_attributes_changed", self._on_attributes_changed)
        room.on("participant_disconnected", self._on_participant_disconnected)
        for participant in room.remote_participants.values():
            self._consider_participant(participant)

    def _consider_participant(self, participant: rtc.RemoteParticipant) -> None:
        for publication in participant.track_publications.values():
            self._consider(publication, participant)

    def _consider(self, publication: rtc.RemoteTrackPublication, participant: rtc.RemoteParticipant) -> None:
        if publication.kind != rtc.TrackKind.KIND_AUDIO:
            return
        wanted = may_transcribe(participant)
        if wanted and not publication.subscribed:
            publication.set_subscribed(True)
        elif not wanted and publication.subscribed:
            publication.set_subscribed(False)
            self._stop(publication.sid)

    def _on_track_published(self, publication: rtc.RemoteTrackPublication, participant: rtc.RemoteParticipant) -> None:
        self._consider(publication, participant)

    def _on_track_subscribed(
        self, track: rtc.Track, publication: rtc.RemoteTrackPublication, participant: rtc.RemoteParticipant
    ) -> None:
        if not isinstance(track, rtc.RemoteAudioTrack) or publication.sid in self._speakers:
            return
        if not may_transcribe(participant):
            publication.set_subscribed(False)
            return
        speaker = SpeakerTranscriber(
            room=self._room,
            lecture=self._lecture,
            engine=self._engine,
            participant=participant,
            track=track,
            track_sid=publication.sid,
            on_stored=self._note_stored,
        )
        self._speakers[publication.sid] = speaker
        speaker.start()
        logger.info("transcribing %s (track %s)", participant.identity, publication.sid)

    def _note_stored(self, at: datetime) -> None:
        self.last_stored_at = at

    def _on_track_gone(
        self, track: rtc.Track, publication: rtc.RemoteTrackPublication, participant: rtc.RemoteParticipant
    ) -> None:
        self._stop(publication.sid)

    def _on_track_unpublished(
        self, publication: rtc.RemoteTrackPublication, participant: rtc.RemoteParticipant
    ) -> None:
        self._stop(publication.sid)

    def _on_track_muted(self, participant: rtc.Participant, publication: rtc.TrackPublication) -> None:
        speaker = self._speakers.get(publication.sid)
        if speaker is not None:
            speaker.flush()

    def _on_attributes_changed(self, changed: dict[str, str], participant: rtc.Participant) -> None:
        if isinstance(participant, rtc.RemoteParticipant):
            self._consider_participant(participant)

    def _on_participant_disconnected(self, participant: rtc.RemoteParticipant) -> None:
        for sid in [sid for sid, speaker in self._speakers.items() if speaker.identity == participant.identity]:
            self._stop(sid)

    def _stop(self, track_sid: str) -> None:
        speaker = self._speakers.pop(track_sid, None)
        if speaker is None:
            return
        task = asyncio.create_task(speaker.aclose(), name=f"close {track_sid}")
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """Every open utterance is finalised, published and stored, then the streams close."""
        for sid in list(self._speakers):
            self._stop(sid)
        await asyncio.gather(*self._closing, return_exceptions=True)
