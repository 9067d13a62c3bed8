"""Whether a lecture's captions run: the AI assistant says so when it cannot caption a lecture, and
again when a job of its own starts captioning it; the hosts' room pages hear it on the live socket."""

from django.db import transaction

from participants import broadcasts
from rooms.models import Lecture


def _tell_hosts(lecture: Lecture) -> None:
    message = broadcasts.captions_status_message(
        unavailable=lecture.captions_unavailable, reason=lecture.get_captions_unavailable_display()
    )
    transaction.on_commit(lambda: broadcasts.tell_room_hosts(room_pk=lecture.room_id, message=message))


@transaction.atomic
def mark_captions_unavailable(*, lecture_id: int, reason: Lecture.CaptionsUnavailable) -> bool:
    """Record why nobody captions the live lecture; tell its hosts the first time. False if already known."""
    lecture = Lecture.objects.select_for_update().filter(pk=lecture_id, status=Lecture.Status.LIVE).first()
    if lecture is None or lecture.captions_unavailable == reason:
        return False
    lecture.captions_unavailable = reason
    lecture.save(update_fields=["captions_unavailable"])
    _tell_hosts(lecture)
    return True


@transaction.atomic
def mark_captions_running(*, lecture_id: int) -> bool:
    """A job captions the lecture now: clear an earlier "unavailable" and tell its hosts. False if none."""
    lecture = Lecture.objects.select_for_update().filter(pk=lecture_id, status=Lecture.Status.LIVE).first()
    if lecture is None or not lecture.captions_unavailable:
        return False
    lecture.captions_unavailable = ""
    lecture.save(update_fields=["captions_unavailable"])
    _tell_hosts(lecture)
    return True
