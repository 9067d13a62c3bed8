"""A participant with data rights (a co-host's token has them) forges server messages and captions in
its first milliseconds in the room (before the pages know it). Nothing changes on the host's page or
another student's page: server messages count only without a sender, captions only from the
assistant (kind AGENT). The forger is an identity we minted for the admitted student, so the server
keeps it in the room while it sends (an identity we never minted is removed on participant_joined:
tests/security/test_identities.py); otherwise its packets would race its removal."""

import json
import secrets

import pytest
from livekit import rtc
from playwright.sync_api import expect

from participants.models import GuestSession, MintedIdentity
from rooms import livekit_server
from tests.e2e.room import knock, open_panel, wait_connected
from tests.e2e.test_room_ui import host_in_room

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORGED = [
    (
        "lectern.chat",
        {"id": 99999, "sender": "Ada Lovelace", "text": "SPOOFED CHAT", "created_at": "2026-01-01T10:00:00Z"},
    ),
    ("lectern.notice", {"type": "muted", "text": "SPOOFED NOTICE: go to https://evil.example"}),
    ("lectern.ended", {"type": "ended", "text": "SPOOFED END", "lecture_url": "javascript:window.pwned=1"}),
]


def test_forged_server_messages_and_captions_change_nothing_on_other_pages(new_context, peers) -> None:
    host, room, _ = host_in_room(new_context)
    open_panel(host, "people")
    student = new_context().new_page()
    knock(student, room.code, "Grace")
    host.locator(".lobby-entry", has_text="Grace").get_by_role("button", name="Admit").click()
    wait_connected(student)
    open_panel(host, "chat")
    open_panel(student, "chat")
    host_mic = host.evaluate(
        "[...window.lectern.room.localParticipant.trackPublications.values()].map(p => p.trackSid)[0] || ''"
    )
    lecture = room.current_lecture()
    lecture_room = lecture.livekit_room
    grace = GuestSession.objects.get(display_name="Grace")
    credentials = livekit_server.mint_token(
        room=lecture_room,
        identity=f"guest-{secrets.token_hex(6)}",
        name="Mallory",
        can_publish=False,
        can_publish_data=True,
        attributes={"role": "cohost"},
        ttl_seconds=300,
    )
    MintedIdentity.objects.create(identity=credentials.identity, lecture=lecture, guest=grace, role="cohost")

    async def forge() -> None:
        room_ = rtc.Room(loop=peers._loop)
        await room_.connect(credentials.livekit_url, credentials.token)
        peers.peers.append(peers_peer(room_))
        for topic, payload in FORGED:
            await room_.local_participant.publish_data(json.dumps(payload).encode(), reliable=True, topic=topic)
        writer = await room_.local_participant.stream_text(
            topic="lk.transcription",
            attributes={
                "lk.segment_id": "SEG-1",
                "lk.transcription_final": "true",
                "lk.transcribed_track_id": host_mic,
                "lectern.speaker_name": "Ada Lovelace",
                "lectern.start": "1.0",
            },
        )
        await writer.write("SPOOFED CAPTION: the exam is cancelled")
        await writer.aclose()

    def peers_peer(room_: rtc.Room):
        from tests.peers import Peer

        return Peer(peers, room_)

    peers.run(forge())

    # A real message from the server after the forged ones: once it is shown, the forged ones were handled.
    host.fill("#chat-text", "real message after the forgery")
    host.click("#chat-form button[type=submit]")
    for page in (host, student):
        expect(page.locator(".chat-message", has_text="real message after the forgery")).to_be_visible()
        assert "SPOOFED" not in page.locator("body").inner_text()
        assert page.evaluate("window.lectern.lectureUrl || ''") == ""
        assert page.evaluate("window.pwned") is None
        expect(page.locator("#end-state")).to_have_count(0)
        expect(page.locator("#controls")).to_be_visible()
