"""Entry point of the agent process: `python -m agent dev` (development) or `python -m agent start`.

Sets Django up, checks the Whisper model (model.bin against its sha256) so a bad model stops the
worker at start-up rather than at the first lecture, then runs the LiveKit Agents worker.
"""

import logging
import os
import sys

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing is ever fetched from the Hugging Face hub
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def check_speech_model() -> None:
    """Fail fast on a missing or altered Whisper model (Whisper is also the fallback engine)."""
    from django.conf import settings
    from django.db import DatabaseError

    from agent import services, whisper

    try:
        folder = services.speech_settings().whisper_model
    except DatabaseError:
        logging.getLogger(__name__).warning("database unavailable; checking the WHISPER_MODEL default")
        folder = settings.WHISPER_MODEL
    path = whisper.resolve_model_folder(folder)
    digest = whisper.verify_model(path, expected_sha256=settings.WHISPER_MODEL_SHA256)
    logging.getLogger(__name__).info("Whisper model %s checked (model.bin sha256 %s)", path, digest)


def main() -> int:
    import django

    django.setup()
    from livekit.agents import cli

    from agent.whisper import ModelCheckFailed
    from agent.worker import build_server

    try:
        check_speech_model()
    except ModelCheckFailed as exc:
        logging.getLogger(__name__).error("%s", exc)
        return 1
    # The LiveKit CLI sets up the worker's logging; Django's console handler would print it twice.
    logging.getLogger().handlers.clear()
    cli.run_app(build_server())
    return 0


if __name__ == "__main__":
    sys.exit(main())
