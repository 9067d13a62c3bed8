"""Authorization is a table: every URL and websocket route × every role → the expected status.

`test_every_route_has_a_row` fails when a route is added without its row here.
Roles: anonymous, outsider (another host), admin, host, co-host (an account), student (admitted),
waiting (in the lobby), banned, other (a student of another room).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import User
from chat.models import ChatMessage, SharedFile
from config.api import api
from config.asgi import application
from config.routing import websocket_urlpatterns
from courses.models import Poll, RosterEntry, ScheduledLecture
from courses.services import course_settings, host_calendar
from lectures.life import open_room
from lobby.models import LobbyEntry
from participants.identities import current_identity
from participants.models import BannedEntry, CoHost, GuestSession, ParticipantHistory
from rooms.models import Room
from rooms.services import create_room
from tests.lobby.test_consumers import ORIGIN, cookie_header

ROLES = ("anonymous", "outsider", "admin", "host", "cohost", "student", "waiting", "banned", "other")

# Shorthands for rows: who gets what.
LOGGED_IN = ("outsider", "admin", "host", "cohost")
GUESTS = ("student", "waiting", "banned", "other")


def row(default: int | str, **by_role: int | str) -> dict[str, int | str]:
    statuses = {role: default for role in ROLES}
    statuses.update(by_role)
    return statuses


def moderators(ok: int = 200) -> dict[str, int | str]:
    """Hosts and co-hosts; guests of the room and other accounts 403; strangers 401."""
    return row(403, host=ok, cohost=ok, anonymous=401, other=401)


def accounts_only(ok: int) -> dict[str, int | str]:
    return row(401, **dict.fromkeys(LOGGED_IN, ok))


def lecturers(ok: int = 200) -> dict[str, int | str]:
    """A lecture's host and admins; everyone else 404 (students only when the host allows it)."""
    return row(404, host=ok, admin=ok)


def login_first(ok: int) -> dict[str, int | str]:
    return row(302, **dict.fromkeys(LOGGED_IN, ok))


def admins_get(ok: int = 200) -> dict[str, int | str]:
    """The admin dashboard: admins only; other accounts 403, everyone else to the login page."""
    return row(302, admin=ok, outsider=403, host=403, cohost=403)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # template with {code}, {identity}, {entry_id}, {ban_id}
    statuses: dict[str, int | str]
    body: Any = field(default=None)
    query: str = ""


API = "/api/v1"
# a lecture start the schedule accepts (within two years), to the minute as the course page sends it
SOON = (timezone.now() + timedelta(days=30)).replace(second=0, microsecond=0)
ROUTES = [
    # rooms
    Route("POST", f"{API}/rooms", accounts_only(201), {"title": "Matrix"}),
    Route("GET", f"{API}/rooms", accounts_only(200)),
    Route("GET", f"{API}/rooms/{{code}}", row(403, host=200, cohost=200, anonymous=401, **dict.fromkeys(GUESTS, 401))),
    Route(
        "PATCH",
        f"{API}/rooms/{{code}}",
        row(403, host=200, anonymous=401, **dict.fromkeys(GUESTS, 401)),
        {"student_chat": False},
    ),
    Route("GET", f"{API}/rooms/{{code}}/public", row(200)),
    Route(
        "POST",
        f"{API}/rooms/{{code}}/token",
        row(403, host=200, cohost=200, anonymous=401, **dict.fromkeys(GUESTS, 401)),
    ),
    Route("POST", f"{API}/rooms/{{code}}/end", row(403, host=200, anonymous=401, **dict.fromkeys(GUESTS, 401))),
    Route(
        "GET",
        f"{API}/rooms/{{code}}/chat",
        row(403, host=200, cohost=200, admin=200, student=200, anonymous=401, other=401),
    ),
    Route(
        "POST",
        f"{API}/rooms/{{code}}/chat",
        row(403, host=201, cohost=201, student=201, anonymous=401, other=401),
        {"text": "hello"},
    ),
    # the co-host removes the message first, so the host finds it gone
    Route("DELETE", f"{API}/rooms/{{code}}/chat/{{message_id}}", {**moderators(204), "host": 404}),
    # joining and the lobby
    Route(
        "POST",
        f"{API}/rooms/{{code}}/join",
        row(202, student=200, banned=403),
        {"display_name": "Someone", "fingerprint": "{fingerprint}"},
    ),
    Route("POST", f"{API}/rooms/{{code}}/rejoin", row(403, student=200)),
    Route("GET", f"{API}/rooms/{{code}}/lobby", moderators()),
    Route("POST", f"{API}/rooms/{{code}}/lobby/admit-all", moderators()),
    Route("POST", f"{API}/rooms/{{code}}/lobby/message", moderators(), {"message": "Soon"}),
    Route("POST", f"{API}/rooms/{{code}}/lobby/{{entry_id}}/admit", moderators()),
    Route("POST", f"{API}/rooms/{{code}}/lobby/{{entry_id}}/reject", moderators(), {"message": "No"}),
    Route("POST", f"{API}/rooms/{{code}}/pin-pause/lift", moderators()),
    # moderation
    Route("POST", f"{API}/rooms/{{code}}/participants/{{identity}}/kick", moderators(), {"ban": False}),
    Route("POST", f"{API}/rooms/{{code}}/mute-all", moderators(), {"lock": False}),
    Route("POST", f"{API}/rooms/{{code}}/mute-mics", moderators()),
    Route("POST", f"{API}/rooms/{{code}}/lock", moderators(), {"locked": True}),
    Route("POST", f"{API}/rooms/{{code}}/participants/{{identity}}/speak", moderators(), {"allow": True}),
    Route(
        "POST",
        f"{API}/rooms/{{code}}/participants/{{identity}}/cohost",
        {**moderators(), "cohost": 403},
        {"allow": True},
    ),
    Route("POST", f"{API}/rooms/{{code}}/participants/{{identity}}/lower-hand", moderators()),
    Route("GET", f"{API}/rooms/{{code}}/hands", moderators()),
    Route("POST", f"{API}/rooms/{{code}}/hand", row(403, student=200, anonymous=401, other=401), {"raised": True}),
    Route("GET", f"{API}/bans", accounts_only(200)),
    Route("POST", f"{API}/bans/{{ban_id}}/lift", row(401, host=200, cohost=404, outsider=404, admin=404)),
    # files and lectures
    Route(
        "GET",
        f"{API}/rooms/{{code}}/files",
        row(403, host=200, cohost=200, admin=200, student=200, anonymous=401, other=401),
    ),
    Route(
        "POST",
        f"{API}/rooms/{{code}}/files",
        row(403, host=201, cohost=201, anonymous=401, other=401),
        {"name": "notes.pdf", "size": 10, "content_type": "application/pdf"},
    ),
    Route("GET", f"{API}/lectures", lecturers(), query="?room={code}"),
    Route("GET", f"{API}/lectures/{{lecture_id}}", lecturers()),
    Route("GET", f"{API}/lectures/{{lecture_id}}/transcript", lecturers()),
    Route("GET", "/lectures/", login_first(200)),
    Route("GET", "/lectures/{lecture_id}/", lecturers()),
    Route("GET", "/lectures/{lecture_id}/export.pdf", lecturers()),
    Route("GET", "/lectures/{lecture_id}/transcript.vtt", lecturers()),
    Route("GET", "/lectures/{lecture_id}/transcript.txt", lecturers()),
    Route("GET", "/lectures/{lecture_id}/attendance.csv", lecturers()),
    Route("GET", "/lectures/{lecture_id}/engagement.csv", lecturers()),
    Route("POST", "/lectures/{lecture_id}/access", lecturers(302), "form:allowed=on"),
    Route("POST", "/lectures/{lecture_id}/summary/regenerate", lecturers(302)),
    Route("POST", "/lectures/{lecture_id}/drive", lecturers(302)),
    Route("POST", "/lectures/{lecture_id}/chat/{message_id}/remove", row(404, admin=403, host=302)),
    Route("GET", "/lectures/files/{file_id}/", row(404, host=200, cohost=200, admin=200, student=200)),
    Route("PUT", "/lectures/uploads/{token}/", row(403)),
    Route("GET", "/lectures/drive/connect/", row(302)),
    Route("GET", "/lectures/drive/callback/", login_first(400)),
    Route("POST", "/lectures/drive/disconnect/", row(302)),
    # the course: schedule, calendar, roster, reminders, attendance
    Route(
        "POST",
        f"{API}/rooms/{{code}}/schedule",
        moderators(201),
        {"starts_at": SOON.isoformat(), "duration_minutes": 60},
    ),
    Route("GET", f"{API}/rooms/{{code}}/schedule", moderators()),
    Route("PATCH", f"{API}/rooms/{{code}}/schedule/{{scheduled_id}}", moderators(), {"title": "Moved"}),
    # the co-host cancels first, so the host finds it cancelled already
    Route("POST", f"{API}/lectures/{{scheduled_id}}/cancel", {**moderators(), "host": 409}, {"reason": "Ill"}),
    Route("GET", f"{API}/rooms/{{code}}/calendar", moderators()),
    Route("POST", f"{API}/rooms/{{code}}/calendar/revoke", moderators()),
    Route("GET", f"{API}/rooms/{{code}}/course", moderators()),
    Route("PATCH", f"{API}/rooms/{{code}}/course", moderators(), {"late_minutes": 10}),
    Route("POST", f"{API}/rooms/{{code}}/roster", moderators(), [{"name": "Matrix Student", "email": "m@s.example"}]),
    Route("GET", f"{API}/rooms/{{code}}/roster", moderators()),
    Route("POST", f"{API}/rooms/{{code}}/roster.csv", moderators(), "csv:name,email\nCsv Student,c@s.example\n"),
    Route("POST", f"{API}/rooms/{{code}}/roster/{{roster_id}}/renew", moderators()),
    Route("GET", f"{API}/rooms/{{code}}/reminders", moderators()),
    Route(
        "POST",
        f"{API}/rooms/{{code}}/roster/join",
        row(202, student=200, banned=403),
        {"token": "{roster_token}", "fingerprint": "{fingerprint}"},
    ),
    Route("GET", f"{API}/lectures/{{lecture_id}}/attendance", row(404, host=200, cohost=200, admin=200)),
    # the scene's student joined by the plain link, and the room does not show students their attendance
    Route("GET", f"{API}/lectures/{{lecture_id}}/attendance/me", row(404)),
    Route(
        "GET",
        f"{API}/rooms/{{code}}/attendance.csv",
        row(404, host=200, cohost=200, admin=200, anonymous=401, other=401),
    ),
    # in-room interaction
    Route("POST", f"{API}/rooms/{{code}}/polls", moderators(201), {"question": "Ready?", "options": ["yes", "no"]}),
    Route(
        "GET",
        f"{API}/rooms/{{code}}/polls",
        row(403, host=200, cohost=200, admin=200, student=200, anonymous=401, other=401),
    ),
    Route(
        "GET",
        f"{API}/rooms/{{code}}/polls/{{poll_id}}",
        row(403, host=200, cohost=200, admin=200, anonymous=401, other=401),
    ),
    Route(
        "POST",
        f"{API}/rooms/{{code}}/polls/{{poll_id}}/vote",
        row(403, student=200, anonymous=401, other=401),
        {"choices": [0]},
    ),
    Route("POST", f"{API}/rooms/{{code}}/polls/{{poll_id}}/close", moderators()),
    Route("POST", f"{API}/rooms/{{code}}/polls/{{poll_id}}/results", moderators(), {"shown": True}),
    Route(
        "POST",
        f"{API}/rooms/{{code}}/reactions",
        row(403, host=202, cohost=202, student=202, anonymous=401, other=401),
        {"kind": "clap"},
    ),
    Route("GET", f"{API}/calendar", accounts_only(200)),
    Route("POST", f"{API}/calendar/revoke", accounts_only(200)),
    Route("GET", "/calendar/hosts/{host_token}.ics", row(200)),
    Route("GET", "/calendar/{feed_token}.ics", row(200)),
    Route("GET", "/calendar/{feed_token}/{event_uid}.ics", row(200)),
    Route("GET", "/courses/opt-out/{opt_out_token}/", row(200)),
    Route("GET", "/courses/{code}/", row(302, host=200, cohost=200, outsider=403, admin=403)),
    Route(
        "POST",
        "/courses/{code}/lectures/{scheduled_id}/edit",
        row(302, outsider=403, admin=403),
        f"form:starts_at={SOON:%Y-%m-%dT%H:%M}&duration_minutes=60",
    ),
    Route(
        "POST", "/courses/{code}/lectures/{scheduled_id}/cancel", row(302, outsider=403, admin=403), "form:reason=Ill"
    ),
    # recordings (the scene's recording is ready, "hosts only")
    Route("POST", f"{API}/rooms/{{code}}/recording", moderators(409), {"action": "stop"}),
    Route(
        "GET",
        f"{API}/rooms/{{code}}/recording",
        row(403, host=200, cohost=200, admin=200, student=200, anonymous=401, other=401),
    ),
    Route("GET", f"{API}/rooms/{{code}}/recording-settings", moderators()),
    Route("PATCH", f"{API}/rooms/{{code}}/recording-settings", moderators(), {"auto_record": False}),
    Route("GET", f"{API}/recordings", row(200), query="?room={code}"),
    Route("GET", f"{API}/recordings/{{recording_id}}", row(404, host=200, cohost=200, admin=200)),
    Route(
        "PATCH", f"{API}/recordings/{{recording_id}}", row(404, host=200, cohost=200, admin=200), {"access": "hosts"}
    ),
    # the admin deletes it first (roles run least privileged first): then it is gone for co-host and host
    Route("DELETE", f"{API}/recordings/{{recording_id}}", row(404, admin=204)),
    Route("GET", "/recordings/layout/", row(200)),
    Route("GET", "/recordings/download/{token}/", row(404)),
    # pages
    Route("GET", "/", row(200)),  # the landing page, or the dashboard when signed in
    Route("GET", "/accounts/profile/", login_first(200)),
    Route("POST", "/accounts/profile/", row(302), "form:name=Ada"),
    Route("GET", "/rooms/{code}/", row(302, host=200, cohost=200, outsider=403, admin=403)),
    Route("GET", "/rooms/{code}/edit/", row(302, host=200, cohost=403, outsider=403, admin=403)),
    Route("POST", "/rooms/{code}/edit/", row(302, cohost=403, outsider=403, admin=403), "form:title=Renamed"),
    Route("GET", "/rooms/{code}/delete/", row(302, host=200, cohost=403, outsider=403, admin=403)),
    Route("POST", "/rooms/{code}/delete/", row(302, cohost=403, outsider=403, admin=403)),
    Route("GET", "/j/{code}", row(200)),
    Route("POST", "/bans/{ban_id}/lift", row(302, outsider=404, admin=404, cohost=404)),
    Route("GET", "/healthz", row(200)),
    Route("GET", "/livez", row(200)),
    Route("POST", "/livekit/webhook", row(401), {"event": "room_finished"}),
    Route("GET", "/django-admin/", row(302, admin=200)),
    # the admin dashboard
    Route("GET", "/admin/", row(302, admin=200, outsider=403, host=403, cohost=403)),
    Route("GET", "/admin/accounts/", row(302, admin=200, outsider=403, host=403, cohost=403)),
    Route(
        "POST",
        "/admin/accounts/{user_id}/",
        row(302, outsider=403, host=403, cohost=403),
        "form:role=HOST&is_active=on",
    ),
    Route("POST", "/admin/accounts/{user_id}/password-reset/", admins_get(302)),
    Route("POST", "/admin/accounts/invite/", admins_get(302), "form:email=invited%40uni.example"),
    Route("GET", "/admin/health.json", admins_get()),
    Route("GET", "/admin/settings/", admins_get()),
    Route("POST", "/admin/settings/", admins_get(302), "form:retention_days=30"),
    Route("GET", "/admin/sandbox/", admins_get()),
    Route(
        "POST",
        "/admin/sandbox/",
        admins_get(),
        "form:room=matrix-sandbox&identity=sandbox-1&name=Tester&ttl_seconds=60&can_subscribe=on",
    ),
    Route("GET", "/admin/sandbox/test/", admins_get()),
    Route("GET", "/admin/rooms/", admins_get()),
    Route("GET", "/admin/rooms/{code}/", admins_get()),
    Route("POST", "/admin/rooms/{code}/end/", admins_get(302)),
    Route("POST", "/admin/rooms/{code}/participants/{identity}/kick/", admins_get(302)),
    Route("POST", "/admin/rooms/{code}/participants/{identity}/tracks/{track_sid}/mute/", admins_get(302)),
    Route("GET", "/admin/livekit-rooms/{name}/", admins_get(302)),
    Route("POST", "/admin/livekit-rooms/{name}/close/", admins_get(302)),
    Route("GET", "/admin/ai/", row(302, admin=200, outsider=403, host=403, cohost=403)),
    Route("GET", "/admin/audit/", row(302, admin=200, outsider=403, host=403, cohost=403)),
    Route("GET", "/admin/audit/export.csv", admins_get()),
    Route("GET", "/admin/egress/", row(302, admin=200, outsider=403, host=403, cohost=403)),
    Route("POST", "/admin/egress/start", row(302, admin=404, outsider=403, host=403, cohost=403), "form:room=none"),
    Route("POST", "/admin/egress/{egress_id}/stop", row(302, outsider=403, host=403, cohost=403)),
    # websockets
    Route("WS", "/ws/admin/overview/", row("reject", admin="accept")),
    Route("WS", "/ws/lobby/{code}/", row("reject", student="accept", waiting="accept", banned="accept")),
    Route("WS", "/ws/rooms/{code}/host/", row("reject", host="accept", cohost="accept")),
    Route(
        "WS", "/ws/rooms/{code}/live/", row("reject", host="accept", cohost="accept", admin="accept", student="accept")
    ),
]

# Routes of third-party apps, covered by their own tests: allauth's account pages.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/")


@dataclass
class Scene:
    room: Room
    clients: dict[str, Client]
    fingerprints: dict[str, str]
    params: dict[str, str]


def _knock(client: Client, room: Room, name: str, fingerprint: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/rooms/{room.code}/join",
        json.dumps({"display_name": name, "fingerprint": fingerprint}),
        content_type="application/json",
        REMOTE_ADDR=f"10.8.{len(name)}.{len(fingerprint)}",
    )
    assert response.status_code in (200, 202), response.content
    return response.json()


@pytest.fixture
def scene(livekit: None, db: Any, settings: Any, tmp_path: Any) -> Scene:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    host = User.objects.create_user("host@uni.example", "pw-host-123456")
    cohost = User.objects.create_user("ta@uni.example", "pw-ta-1234567")
    outsider = User.objects.create_user("other@uni.example", "pw-other-12345")
    admin = User.objects.create_user(
        "admin@uni.example", "pw-admin-12345", role=User.Role.ADMIN, is_staff=True, is_superuser=True
    )
    room = create_room(host=host, title="Matrix room")
    lecture = open_room(room=room)
    CoHost.objects.create(room=room, user=cohost, granted_by=host)
    other_room = create_room(host=outsider, title="Other room", lobby=False)
    open_room(room=other_room)

    clients = {"anonymous": Client()}
    for role, user in (("host", host), ("cohost", cohost), ("outsider", outsider), ("admin", admin)):
        clients[role] = Client()
        clients[role].force_login(user)
    fingerprints = {role: f"fp-{role}-matrix" for role in ROLES}
    from lobby.services import admit_all
    from participants.access import Actor

    for role in ("student", "banned"):
        clients[role] = Client()
        _knock(clients[role], room, role.title(), fingerprints[role])
    admit_all(room=room, by=Actor(user=host, role="host"))
    for role in ("student", "banned"):  # each takes a token, so it has a LiveKit identity
        assert (
            clients[role].post(f"/api/v1/rooms/{room.code}/rejoin", "{}", content_type="application/json").status_code
            == 200
        )
    banned_guest = ParticipantHistory.objects.get(guest__fingerprint=fingerprints["banned"]).guest
    ban = BannedEntry.objects.create(
        host=host, room=room, fingerprint=banned_guest.fingerprint, session_id=banned_guest.session_id
    )
    clients["waiting"] = Client()
    _knock(clients["waiting"], room, "Waiting", fingerprints["waiting"])
    clients["other"] = Client()
    _knock(clients["other"], other_room, "Olga Other", fingerprints["other"])

    student_identity = current_identity(GuestSession.objects.get(fingerprint=fingerprints["student"]))
    entry = LobbyEntry.objects.get(lecture=lecture, status="pending")
    params = {
        "code": room.code,
        "identity": student_identity,
        "entry_id": str(entry.pk),
        "ban_id": str(ban.pk),
        "user_id": str(outsider.pk),
        "lecture_id": str(lecture.pk),
        "file_id": str(_shared_file(lecture).pk),
        "message_id": str(
            ChatMessage.objects.create(lecture=lecture, sender_identity="s", sender_name="Sam", text="rude").pk
        ),
        "recording_id": str(_recording(lecture).pk),
        "egress_id": "EG_notrunning",
        "token": "not-a-valid-token",
        "name": lecture.livekit_room,
        "track_sid": "TR_notatrack",
        **_course(room),
    }
    return Scene(room=room, clients=clients, fingerprints=fingerprints, params=params)


def _course(room: Room) -> dict[str, str]:
    """A scheduled lecture, a roster student and the calendar secret of the scene's room."""
    scheduled = ScheduledLecture.objects.create(
        room=room, starts_at=timezone.now() + timedelta(days=2), ends_at=timezone.now() + timedelta(days=2, hours=1)
    )
    entry = RosterEntry.objects.create(room=room, name="Rosa Roster", email="rosa@s.example")
    poll = Poll.objects.create(
        lecture=room.current_lecture(), question="Clear?", options=["yes", "no"], created_by="host@uni.example"
    )
    return {
        "poll_id": str(poll.pk),
        "scheduled_id": str(scheduled.pk),
        "roster_id": str(entry.pk),
        "roster_token": entry.invite_token,
        "opt_out_token": entry.opt_out_token,
        "feed_token": course_settings(room=room).calendar_token,
        "host_token": host_calendar(user=room.host).token,
        "event_uid": str(scheduled.uid),
    }


def _shared_file(lecture: Any) -> SharedFile:
    key = f"lectures/{lecture.pk}/files/matrix0123456789"
    storages["default"].save(key, ContentFile(b"%PDF-1.4 slides"))
    return SharedFile.objects.create(
        lecture=lecture,
        uploader_identity="host-1",
        uploader_name="Host",
        name="slides.pdf",
        size=15,
        content_type="application/pdf",
        storage_key=key,
        uploaded=True,
    )


def _recording(lecture: Any) -> Any:
    from recordings.models import Recording

    key = f"recordings/{lecture.pk}/matrix0123456789.mp4"
    storages["default"].save(key, ContentFile(b"\0\0\0\x18ftypmp42"))
    return Recording.objects.create(
        room=lecture.room, lecture=lecture, status="ready", access="hosts", storage_key=key, duration=1.0, size=12
    )


def _request(scene: Scene, role: str, route: Route) -> int | str:
    path = (route.path + route.query).format(**scene.params)
    client = scene.clients[role]
    if route.method == "WS":
        return _websocket(client, path)
    if isinstance(route.body, str) and route.body.startswith("csv:"):
        return client.generic(route.method, path, route.body[4:], content_type="text/csv").status_code
    if isinstance(route.body, str) and route.body.startswith("form:"):
        return client.generic(
            route.method, path, route.body[5:], content_type="application/x-www-form-urlencoded"
        ).status_code
    body = (
        json.dumps(route.body)
        .replace("{fingerprint}", scene.fingerprints[role])
        .replace("{roster_token}", scene.params["roster_token"])
        if route.body is not None
        else "{}"
    )
    if route.method == "GET":
        return client.get(path).status_code
    if route.path == "/livekit/webhook":
        return client.post(path, body, content_type="application/webhook+json").status_code
    return client.generic(route.method, path, body, content_type="application/json").status_code


def _websocket(client: Client, path: str) -> str:
    async def attempt() -> str:
        communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, cookie_header(client)])
        connected, _ = await communicator.connect(timeout=5)
        if connected:
            await communicator.disconnect()
        return "accept" if connected else "reject"

    return async_to_sync(attempt)()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_route_answers_each_role_as_expected(scene: Scene, route: Route) -> None:
    # One fresh scene per route; within it, roles run from least to most privileged so that a
    # state change by one (a kick, an ended lecture) cannot hide another role's refusal.
    order = ("anonymous", "other", "outsider", "admin", "waiting", "banned", "student", "cohost", "host")
    got = {role: _request(scene, role, route) for role in order}
    assert got == {role: route.statuses[role] for role in order}


def _django_routes() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            piece = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, piece)
            elif isinstance(pattern, URLPattern):
                found.add(("ANY", "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", piece)))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_route_has_a_row() -> None:
    covered = {(r.method, r.path) for r in ROUTES}
    covered_paths = {path for _, path in covered}
    missing = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            if (method.upper(), path) not in covered:
                missing.append(f"{method.upper()} {path}")
    for _, path in _django_routes():
        if path.startswith(API) or path.startswith(EXEMPT_PREFIXES):
            continue
        if path.startswith("/django-admin/"):
            path = "/django-admin/" if "/django-admin/" in covered_paths else path
        if path not in covered_paths:
            missing.append(path)
    for pattern in websocket_urlpatterns:
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        if ("WS", path) not in covered:
            missing.append(f"WS {path}")
    assert not missing, f"routes without a row in the authorization matrix: {sorted(set(missing))}"
