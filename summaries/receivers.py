"""A lecture's transcript file (transcripts/<lecture id>.txt) goes with the lecture, however it goes:
retention, the room's deletion (a cascade), the admin site."""

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from core import storage
from rooms.models import Lecture
from summaries.services import transcript_key


@receiver(post_delete, sender=Lecture, dispatch_uid="summaries.lecture_deleted")
def lecture_deleted(sender: type[Lecture], instance: Lecture, **kwargs: Any) -> None:
    storage.delete_on_commit(key=transcript_key(instance.pk))
