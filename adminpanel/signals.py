"""What makes the overview refresh at once. The apps that change lectures and recordings sit below
adminpanel and never import it: adminpanel listens."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from adminpanel import broadcasts
from recordings.models import Recording
from rooms.models import Lecture


def _changed(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(broadcasts.notify_overview_changed, robust=True)  # logged, never the request's error


def connect() -> None:
    post_save.connect(_changed, sender=Lecture, dispatch_uid="adminpanel.overview.lecture")
    post_save.connect(_changed, sender=Recording, dispatch_uid="adminpanel.overview.recording")
