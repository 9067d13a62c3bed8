"""The offline engine on its own: the bundled tiny.en, Silero VAD cutting utterances, interims and finals."""

import asyncio
import shutil
import time
from pathlib import Path

import pytest

from agent import whisper
from agent.stt import Transcript
from tests.agent.participants import FRAME_BYTES, read_pcm
from tests.conftest import run_async

SILENCE_SECOND = b"\0" * 32000


@pytest.fixture(scope="module")
def decoder() -> whisper.WhisperDecoder:
    return whisper.load_decoder(whisper.bundled_model_folder(), compute_type="int8", threads=0, language="en")


async def transcribe(
    decoder: whisper.WhisperDecoder, pcm: bytes, *, pace: float = 0.0, settle: float = 0.0
) -> list[tuple[float, Transcript]]:
    """Feed 10 ms frames (`pace` = real-time factor of the feed; 0 = as fast as possible), wait until
    `settle` seconds pass without a transcript, close the stream; returns (seconds after close, transcript)."""
    engine = whisper.WhisperEngine(decoder)
    stream = engine.stream()
    received: list[tuple[float, Transcript]] = []

    async def collect() -> None:
        async for transcript in stream:
            received.append((time.monotonic(), transcript))

    collector = asyncio.create_task(collect())
    started = time.monotonic()
    for offset in range(0, len(pcm), FRAME_BYTES):
        stream.push_audio(pcm[offset : offset + FRAME_BYTES])
        if pace:
            await asyncio.sleep(max(0.0, started + (offset / 32000) / pace - time.monotonic()))
        elif offset % (FRAME_BYTES * 20) == 0:
            await asyncio.sleep(0)
    if settle:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not received or time.monotonic() - received[-1][0] < settle):
            await asyncio.sleep(0.05)
    closed = time.monotonic()
    await stream.aclose()
    await asyncio.wait_for(collector, timeout=60)
    await engine.aclose()
    return [(at - closed, transcript) for at, transcript in received]


def texts(received: list[tuple[float, Transcript]]) -> list[Transcript]:
    return [transcript for _, transcript in received]


def test_the_bundled_model_passes_its_checksum_and_an_altered_one_does_not(tmp_path: Path) -> None:
    bundled = whisper.bundled_model_folder()
    assert whisper.verify_model(bundled) == whisper.BUNDLED_MODEL_SHA256

    altered = tmp_path / "tiny.en"
    shutil.copytree(bundled, altered)
    with (altered / "model.bin").open("r+b") as model:
        model.seek(1000)
        model.write(b"\x00\x01\x02\x03")
    with pytest.raises(whisper.ModelCheckFailed, match="sha256"):
        whisper.verify_model(altered, expected_sha256=whisper.BUNDLED_MODEL_SHA256)
    (altered / "model.bin").unlink()
    with pytest.raises(whisper.ModelCheckFailed, match=r"no model\.bin"):
        whisper.verify_model(altered)
    with pytest.raises(whisper.ModelCheckFailed, match="does not exist"):
        whisper.verify_model(tmp_path / "nowhere")


def test_a_question_gets_interim_captions_then_one_final_when_the_speaker_pauses(
    decoder: whisper.WhisperDecoder,
) -> None:
    question = read_pcm("q-unanswered")
    received = run_async(transcribe(decoder, question + SILENCE_SECOND, pace=1.0, settle=2.0))
    transcripts = texts(received)

    *interims, final = transcripts
    assert final.final and not any(t.final for t in interims)
    assert received[-1][0] < 0, "the pause made it final, not the end of the stream"
    assert interims, "the open utterance is re-decoded while the student speaks"
    assert {t.utterance for t in transcripts} == {final.utterance}
    assert "final" in final.text.lower() and "graph algorithms" in final.text.lower()
    assert 0 <= final.start < 0.5 and abs(final.end - len(question) / 32000) < 0.6


def test_silence_gives_no_captions_at_all(decoder: whisper.WhisperDecoder) -> None:
    assert texts(run_async(transcribe(decoder, SILENCE_SECOND * 3))) == []


def test_a_long_monologue_is_cut_into_finals_no_longer_than_whisper_can_take(decoder: whisper.WhisperDecoder) -> None:
    transcripts = texts(run_async(transcribe(decoder, read_pcm("lec-chem") + SILENCE_SECOND)))
    finals = [t for t in transcripts if t.final]

    assert len(finals) >= 2
    assert all(t.end - t.start <= whisper.MAX_UTTERANCE_SECONDS for t in finals)
    assert [t.utterance for t in finals] == sorted({t.utterance for t in finals})
    said = " ".join(t.text for t in finals).lower()
    assert said.index("equilibrium") < said.index("monday")


def test_closing_a_stream_mid_sentence_finalises_what_was_said(decoder: whisper.WhisperDecoder) -> None:
    opening = read_pcm("lec-cs")[: 32000 * 3]  # "In this lecture we look at hash tables", then cut off
    transcripts = texts(run_async(transcribe(decoder, opening)))

    finals = [t for t in transcripts if t.final]
    assert len(finals) == 1 and "hash tables" in finals[0].text.lower()
