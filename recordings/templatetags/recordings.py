"""Template tags other apps' pages use to show recording state without importing recordings."""

from django import template

from recordings.models import Recording, RecordingSettings
from rooms.models import Lecture, Room

register = template.Library()

NOTICE = (
    "This lecture is recorded. The recording keeps everyone's video, audio and name, also of students "
    "who chose not to be transcribed: turn your camera and microphone off to stay out of it."
)


@register.simple_tag
def recording_notice_text(room: Room) -> str:
    """The same notice as plain text, for the room page's pre-join (escaped where it is shown)."""
    if RecordingSettings.objects.filter(room=room, auto_record=True).exists():
        return NOTICE
    return NOTICE if Recording.objects.running().filter(room=room).exists() else ""


@register.inclusion_tag("recordings/player.html", takes_context=True)
def recording_player(context: template.Context, lecture: Lecture) -> dict[str, object]:
    """The lecture's newest recording the viewer may watch, as a player that follows the transcript."""
    from recordings.downloads import download_path
    from recordings.selectors import manages_room, may_watch

    request = context.get("request")
    recordings = Recording.objects.filter(lecture=lecture).select_related("room", "lecture")
    if request is None:
        return {"recording": None}
    ready = next((r for r in recordings.ready() if may_watch(request, r)), None)
    pending = None
    if ready is None and manages_room(request, lecture.room):
        pending = recordings.exclude(status=Recording.Status.READY).first()
    if ready is None:
        return {"recording": None, "pending": pending}
    offset = 0.0
    if ready.started_at is not None:
        offset = max((ready.started_at - ready.lecture.started_at).total_seconds(), 0.0)
    return {"recording": ready, "src": download_path(ready), "offset": f"{offset:.3f}", "pending": None}
