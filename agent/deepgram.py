"""Deepgram streaming speech-to-text through livekit-plugins-deepgram: the one module that talks to Deepgram.

Used when DEEPGRAM_API_KEY is set (and admins keep the engine on Deepgram). DEEPGRAM_URL points the
plugin at another server that speaks Deepgram's streaming protocol (the tests run a local one).
"""

from collections.abc import AsyncIterator

import aiohttp
from livekit import rtc
from livekit.agents import stt as lk_stt
from livekit.plugins import deepgram

from agent.stt import SAMPLE_RATE, SpeechEngine, SpeechStream, Transcript

# Deepgram ends an utterance after this much silence (its default, 25 ms, splits sentences apart).
ENDPOINTING_MS = 300


class DeepgramEngine(SpeechEngine):
    name = "deepgram"

    def __init__(self, *, api_key: str, url: str, model: str, language: str) -> None:
        self._session = aiohttp.ClientSession()
        self._stt = deepgram.STT(
            api_key=api_key,
            base_url=url,
            model=model,
            language=language,
            interim_results=True,
            punctuate=True,
            smart_format=True,
            sample_rate=SAMPLE_RATE,
            endpointing_ms=ENDPOINTING_MS,
            filler_words=False,
            http_session=self._session,
        )

    def stream(self) -> "DeepgramStream":
        return DeepgramStream(self._stt.stream())

    async def aclose(self) -> None:
        await self._stt.aclose()
        await self._session.close()


class DeepgramStream(SpeechStream):
    def __init__(self, inner: lk_stt.SpeechStream) -> None:
        self._inner = inner
        self._utterance = 1
        self._closed = False

    def push_audio(self, pcm: bytes) -> None:
        if self._closed or not pcm:
            return
        self._inner.push_frame(rtc.AudioFrame(pcm, SAMPLE_RATE, 1, len(pcm) // 2))

    def flush(self) -> None:
        if not self._closed:
            self._inner.flush()

    async def aclose(self) -> None:
        """Ask Deepgram for what it still holds; iteration ends once it has answered and closed."""
        if not self._closed:
            self._closed = True
            self._inner.end_input()

    async def __aiter__(self) -> AsyncIterator[Transcript]:  # type: ignore[override]
        try:
            async for event in self._inner:
                if event.type not in (
                    lk_stt.SpeechEventType.INTERIM_TRANSCRIPT,
                    lk_stt.SpeechEventType.FINAL_TRANSCRIPT,
                ):
                    continue
                if not event.alternatives:
                    continue
                best = event.alternatives[0]
                final = event.type == lk_stt.SpeechEventType.FINAL_TRANSCRIPT
                text = " ".join(best.text.split())
                if text:
                    yield Transcript(self._utterance, text, final, best.start_time, best.end_time)
                if final:
                    self._utterance += 1
        finally:
            await self._inner.aclose()
