"""The audit log in words: each action code as a phrase an admin reads without a glossary."""

from dataclasses import dataclass

from audit.models import AuditEvent

# "{actor} <phrase> {target}": the phrase reads between who did it and to whom.
PHRASES = {
    "lobby.admit": "admitted",
    "lobby.reject": "turned away",
    "lobby.admit_all": "admitted everyone waiting",
    "participant.kick": "removed",
    "participant.ban": "banned",
    "participant.refused": "refused entry to",
    "participant.unknown": "removed an unknown connection",
    "participant.speak": "changed speaking rights of",
    "participant.mute": "muted",
    "participant.cohost": "made co-host",
    "participant.uncohost": "took co-host rights from",
    "room.mute_all": "muted everyone",
    "room.lock": "locked",
    "room.unlock": "unlocked",
    "ban.lift": "lifted the ban on",
    "pin.paused": "paused PIN attempts for",
    "security.pin_paused": "paused PIN attempts for",
    "pin.pause_lifted": "let students enter the PIN again in",
    "lecture.end_stale": "ended the stale lecture",
    "lecture.expired": "deleted the expired lecture",
    "account.update": "changed the account of",
    "account.password_reset": "sent a password link to",
    "account.invite": "invited",
    "admin.mute_track": "muted a track of",
    "admin.end_lecture": "ended the lecture",
    "admin.close_livekit_room": "closed the LiveKit room",
    "admin.sandbox_token": "minted a sandbox token for",
    "settings.update": "changed the",
}


def label(action: str) -> str:
    """A readable name for an action code; unknown codes read as their words."""
    return PHRASES.get(action, action.replace(".", " ").replace("_", " "))


@dataclass(frozen=True)
class AuditLine:
    event: AuditEvent
    actor: str
    phrase: str
    target: str
    room: str


def line(event: AuditEvent) -> AuditLine:
    """One event as a sentence: "Prof. Ada Lovelace admitted Ben Okafor in MATH 201"."""
    return AuditLine(
        event=event,
        actor=event.actor.display_name if event.actor is not None else event.actor_label or "Lectern",
        phrase=label(event.action),
        target=event.target,
        room=event.room.title if event.room else "",
    )
