"""Every identity we mint maps back to its owner; nothing else stays in a lecture.

Found by a hostile student: after 50 rejoins the first token still connected and kick/ban on it
answered 404 while the student stayed. Each test here is one of those ways in.
"""

from typing import Any

import jwt
import pytest
from django.conf import settings
from django.test import Client

from lectures.models import AttendanceInterval
from participants.identities import GUEST_TOKENS
from participants.models import MintedIdentity
from rooms import livekit_server
from rooms.models import Room
from tests.conftest import wait_for
from tests.moderation.conftest import admit_student, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def present(lecture) -> set[str]:
    return {p.identity for p in livekit_server.list_participants(room=lecture.livekit_room)}


def grants(token: str) -> dict[str, Any]:
    return jwt.decode(token, settings.LIVEKIT_API_SECRET, algorithms=["HS256"])["video"]


def test_sixty_rejoins_then_kick_and_ban_on_the_first_identity_removes_every_connection(
    host_client: Client, room: Room, lecture, peers, web_server
) -> None:
    student = admit_student(host_client, room, "Mallory", "fp-mallory-0001")
    first = peers.connect(student.credentials)
    tokens = [student.credentials]
    answers = []
    for _ in range(60):
        response = post_json(student.client, f"/api/v1/rooms/{room.code}/rejoin")
        answers.append(response.status_code)
        if response.status_code == 200:
            tokens.append(response.json())
    # reloads and reconnects work (admission and the first reload took two tokens); a loop that
    # hoards connections is stopped
    assert answers[: GUEST_TOKENS - 2] == [200] * (GUEST_TOKENS - 2)
    assert set(answers[GUEST_TOKENS - 2 :]) == {429}
    others = [peers.connect(credentials) for credentials in tokens[-3:]]
    mine = {student.identity, *(c["identity"] for c in tokens[-3:])}
    wait_for(lambda: mine <= present(lecture), what="all four connections of the student")

    response = post_json(host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/kick", {"ban": True})
    assert response.status_code == 200, response.content
    wait_for(lambda: not (mine & present(lecture)), what="every connection of the banned student to go")
    wait_for(
        lambda: not first.connected and not any(peer.connected for peer in others),
        what="the student's own connections to hear they were removed",
    )

    # each way back is refused: any old token (removed again on participant_joined), rejoin, join
    for credentials in (tokens[0], tokens[len(tokens) // 2], tokens[-1]):
        returning = peers.connect(credentials)
        wait_for(lambda r=returning: not r.connected, timeout=10, what="an old token's connection to be removed")
    assert post_json(student.client, f"/api/v1/rooms/{room.code}/rejoin").status_code == 403
    join = {"display_name": "Mallory", "fingerprint": "fp-mallory-0001"}
    assert post_json(student.client, f"/api/v1/rooms/{room.code}/join", join).status_code == 403


def test_host_action_on_any_old_identity_reaches_the_guest(host_client: Client, room: Room, lecture, peers) -> None:
    student = admit_student(host_client, room, "Eve", "fp-eve-00000001")
    later = post_json(student.client, f"/api/v1/rooms/{room.code}/rejoin").json()
    peer = peers.connect(later)
    wait_for(lambda: later["identity"] in present(lecture), what="the student's newest connection")
    # the host only knows the first identity (say, from an old chat message): the kick still lands
    response = post_json(host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/kick")
    assert response.status_code == 200
    wait_for(lambda: not peer.connected, what="the newest connection to be closed")


def test_token_minting_is_rate_limited_per_guest_with_retry_after(host_client: Client, room: Room, lecture) -> None:
    student = admit_student(host_client, room, "Trudy", "fp-trudy-000001")
    statuses = [post_json(student.client, f"/api/v1/rooms/{room.code}/rejoin") for _ in range(GUEST_TOKENS)]
    refused = statuses[-1]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Too many reconnections" in refused.json()["detail"]
    assert MintedIdentity.objects.filter(guest__display_name="Trudy").count() == GUEST_TOKENS


def test_an_identity_we_never_minted_is_removed_and_never_becomes_attendance(
    room: Room, lecture, peers, web_server
) -> None:
    # a token signed with the key but minted outside Lectern (a leaked key, a load-test tool)
    forged = livekit_server.mint_token(
        room=lecture.livekit_room,
        identity="guest-not-ours",
        name="Professor",
        can_publish=True,
        can_subscribe=True,
        can_publish_data=True,
        attributes={"role": "host"},
    )
    peer = peers.connect({"livekit_url": forged.livekit_url, "token": forged.token})
    wait_for(lambda: not peer.connected, timeout=10, what="the unknown identity to be removed")
    assert "guest-not-ours" not in present(lecture)
    assert not AttendanceInterval.objects.filter(identity="guest-not-ours").exists()


def test_students_cannot_publish_data_and_co_hosts_can(host_client: Client, room: Room, lecture, peers) -> None:
    student = admit_student(host_client, room, "Oscar", "fp-oscar-000001")
    assert grants(student.credentials["token"])["canPublishData"] is False
    peers.connect(student.credentials)
    wait_for(lambda: student.identity in present(lecture), what="the student to connect")
    (info,) = [p for p in livekit_server.list_participants(room=lecture.livekit_room) if p.identity == student.identity]
    assert info.can_publish_data is False

    # made co-host: its next token may send data (co-hosts moderate, like hosts)
    assert (
        post_json(host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/cohost", {"allow": True})
    ).status_code == 200
    again = post_json(student.client, f"/api/v1/rooms/{room.code}/rejoin").json()
    assert grants(again["token"])["canPublishData"] is True


def test_rejoins_sent_all_at_once_get_no_more_tokens_than_one_after_the_other(
    host_client: Client, room: Room, lecture
) -> None:
    from tests.parallel import all_at_once

    student = admit_student(host_client, room, "Mallory", "fp-mallory-0002")

    def rejoin(_: int) -> int:
        client = Client()
        client.cookies = student.client.cookies
        return int(post_json(client, f"/api/v1/rooms/{room.code}/rejoin").status_code)

    answers = all_at_once(20, rejoin)
    assert answers.count(200) == GUEST_TOKENS - 2  # admission and the first reload took two
    assert answers.count(429) == 20 - (GUEST_TOKENS - 2)
    assert MintedIdentity.objects.filter(guest__display_name="Mallory").count() == GUEST_TOKENS
