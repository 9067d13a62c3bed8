"""Recording follows the lecture's life: auto-record when a lecture begins, stop when it ends (and
the hourly retention pass is queued once lectures end); a recording's file goes with its row.

Rooms knows nothing about recordings (layering), so this listens to the Lecture rows themselves.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from core import storage
from lectures.signals import lecture_ended
from recordings.models import Recording
from rooms.models import Lecture, Room


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


@receiver(lecture_ended, dispatch_uid="recordings.lecture_ended")
def lecture_ended_schedules_retention(sender: Any, *, lecture: Lecture, **kwargs: Any) -> None:
    """Retention has something to do once lectures end: make sure its hourly pass is queued."""
    from recordings.tasks import schedule_retention

    transaction.on_commit(lambda: schedule_retention())


@receiver(post_save, sender=Room, dispatch_uid="recordings.room_created")
def room_created_takes_the_recording_default(sender: type[Room], instance: Room, created: bool, **kwargs: Any) -> None:
    """A new room records automatically when the admins' site defaults say so (Admin → Settings); rooms
    that existed before keep what they had, and the host can change it per room."""
    if created and not kwargs.get("raw"):
        from core.models import SiteDefaults
        from recordings.models import RecordingSettings

        RecordingSettings.objects.get_or_create(
            room=instance, defaults={"auto_record": SiteDefaults.load().recording_default}
        )


@receiver(post_delete, sender=Recording, dispatch_uid="recordings.recording_deleted")
def recording_deleted(sender: type[Recording], instance: Recording, **kwargs: Any) -> None:
    """A recording's file goes with its row, however the row goes: the host's delete, retention, the
    room's deletion (a cascade), the admin site. A recording still running or processing is looked for
    again later: its egress finishes and uploads the file after the row is gone."""
    storage.delete_on_commit(key=instance.storage_key)
    if not instance.is_finished:  # its egress may still write the file after this: look again later
        from recordings.tasks import LATE_FILE_AFTER, delete_late_file

        key = instance.storage_key
        transaction.on_commit(lambda: delete_late_file.using(run_after=timezone.now() + LATE_FILE_AFTER).enqueue(key))
