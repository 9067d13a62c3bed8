"""What the room hears about its recording, on our live socket only (`/ws/rooms/<code>/live/`): the
indicator for everyone, "Recording stopped: …" for the host. Not on LiveKit data: the room page takes
server messages from the live socket alone, and reads the current state from
GET /api/v1/rooms/{code}/recording when it connects, so a lost push is not a lost state."""

from participants.broadcasts import tell_lecture
from recordings.models import Recording


def recording_payload(recording: Recording | None) -> dict[str, object]:
    if recording is None:
        return {"type": "recording.status", "recording": None}
    return {
        "type": "recording.status",
        "recording": {
            "id": recording.pk,
            "status": recording.status,
            "recording": recording.is_running,
            "error": recording.error,
        },
    }


def notify_recording_status(*, recording: Recording) -> None:
    """Tell everyone in the lecture whether it is being recorded (and why it stopped, if it failed)."""
    tell_lecture(lecture_pk=recording.lecture_id, message=recording_payload(recording))
