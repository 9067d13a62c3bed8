import jwt
import pytest
from django.test import Client

from audit.models import AuditEvent
from lectures.life import end_lecture
from lobby.models import LobbyEntry
from participants.access import Actor
from participants.models import BannedEntry, GuestSession
from rooms.models import Lecture, Room
from rooms.services import create_room, hash_pin
from tests.lobby.conftest import FINGERPRINT, knock, post_json

pytestmark = pytest.mark.django_db


def test_student_cannot_join_before_the_host_opens_the_room(client: Client, room: Room) -> None:
    response = knock(client, room)
    assert response.status_code == 409
    assert response.json()["detail"] == "This lecture hasn't started yet."
    assert client.get(f"/api/v1/rooms/{room.code}/public").json()["status"] == "scheduled"


def test_waiting_student_gets_a_session_and_no_token(client: Client, room: Room, live_lecture: Lecture) -> None:
    response = knock(client, room, name="Grace Hopper")
    assert response.status_code == 202
    body = response.json()
    assert body == {"session_id": body["session_id"], "status": "waiting"}
    assert "token" not in response.content.decode()
    assert "lectern_guest" in response.cookies
    guest = GuestSession.objects.get(session_id=body["session_id"])
    assert guest.display_name == "Grace Hopper" and guest.fingerprint == FINGERPRINT
    assert guest.ip_address == "127.0.0.1"
    assert guest.history.admitted_at is None
    assert LobbyEntry.objects.get(guest=guest).status == "pending"


def test_knocking_twice_keeps_one_place_in_the_queue(client: Client, room: Room, live_lecture: Lecture) -> None:
    first = knock(client, room).json()
    second = knock(client, room).json()
    assert first["session_id"] == second["session_id"]
    assert LobbyEntry.objects.filter(status="pending").count() == 1


def test_with_the_lobby_off_students_go_straight_in(client: Client, host, livekit) -> None:
    room = create_room(host=host, title="Office hour", lobby=False)
    from lectures.life import open_room

    lecture = open_room(room=room)
    response = knock(client, room, transcribe_me=False)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "admitted" and body["identity"].startswith("guest-")
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["video"]["room"] == lecture.livekit_room
    assert claims["video"]["canPublish"] is True and claims["video"]["roomAdmin"] is False
    assert claims["exp"] - claims["nbf"] <= 120
    assert claims["attributes"] == {"role": "guest", "lectern.transcribe": "no"}
    history = GuestSession.objects.get(session_id=body["session_id"]).history
    assert history.lecture == lecture and history.admitted_at is not None


def test_a_newcomer_comes_straight_in_with_one_history_row_written_once(
    client: Client, host, livekit, django_assert_max_num_queries
) -> None:
    """A class arriving at once pays this per student: the new guest's history is written once, not
    read, created and updated (it was 23 statements, 17 now)."""
    room = create_room(host=host, title="Office hour", lobby=False)
    from lectures.life import open_room

    open_room(room=room)
    with django_assert_max_num_queries(17):
        response = knock(client, room)
    assert response.status_code == 200
    guest = GuestSession.objects.get(session_id=response.json()["session_id"])
    assert guest.history.admitted_at is not None and not guest.history.speak_granted
    assert knock(client, room).json()["status"] == "admitted"  # knocking again: the same history


def test_webinar_students_are_admitted_without_publish_rights(client: Client, host, livekit) -> None:
    room = create_room(host=host, title="Big lecture", lobby=False, webinar=True)
    from lectures.life import open_room

    open_room(room=room)
    claims = jwt.decode(knock(client, room).json()["token"], options={"verify_signature": False})
    assert claims["video"]["canPublish"] is False and claims["video"]["canSubscribe"] is True


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"display_name": "", "fingerprint": FINGERPRINT}, "display_name"),
        ({"display_name": "x" * 200, "fingerprint": FINGERPRINT}, "display_name"),
        ({"display_name": "bell\x07", "fingerprint": FINGERPRINT}, "control"),
        ({"display_name": "<b>bold</b>", "fingerprint": FINGERPRINT}, "< >"),
        ({"display_name": "Grace"}, "fingerprint"),
        ({"display_name": "Grace", "fingerprint": "short"}, "fingerprint"),
        ("{oops", "JSON"),
        ([], "display_name"),
    ],
)
def test_bad_join_input_is_a_clear_400(client: Client, room: Room, live_lecture: Lecture, payload, fragment) -> None:
    response = post_json(client, f"/api/v1/rooms/{room.code}/join", payload)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
    assert not GuestSession.objects.exists()


def test_unknown_room_is_404(client: Client, db) -> None:
    response = post_json(client, "/api/v1/rooms/aaa-bbbb-ccc/join", {"display_name": "G", "fingerprint": FINGERPRINT})
    assert response.status_code == 404


def test_ended_room_is_409(client: Client, room: Room, live_lecture: Lecture) -> None:
    end_lecture(room=room)
    response = knock(client, room)
    assert response.status_code == 409
    assert "ended" in response.json()["detail"]


def test_wrong_pin_is_refused_and_right_pin_lets_the_student_knock(client: Client, room: Room, live_lecture) -> None:
    Room.objects.filter(pk=room.pk).update(pin_hash=hash_pin("4242"))
    assert knock(client, room).json()["detail"] == "This room needs a PIN."
    assert knock(client, room, pin="1111").status_code == 403
    assert knock(client, room, pin="4242").status_code == 202


def test_sixth_pin_try_within_a_minute_gets_429_before_bcrypt(client: Client, room: Room, live_lecture) -> None:
    Room.objects.filter(pk=room.pk).update(pin_hash=hash_pin("4242"))
    for attempt in range(5):
        assert knock(client, room, pin=f"000{attempt}").status_code == 403
    response = knock(client, room, pin="4242")  # even the right PIN waits: the check runs first
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    other_network = knock(Client(REMOTE_ADDR="10.0.0.7"), room, pin="4242")
    assert other_network.status_code == 202
    classmate = knock(Client(), room, pin="4242", fingerprint="fp-classmate-01")  # same hall, another browser
    assert classmate.status_code == 202


def test_room_pin_entry_pauses_after_ten_failures_and_the_host_is_told(room: Room, live_lecture) -> None:
    Room.objects.filter(pk=room.pk).update(pin_hash=hash_pin("4242"))
    for i in range(10):
        assert knock(Client(REMOTE_ADDR=f"10.0.1.{i}"), room, pin="9999").status_code == 403
    response = knock(Client(REMOTE_ADDR="10.0.2.1"), room, pin="4242")
    assert response.status_code == 429
    assert "paused" in response.json()["detail"]
    assert AuditEvent.objects.filter(room=room, action="pin.paused").count() == 1


def test_unknown_codes_are_limited_per_address_and_never_block_a_real_room(
    client: Client, room: Room, live_lecture
) -> None:
    for i in range(20):
        assert client.get(f"/api/v1/rooms/zzz-zzzz-z{i:02d}/public").status_code == 404
    refused = client.get("/api/v1/rooms/zzz-zzzz-zzz/public")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert client.get("/j/zzz-zzzz-zzy").status_code == 429
    # a lecture hall behind the same address still reaches its real room
    assert client.get(f"/api/v1/rooms/{room.code}/public").status_code == 200
    assert knock(client, room).status_code == 202


def test_student_rejected_twice_cannot_knock_again(host, room: Room, live_lecture) -> None:
    from lobby.services import get_entry, reject_guest

    student = Client()
    for _ in range(2):
        assert knock(student, room).status_code == 202
        entry = LobbyEntry.objects.get(status="pending")
        reject_guest(entry=get_entry(room=room, entry_id=entry.pk), by=Actor(user=host, role="host"))
    response = knock(Client(), room)  # a fresh session from the same browser
    assert response.status_code == 403
    assert "declined" in response.json()["detail"]


def test_banned_fingerprint_is_refused_at_the_door(client: Client, host, room: Room, live_lecture) -> None:
    BannedEntry.objects.create(host=host, room=room, fingerprint=FINGERPRINT)
    response = knock(client, room)
    assert response.status_code == 403
    assert not LobbyEntry.objects.exists()


def test_course_wide_ban_covers_every_room_of_the_host(client: Client, host, room: Room, live_lecture) -> None:
    BannedEntry.objects.create(host=host, room=None, fingerprint=FINGERPRINT)
    assert knock(client, room).status_code == 403


def test_ban_by_session_id_holds_with_a_new_fingerprint(host, room: Room, live_lecture, waiting_guest: Client) -> None:
    guest = GuestSession.objects.get()
    BannedEntry.objects.create(host=host, room=room, session_id=guest.session_id)
    assert knock(waiting_guest, room, fingerprint="fp-a-brand-new-one").status_code == 403


def test_admitted_student_rejoins_after_a_reload(host_client: Client, room: Room, live_lecture, waiting_guest) -> None:
    entry = LobbyEntry.objects.get()
    assert post_json(host_client, f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/admit").json()["status"] == "admitted"
    first = post_json(waiting_guest, f"/api/v1/rooms/{room.code}/rejoin").json()
    second = post_json(waiting_guest, f"/api/v1/rooms/{room.code}/rejoin").json()
    assert first["identity"] != second["identity"]
    again = knock(waiting_guest, room)
    assert again.status_code == 200 and again.json()["status"] == "admitted"


def test_rejoin_needs_an_admitted_session(room: Room, live_lecture, waiting_guest) -> None:
    assert post_json(waiting_guest, f"/api/v1/rooms/{room.code}/rejoin").status_code == 403
    assert post_json(Client(), f"/api/v1/rooms/{room.code}/rejoin").status_code == 403


def test_banned_student_cannot_rejoin(host, host_client, room: Room, live_lecture, waiting_guest) -> None:
    entry = LobbyEntry.objects.get()
    post_json(host_client, f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/admit")
    BannedEntry.objects.create(host=host, room=room, fingerprint=FINGERPRINT)
    assert post_json(waiting_guest, f"/api/v1/rooms/{room.code}/rejoin").status_code == 403


def test_admission_refuses_a_student_banned_while_waiting(
    host, host_client, room: Room, live_lecture, waiting_guest
) -> None:
    BannedEntry.objects.create(host=host, room=room, fingerprint=FINGERPRINT)
    entry = LobbyEntry.objects.get()
    response = post_json(host_client, f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/admit")
    assert response.status_code == 403
    assert LobbyEntry.objects.get().status == "pending"


def test_host_lists_admits_all_and_messages_the_lobby(host_client: Client, room: Room, live_lecture) -> None:
    for i in range(3):
        assert knock(Client(), room, name=f"Student {i}", fingerprint=f"fp-student-{i:04d}").status_code == 202
    waiting = host_client.get(f"/api/v1/rooms/{room.code}/lobby").json()
    assert [w["display_name"] for w in waiting] == ["Student 0", "Student 1", "Student 2"]
    assert set(waiting[0]) == {"id", "display_name", "waiting_since"}
    assert post_json(host_client, f"/api/v1/rooms/{room.code}/lobby/message", {"message": "Two minutes!"}).json() == {
        "count": 3
    }
    assert post_json(host_client, f"/api/v1/rooms/{room.code}/lobby/admit-all").json() == {"count": 3}
    assert host_client.get(f"/api/v1/rooms/{room.code}/lobby").json() == []


def test_reject_with_a_message(host_client: Client, room: Room, live_lecture, waiting_guest) -> None:
    entry = LobbyEntry.objects.get()
    response = post_json(
        host_client, f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/reject", {"message": "Wrong section"}
    )
    assert response.json() == {"id": entry.pk, "status": "rejected"}
    assert LobbyEntry.objects.get().message == "Wrong section"


def test_only_the_rooms_hosts_manage_its_lobby(
    outsider_client: Client, room: Room, live_lecture, waiting_guest
) -> None:
    entry = LobbyEntry.objects.get()
    assert outsider_client.get(f"/api/v1/rooms/{room.code}/lobby").status_code == 403
    assert post_json(outsider_client, f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/admit").status_code == 403
    assert waiting_guest.get(f"/api/v1/rooms/{room.code}/lobby").status_code == 403
    assert post_json(waiting_guest, f"/api/v1/rooms/{room.code}/lobby/admit-all").status_code == 403
    assert Client().get(f"/api/v1/rooms/{room.code}/lobby").status_code == 401
    assert LobbyEntry.objects.get().status == "pending"


def test_unknown_lobby_entry_is_404(host_client: Client, room: Room, live_lecture) -> None:
    assert post_json(host_client, f"/api/v1/rooms/{room.code}/lobby/999999/admit").status_code == 404
