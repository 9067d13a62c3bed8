"""The Deepgram engine's wiring through livekit-plugins-deepgram, against a local server that speaks
Deepgram's streaming protocol: linear16 audio in as binary frames, JSON `Results` out, `Finalize`
and `CloseStream` control messages, `Token <key>` authorisation."""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from agent import services, worker
from agent.deepgram import DeepgramEngine
from agent.stt import Transcript
from tests.agent.participants import FRAME_BYTES, read_pcm
from tests.conftest import run_async

BYTES_PER_SECOND = 32000


@dataclass
class FakeDeepgram:
    """Hears audio and answers as Deepgram would: an interim after one second, a final after two."""

    query: dict[str, str] = field(default_factory=dict)
    authorization: str = ""
    audio_bytes: int = 0
    control: list[str] = field(default_factory=list)

    def results(self, transcript: str, *, final: bool, start: float, end: float) -> str:
        words = transcript.split()
        step = (end - start) / len(words)
        return json.dumps(
            {
                "type": "Results",
                "channel_index": [0, 1],
                "start": start,
                "duration": end - start,
                "is_final": final,
                "speech_final": final,
                "channel": {
                    "alternatives": [
                        {
                            "transcript": transcript,
                            "confidence": 0.97,
                            "words": [
                                {
                                    "word": word.lower().strip(".,"),
                                    "punctuated_word": word,
                                    "start": start + i * step,
                                    "end": start + (i + 1) * step,
                                    "confidence": 0.97,
                                }
                                for i, word in enumerate(words)
                            ],
                        }
                    ]
                },
                "metadata": {"request_id": "fake-request", "model_info": {"name": "fake"}},
            }
        )

    async def listen(self, request: web.Request) -> web.WebSocketResponse:
        self.query = dict(request.query)
        self.authorization = request.headers.get("Authorization", "")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        sent_interim = sent_final = False
        async for message in ws:
            if message.type == WSMsgType.BINARY:
                self.audio_bytes += len(message.data)
                if not sent_interim and self.audio_bytes >= BYTES_PER_SECOND:
                    sent_interim = True
                    await ws.send_str(self.results("In this lecture", final=False, start=0.1, end=0.9))
                if not sent_final and self.audio_bytes >= 2 * BYTES_PER_SECOND:
                    sent_final = True
                    await ws.send_str(
                        self.results("In this lecture we look at hash tables.", final=True, start=0.1, end=1.9)
                    )
            elif message.type == WSMsgType.TEXT:
                kind = json.loads(message.data).get("type", "")
                self.control.append(kind)
                if kind == "CloseStream":
                    await ws.close()
        return ws


async def run_against_fake(settings: Any) -> tuple[FakeDeepgram, list[Transcript], type]:
    fake = FakeDeepgram()
    app = web.Application()
    app.router.add_get("/v1/listen", fake.listen)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    settings.DEEPGRAM_API_KEY = "dg-test-key"
    settings.DEEPGRAM_URL = f"ws://127.0.0.1:{port}/v1/listen"
    try:
        engine = await worker.build_engine(services.SpeechSettings(engine="deepgram", whisper_model="", language="en"))
        stream = engine.stream()
        received: list[Transcript] = []

        async def collect() -> None:
            async for transcript in stream:
                received.append(transcript)

        collector = asyncio.create_task(collect())
        pcm = read_pcm("lec-cs")[: int(2.5 * BYTES_PER_SECOND)]
        for offset in range(0, len(pcm), FRAME_BYTES):
            stream.push_audio(pcm[offset : offset + FRAME_BYTES])
            if offset % (FRAME_BYTES * 10) == 0:
                await asyncio.sleep(0.01)
        deadline = asyncio.get_running_loop().time() + 20
        while not any(t.final for t in received) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        await stream.aclose()
        await asyncio.wait_for(collector, timeout=20)
        await engine.aclose()
        return fake, received, type(engine)
    finally:
        await runner.cleanup()


def test_the_deepgram_engine_streams_audio_and_turns_results_into_captions(settings: Any) -> None:
    fake, received, engine_type = run_async(run_against_fake(settings))

    assert engine_type is DeepgramEngine
    assert fake.authorization == "Token dg-test-key"
    assert fake.query["encoding"] == "linear16" and fake.query["sample_rate"] == "16000"
    assert fake.query["channels"] == "1" and fake.query["interim_results"] == "true"
    assert fake.query["model"] == "nova-3" and fake.query["language"] == "en"
    assert fake.audio_bytes >= 2 * BYTES_PER_SECOND
    assert "CloseStream" in fake.control

    interim, final = received
    assert not interim.final and interim.text == "In this lecture"
    assert final.final and final.text == "In this lecture we look at hash tables."
    assert interim.utterance == final.utterance
    assert abs(final.start - 0.1) < 0.01 and abs(final.end - 1.9) < 0.01
