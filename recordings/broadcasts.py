"""What the room hears about its recording: one LiveKit data topic, sent by the server to everyone
in the room (the indicator for students, "Recording stopped: …" for the host)."""

import contextlib

from participants.broadcasts import tell_lecture
from recordings.models import Recording
from rooms import livekit_server

RECORDING_TOPIC = "lectern.recording"


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


def notify_recording_status(*, livekit_room: str, recording: Recording) -> None:
    """Tell everyone in the room whether it is being recorded (and why it stopped, if it failed)."""
    # the room page also asks GET /api/v1/rooms/{code}/recording: a lost push is not a lost state
    with contextlib.suppress(livekit_server.LiveKitError):
        livekit_server.send_data(room=livekit_room, topic=RECORDING_TOPIC, payload=recording_payload(recording))
    # the live socket: what the room page trusts
    tell_lecture(lecture_pk=recording.lecture_id, message=recording_payload(recording))
