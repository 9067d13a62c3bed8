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
    from recordings.tasks import auto_record_lecture

    lecture = instance
    if created:
        # A task, off the host's request: starting egress can take seconds (≈ 20 s when no egress
        # answers). After commit, open_room has created the LiveKit room.
        lecture_id = lecture.pk
        transaction.on_commit(lambda: auto_record_lecture.enqueue(lecture_id))
    elif lecture.status == Lecture.Status.ENDED:
        transaction.on_commit(lambda: services.stop_recordings_of_lecture(lecture=lecture))
