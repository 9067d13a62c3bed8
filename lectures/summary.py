"""Lecture summaries: the offline summarizer by default, an OpenAI-compatible LLM when configured."""

import logging

logger = logging.getLogger(__name__)


def build_and_store_summary(*, lecture_id: int) -> None:
    """Summarise the lecture's stored segments into Lecture.summary (see summary_schema.Summary)."""
    logger.info("summaries are not built yet (lecture %s)", lecture_id)
