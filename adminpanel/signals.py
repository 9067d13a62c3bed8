"""What makes the overview refresh at once, and what starts the audit retention. The apps that
change lectures and recordings sit below adminpanel and never import it: adminpanel listens."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from adminpanel import broadcasts
from audit.tasks import ensure_audit_pruning
from lectures.signals import lecture_opened
from recordings.models import Recording
from rooms.models import Lecture


def _changed(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(broadcasts.notify_overview_changed, robust=True)  # logged, never the request's error


def _opened(sender: Any, **kwargs: Any) -> None:
    # The audit retention runs as long as the deployment is used: a lecture opening starts it.
    transaction.on_commit(ensure_audit_pruning, robust=True)


def connect() -> None:
    lecture_opened.connect(_opened, dispatch_uid="adminpanel.audit_pruning")
    post_save.connect(_changed, sender=Lecture, dispatch_uid="adminpanel.overview.lecture")
    post_save.connect(_changed, sender=Recording, dispatch_uid="adminpanel.overview.recording")
