"""Background work on lectures (django-tasks, database backend)."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def summarize_lecture(lecture_id: int) -> None:
    """Build and store the summary of an ended lecture from its stored transcript segments."""
    from lectures.summary import build_and_store_summary

    build_and_store_summary(lecture_id=lecture_id)
