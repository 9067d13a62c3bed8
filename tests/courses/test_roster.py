"""The roster: students added by the host, each e-mailed a personal link that joins as that student."""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from courses.models import RosterEntry, RosterSession
from lectures.life import open_room
from rooms.models import Room
from tests.courses.conftest import post, run_worker

LINK = re.compile(r"https?://\S+/j/(?P<code>[a-z-]+)\?s=(?P<token>[A-Za-z0-9_-]+)")


def _links() -> dict[str, str]:
    """Each recipient's personal token, from the e-mails the worker sent."""
    found = {}
    for message in mail.outbox:
        match = LINK.search(str(message.body))
        assert match, message.body
        found[message.to[0]] = match["token"]
        html = message.alternatives[0][0]  # type: ignore[attr-defined]
        assert match["token"] in str(html)
    return found


@pytest.mark.django_db(transaction=True)
def test_each_student_gets_their_own_link_by_email_and_never_anothers(
    host_client: Client, room: Room, students: list[dict[str, str]]
) -> None:
    response = post(host_client, f"/api/v1/rooms/{room.code}/roster", students)
    assert response.status_code == 200, response.content
    roster = response.json()
    assert [r["name"] for r in roster] == sorted(s["name"] for s in students)
    assert all(isinstance(r["id"], int) for r in roster)
    assert not mail.outbox  # the task worker sends them
    run_worker()
    links = _links()
    assert sorted(links) == sorted(s["email"] for s in students)
    assert len(set(links.values())) == 3
    for entry in RosterEntry.objects.all():
        assert links[entry.email] == entry.invite_token
        others = [m for m in mail.outbox if m.to[0] != entry.email]
        assert all(entry.invite_token not in m.body for m in others)
    listed = host_client.get(f"/api/v1/rooms/{room.code}/roster").content.decode()
    assert all(token not in listed for token in links.values())
    assert all(r["invited_at"] for r in host_client.get(f"/api/v1/rooms/{room.code}/roster").json())

    # Adding again updates by e-mail and mails only the new student
    mail.outbox.clear()
    more = [{"name": "Grace B. Hopper", "email": "GRACE@student.example"}, {"name": "Ada L", "email": "ada@s.example"}]
    roster = post(host_client, f"/api/v1/rooms/{room.code}/roster", more).json()
    assert len(roster) == 4 and "Grace B. Hopper" in [r["name"] for r in roster]
    run_worker()
    assert [m.to[0] for m in mail.outbox] == ["ada@s.example"]


@pytest.mark.parametrize(
    "body",
    [
        [{"name": "X", "email": "not-an-address"}],
        [{"name": "<b>", "email": "a@b.example"}],
        [{"name": "A", "email": "a@b.example"}, {"name": "B", "email": "A@b.example"}],
        {"name": "A", "email": "a@b.example"},
    ],
)
def test_bad_roster_rows_get_a_400(host_client: Client, room: Room, body: Any) -> None:
    response = post(host_client, f"/api/v1/rooms/{room.code}/roster", body)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not RosterEntry.objects.exists()


def test_only_hosts_and_co_hosts_manage_the_roster(
    outsider_client: Client, co_host_client: Client, room: Room, students: list[dict[str, str]]
) -> None:
    assert post(outsider_client, f"/api/v1/rooms/{room.code}/roster", students).status_code == 403
    assert Client().get(f"/api/v1/rooms/{room.code}/roster").status_code == 401
    assert post(co_host_client, f"/api/v1/rooms/{room.code}/roster", students).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_personal_link_joins_as_that_student(
    livekit: None, host_client: Client, room: Room, students: list[dict[str, str]]
) -> None:
    post(host_client, f"/api/v1/rooms/{room.code}/roster", students)
    grace = RosterEntry.objects.get(email="grace@student.example")
    open_room(room=room)
    student = Client()
    response = post(
        student,
        f"/api/v1/rooms/{room.code}/roster/join",
        {"token": grace.invite_token, "fingerprint": "fp-grace-device-1"},
    )
    assert response.status_code == 202, response.content  # the lobby applies to everyone
    assert response.json()["display_name"] == "Grace Hopper"
    session = RosterSession.objects.get(entry=grace)
    assert session.guest is not None and session.guest.display_name == "Grace Hopper"
    assert str(session.guest.session_id) == response.json()["session_id"]
    roster = {r["email"]: r["joined"] for r in host_client.get(f"/api/v1/rooms/{room.code}/roster").json()}
    assert roster["grace@student.example"] and not roster["alan@student.example"]

    wrong = post(Client(), f"/api/v1/rooms/{room.code}/roster/join", {"token": "x" * 43, "fingerprint": "fp-evil-0001"})
    assert wrong.status_code == 404

    # a renewed link revokes the old one
    assert post(host_client, f"/api/v1/rooms/{room.code}/roster/{grace.pk}/renew", {}).status_code == 200
    stale = post(
        Client(),
        f"/api/v1/rooms/{room.code}/roster/join",
        {"token": grace.invite_token, "fingerprint": "fp-grace-device-2"},
    )
    assert stale.status_code == 404


def test_one_click_opt_out(host_client: Client, room: Room, students: list[dict[str, str]]) -> None:
    post(host_client, f"/api/v1/rooms/{room.code}/roster", students)
    alan = RosterEntry.objects.get(email="alan@student.example")
    page = Client().get(f"/courses/opt-out/{alan.opt_out_token}/")
    assert page.status_code == 200
    alan.refresh_from_db()
    assert not alan.email_opt_out  # a link scanner's GET opts nobody out
    done = Client(enforce_csrf_checks=True).post(
        f"/courses/opt-out/{alan.opt_out_token}/", {"List-Unsubscribe": "One-Click"}
    )
    assert done.status_code == 200
    alan.refresh_from_db()
    assert alan.email_opt_out
    assert Client().post("/courses/opt-out/not-a-token/").status_code == 404


def test_a_roster_uploads_as_csv(host_client: Client, room: Room) -> None:
    body = "\ufeffName,Email,Student_ID\nGrace Hopper,grace@student.example,s1\nAlan Turing,alan@student.example,\n"
    response = host_client.post(f"/api/v1/rooms/{room.code}/roster.csv", body.encode(), content_type="text/csv")
    assert response.status_code == 200, response.content
    assert [(r["name"], r["student_id"]) for r in response.json()] == [("Alan Turing", ""), ("Grace Hopper", "s1")]
    bad = host_client.post(
        f"/api/v1/rooms/{room.code}/roster.csv", b"name,email\nX,not-an-address\n", content_type="text/csv"
    )
    assert bad.status_code == 400 and bad.json()["detail"].startswith("line 2: email")
    assert RosterEntry.objects.count() == 2
