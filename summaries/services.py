"""Lecture summaries: the offline summarizer by default, an OpenAI-compatible LLM when configured.

`summarize_lecture` runs in the task worker when a lecture ends (and again on demand): it
saves the raw transcript as a text file in storage, summarises the stored segments and stores the
validated summary on the lecture. The LLM path falls back to the offline summary, saying why.
"""

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pydantic import ValidationError

from core.models import AISettings
from participants.identities import cohost_identities
from rooms.models import Lecture
from summaries import llm as summarizer_llm
from summaries import local as summarizer_local
from summaries.local import Utterance
from summaries.openai_client import LLMError
from summaries.schema import Summary

logger = logging.getLogger(__name__)


def transcript_key(lecture_id: int) -> str:
    return f"transcripts/{lecture_id}.txt"


def lecture_utterances(lecture: Lecture) -> list[Utterance]:
    """The stored segments in order, each marked with whether its speaker hosts the lecture."""
    hosts = cohost_identities(room=lecture.room)
    segments = lecture.segments.order_by("start", "pk")
    return [
        Utterance(
            speaker=segment.speaker_name,
            identity=segment.speaker_identity,
            # accounts get identities minted as host-…, cohost-… (lectures/life.py); co-host guests are listed
            is_host=segment.speaker_identity in hosts or segment.speaker_identity.startswith(("host-", "cohost-")),
            start=segment.start,
            end=segment.end,
            text=segment.text,
        )
        for segment in segments
    ]


def transcript_text(lecture: Lecture, utterances: list[Utterance]) -> str:
    lines = [f"{lecture.title}", f"Started {lecture.started_at:%Y-%m-%d %H:%M %Z}", ""]
    for u in utterances:
        total = int(u.start)
        lines.append(f"[{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}] {u.speaker}: {u.text}")
    return "\n".join(lines) + "\n"


def save_transcript(lecture: Lecture, utterances: list[Utterance]) -> str:
    """The raw transcript as a text file in storage (local folder or S3); returns its key."""
    key = transcript_key(lecture.pk)
    if default_storage.exists(key):
        default_storage.delete(key)
    return default_storage.save(key, ContentFile(transcript_text(lecture, utterances).encode()))


def summarize_utterances(utterances: list[Utterance], *, title: str, ai: AISettings) -> Summary:
    """The summary the settings ask for; the LLM's failures fall back to the offline summary."""
    if not ai.uses_llm or not utterances:
        return summarizer_local.summarize(utterances)
    try:
        return summarizer_llm.summarize(utterances, title=title, model=ai.effective_openai_model)
    except (LLMError, ValidationError, ValueError) as exc:
        logger.warning("LLM summary failed, using the offline summary: %s", exc)
        fallback = summarizer_local.summarize(utterances)
        fallback.note = f"The AI summary service failed ({_short(exc)}); this is the offline summary."
        return fallback


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:160]


def summarize_lecture(*, lecture_id: int) -> None:
    """Summarise the lecture's stored segments into Lecture.summary (see summary_schema.Summary)."""
    Lecture.objects.filter(pk=lecture_id).update(summary_status="pending")
    try:
        lecture = Lecture.objects.get(pk=lecture_id)
        utterances = lecture_utterances(lecture)
        save_transcript(lecture, utterances)
        summary = summarize_utterances(utterances, title=lecture.title, ai=AISettings.load())
        stored = Summary.model_validate(summary.model_dump()).model_dump(mode="json")
    except Exception:
        logger.exception("could not summarise lecture %s", lecture_id)
        Lecture.objects.filter(pk=lecture_id).update(summary_status="failed")
        raise
    Lecture.objects.filter(pk=lecture_id).update(summary=stored, summary_status="ready")
    logger.info("summary of lecture %s is ready (%s)", lecture_id, stored["provider"])
