"""The speech-to-text engine interface: one engine per job, one stream per speaker's audio track.

A stream takes 16 kHz mono 16-bit audio as it arrives and yields `Transcript`s: interim ones
(the open utterance so far, replaced by the next) and one final per utterance. Times are seconds
of audio pushed into that stream; the caller maps them to wall-clock time.
"""

import abc
from collections.abc import AsyncIterator
from dataclasses import dataclass

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Transcript:
    utterance: int  # counts up per stream; an utterance's interims and its final share it
    text: str
    final: bool
    start: float  # seconds of stream audio
    end: float


class SpeechStream(abc.ABC):
    """The recognition of one speaker's audio, utterance after utterance."""

    @abc.abstractmethod
    def push_audio(self, pcm: bytes) -> None:
        """Queue 16 kHz mono little-endian int16 samples; never blocks."""

    @abc.abstractmethod
    def flush(self) -> None:
        """End the open utterance now (the speaker muted or left): its final follows."""

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Finish: the open utterance is finalised, then iteration ends."""

    @abc.abstractmethod
    def __aiter__(self) -> AsyncIterator[Transcript]: ...


class SpeechEngine(abc.ABC):
    """A speech-to-text engine shared by all streams of one job."""

    name: str

    @abc.abstractmethod
    def stream(self) -> SpeechStream: ...

    async def aclose(self) -> None:  # noqa: B027 - engines without resources need nothing
        """Release what the engine holds (threads, connections)."""
