"""Courses listen to a lecture's life (lectures.signals), so lectures never import courses."""

from typing import Any

from django.db.models.signals import pre_delete

from courses import services
from lectures.signals import lecture_ended, lecture_opened
from rooms.models import Lecture


def _opened(sender: Any, *, lecture: Lecture, **kwargs: Any) -> None:
    services.start_scheduled_lecture(lecture=lecture)


def _ended(sender: Any, *, lecture: Lecture, **kwargs: Any) -> None:
    services.complete_scheduled_lecture(lecture=lecture)


def _removed(sender: Any, *, instance: Lecture, **kwargs: Any) -> None:
    services.forget_lecture(lecture=instance)


def connect() -> None:
    lecture_opened.connect(_opened, dispatch_uid="courses.lecture_opened")
    lecture_ended.connect(_ended, dispatch_uid="courses.lecture_ended")
    pre_delete.connect(_removed, sender=Lecture, dispatch_uid="courses.lecture_removed")
