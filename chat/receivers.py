"""A shared file's bytes go with its row, however the row goes: the lecture's retention, the room's
deletion (a cascade), the admin site."""

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from chat.models import SharedFile
from core import storage


@receiver(post_delete, sender=SharedFile, dispatch_uid="chat.shared_file_deleted")
def shared_file_deleted(sender: type[SharedFile], instance: SharedFile, **kwargs: Any) -> None:
    storage.delete_on_commit(key=instance.storage_key)
