"""Template tags other apps' pages use to show recording state without importing recordings."""

from django import template
from django.utils.html import format_html

from recordings.models import Recording, RecordingSettings
from rooms.models import Room

register = template.Library()

NOTICE = (
    "This lecture is recorded. The recording keeps everyone's video, audio and name, also of students "
    "who chose not to be transcribed: turn your camera and microphone off to stay out of it."
)


@register.simple_tag
def recording_notice(room: Room) -> str:
    """Tell a student before they enter that the lecture is (or will be) recorded."""
    recorded = (
        RecordingSettings.objects.filter(room=room, auto_record=True).exists()
        or Recording.objects.running().filter(room=room).exists()
    )
    if not recorded:
        return ""
    return format_html('<p id="join-recorded" class="notice notice-warning" role="note">{}</p>', NOTICE)
