"""Lecture summaries: the offline summarizer by default, an OpenAI-compatible LLM when configured.

`build_and_store_summary` runs in the task worker when a lecture ends (and again on demand): it
saves the raw transcript as a text file in storage, summarises the stored segments and stores the
validated summary on the lecture. The LLM path falls back to the offline summary, saying why.
"""

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from pydantic import ValidationError

from adminpanel.models import AISettings
from lectures import summarizer_llm, summarizer_local
from lectures.llm import LLMError
from lectures.models import AttendanceInterval, Lecture
from lectures.summarizer_local import Utterance
from lectures.summary_schema import Summary

logger = logging.getLogger(__name__)

HOST_ROLES = ("host", "cohost")


class LectureNotEnded(Exception):
    """A lecture is summarised once it has ended."""


def transcript_key(lecture_id: int) -> str:
    return f"transcripts/{lecture_id}.txt"


def lecture_utterances(lecture: Lecture) -> list[Utterance]:
    """The stored segments in order, each marked with whether its speaker hosts the lecture."""
    hosts = set(
        AttendanceInterval.objects.filter(lecture=lecture, role__in=HOST_ROLES).values_list("identity", flat=True)
    )
    segments = lecture.segments.order_by("start", "pk")
    return [
        Utterance(
            speaker=segment.speaker_name,
            identity=segment.speaker_identity,
            # identities are minted as host-…, cohost-… (rooms/services.py); attendance confirms them
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


def build_and_store_summary(*, lecture_id: int) -> None:
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


@transaction.atomic
def regenerate_summary(*, lecture: Lecture) -> None:
    """Build the summary again from the stored transcript (the host's "Regenerate" button)."""
    from lectures.tasks import summarize_lecture

    updated = Lecture.objects.filter(Q(pk=lecture.pk), ~Q(status=Lecture.Status.LIVE)).update(summary_status="pending")
    if not updated:
        raise LectureNotEnded("A lecture is summarised once it has ended.")
    lecture.summary_status = "pending"
    lecture_id = lecture.pk
    transaction.on_commit(lambda: summarize_lecture.enqueue(lecture_id))
