"""The summary runs in the task worker (django-tasks, database backend) when a lecture ends."""

from django.db import transaction
from django.db.models import Q
from django_tasks import task

from core.exceptions import Conflict
from rooms.models import Lecture
from summaries.services import summarize_lecture


class LectureNotEnded(Conflict):
    """A lecture is summarised once it has ended."""


@task()
def summarize_lecture_task(lecture_id: int) -> None:
    """Build and store the summary of an ended lecture from its stored transcript segments."""
    summarize_lecture(lecture_id=lecture_id)


def request_summary(*, lecture_id: int) -> None:
    """Queue the summary of a lecture that has just ended (after the surrounding commit, if any)."""
    transaction.on_commit(lambda: summarize_lecture_task.enqueue(lecture_id))


@transaction.atomic
def regenerate_summary(*, lecture: Lecture) -> None:
    """Build the summary again from the stored transcript (the host's "Regenerate" button)."""
    updated = Lecture.objects.filter(Q(pk=lecture.pk), ~Q(status=Lecture.Status.LIVE)).update(summary_status="pending")
    if not updated:
        raise LectureNotEnded("A lecture is summarised once it has ended.")
    lecture.summary_status = "pending"
    request_summary(lecture_id=lecture.pk)
