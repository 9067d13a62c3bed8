"""Captions on the `lk.transcription` text-stream topic, the way every LiveKit client reads them.

Each caption is one small text stream sent by the agent as itself (pages trust captions only from
a participant of kind AGENT) with the standard attributes: the transcribed track (which names the
speaker, through the participant that published it), a segment id shared by the
interims and the final of one utterance, and whether this one is final. Each stream carries the
whole text so far, so a client shows the latest stream of a segment and drops the ones before.
Lectern adds the utterance's place in the lecture (seconds from its start) for the transcript panel.
"""

import logging
from dataclasses import dataclass

from livekit import rtc
from livekit.agents.types import (
    ATTRIBUTE_TRANSCRIPTION_FINAL,
    ATTRIBUTE_TRANSCRIPTION_SEGMENT_ID,
    ATTRIBUTE_TRANSCRIPTION_TRACK_ID,
    TOPIC_TRANSCRIPTION,
)

logger = logging.getLogger(__name__)

ATTRIBUTE_START = "lectern.start"
ATTRIBUTE_END = "lectern.end"
ATTRIBUTE_SPEAKER_NAME = "lectern.speaker_name"


@dataclass(frozen=True)
class Caption:
    speaker_identity: str
    speaker_name: str
    track_sid: str
    segment_id: str
    text: str
    final: bool
    start: float  # seconds from the lecture's start
    end: float


async def publish_caption(room: rtc.Room, caption: Caption) -> None:
    """Send one caption to everyone in the room; a room that is going away only logs."""
    if not room.isconnected():
        return
    attributes = {
        ATTRIBUTE_TRANSCRIPTION_TRACK_ID: caption.track_sid,
        ATTRIBUTE_TRANSCRIPTION_SEGMENT_ID: caption.segment_id,
        ATTRIBUTE_TRANSCRIPTION_FINAL: "true" if caption.final else "false",
        ATTRIBUTE_START: f"{caption.start:.2f}",
        ATTRIBUTE_END: f"{caption.end:.2f}",
        ATTRIBUTE_SPEAKER_NAME: caption.speaker_name,
    }
    try:
        # Sent as the assistant itself: pages accept captions only from a participant of kind AGENT and
        # find the speaker through the transcribed track.
        writer = await room.local_participant.stream_text(topic=TOPIC_TRANSCRIPTION, attributes=attributes)
        await writer.write(caption.text)
        await writer.aclose()
    except Exception:
        logger.warning("could not publish a caption of %s", caption.speaker_identity, exc_info=True)
