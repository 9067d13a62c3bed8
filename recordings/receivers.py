"""Recording follows the lecture's life: auto-record when a lecture begins, stop when it ends.

Rooms knows nothing about recordings (layering), so this listens to the Lecture rows themselves.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from rooms.models import Lecture


@receiver(post_save, sender=Lecture, dispatch_uid="recordings.lecture_saved")
def lecture_saved(sender: type[Lecture], instance: Lecture, created: bool, **kwargs: Any) -> None:
    from recordings import services

    lecture = instance
    if created:
        # after commit: open_room has created the LiveKit room by then
        transaction.on_commit(lambda: services.auto_record(lecture=lecture))
    elif lecture.status == Lecture.Status.ENDED:
        transaction.on_commit(lambda: services.stop_recordings_of_lecture(lecture=lecture))
