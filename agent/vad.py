"""Streaming voice activity detection with the Silero VAD that ships inside faster-whisper.

faster-whisper runs Silero over a whole file at once; a live speaker needs the same network fed
32 ms at a time, its recurrent state carried from one call to the next.
"""

import numpy as np
from faster_whisper.vad import get_vad_model

WINDOW = 512  # samples at 16 kHz: 32 ms, the window Silero was trained on
_CONTEXT = 64  # samples of the previous window the model sees before each window
_STATE_SHAPE = (1, 1, 128)


class StreamingVad:
    """Speech probability of each successive 32 ms window of one audio stream."""

    def __init__(self) -> None:
        self._session = get_vad_model().session  # one ONNX session per process, shared by all streams
        self._h = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)

    def probabilities(self, windows: np.ndarray) -> np.ndarray:
        """`windows` is float32 of shape (n, 512), in stream order; returns n probabilities."""
        if not len(windows):
            return np.zeros(0, dtype=np.float32)
        contexts = np.concatenate([self._context[None, :], windows[:-1, -_CONTEXT:]])
        batch = np.concatenate([contexts, windows], axis=1)
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = windows[-1, -_CONTEXT:].copy()
        return np.asarray(out, dtype=np.float32).reshape(-1)


def warm_up() -> None:
    """Load the ONNX model now rather than when the first speaker talks."""
    StreamingVad().probabilities(np.zeros((1, WINDOW), dtype=np.float32))
