"""The AI settings row and how the agent maps audio time to lecture time."""

from typing import Any

import pytest

from agent.transcriber import AudioClock
from core.models import AISettings


@pytest.mark.django_db
def test_ai_settings_start_from_the_environment_and_deepgram_needs_its_key(settings: Any) -> None:
    settings.DEEPGRAM_API_KEY = "dg-key"
    settings.OPENAI_API_KEY = ""
    settings.AI_ASSISTANT_DEFAULT = False
    ai = AISettings.load()
    assert ai.engine == "deepgram" and ai.effective_engine == "deepgram"
    assert ai.summary_provider == "local" and not ai.uses_llm
    assert ai.ai_assistant_default is False
    assert ai.effective_whisper_model == settings.WHISPER_MODEL

    settings.DEEPGRAM_API_KEY = ""
    assert AISettings.load().effective_engine == "whisper", "without a key the offline engine runs"
    AISettings(engine="whisper").save()
    assert AISettings.objects.count() == 1 and AISettings.load().engine == "whisper"


def test_the_audio_clock_follows_the_stream_across_a_muted_microphone() -> None:
    clock = AudioClock()
    for n in range(100):  # one second of 10 ms frames, arriving in real time from t=1000
        clock.heard(160, 1000.0 + (n + 1) * 0.01)
    for n in range(100):  # muted for 5 s: nothing arrives; then one more second
        clock.heard(160, 1006.0 + (n + 1) * 0.01)

    assert clock.wall_time(0.0) == pytest.approx(1000.0, abs=0.02)
    assert clock.wall_time(0.5) == pytest.approx(1000.5, abs=0.02)
    assert clock.wall_time(1.5) == pytest.approx(1006.5, abs=0.02)
