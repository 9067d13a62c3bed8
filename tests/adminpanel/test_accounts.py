"""Accounts: names, search, pagination, deactivation, password links, invitations, the last admin."""

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from lectures.life import open_room
from rooms.models import Room

pytestmark = pytest.mark.django_db


def test_accounts_list_names_roles_and_rooms_count(admin_client: Client, room: Room) -> None:
    page = admin_client.get("/admin/accounts/").content.decode()
    assert "Ada Prof" in page and "prof@uni.example" in page and "never" in page
    assert admin_client.get("/admin/accounts/?q=ada").content.decode().count("prof@uni.example") >= 1
    assert "Role of admin@uni.example" not in admin_client.get("/admin/accounts/?q=ada").content.decode()


def test_accounts_are_paginated(admin_client: Client, admin: User) -> None:
    User.objects.bulk_create([User(email=f"host{i:03}@uni.example") for i in range(60)])
    first = admin_client.get("/admin/accounts/").content.decode()
    assert "Page 1 of 2" in first and "host048@uni.example" in first and "host049@uni.example" not in first
    assert "host049@uni.example" in admin_client.get("/admin/accounts/?page=2").content.decode()


def test_search_with_control_characters_is_refused(admin_client: Client) -> None:
    assert admin_client.get("/admin/accounts/?q=a%00b").status_code == 400


def test_deactivating_a_host_ends_their_live_lecture_and_records_the_ip(
    admin_client: Client, host: User, room: Room, host_client: Client, livekit: None
) -> None:
    open_room(room=room)
    response = admin_client.post(f"/admin/accounts/{host.pk}/", {"role": "HOST"}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    room.refresh_from_db()
    assert not room.is_live
    event = AuditEvent.objects.get(action="account.update")
    assert event.ip_address == "192.0.2.7" and event.detail == {"is_active": [True, False]}
    # no session any more: no token either
    assert host_client.post(f"/api/v1/rooms/{room.code}/token").status_code == 401


def test_the_last_admin_cannot_deactivate_themself(admin_client: Client, admin: User) -> None:
    admin_client.post(f"/admin/accounts/{admin.pk}/", {"role": "ADMIN"})
    admin.refresh_from_db()
    assert admin.is_active


def test_admin_sends_a_password_link(admin_client: Client, host: User, mailoutbox: Any) -> None:
    assert admin_client.post(f"/admin/accounts/{host.pk}/password-reset/").status_code == 302
    assert mailoutbox[0].to == [host.email] and "/accounts/password/reset/key/" in mailoutbox[0].body
    assert AuditEvent.objects.filter(action="account.password_reset", target=host.email).exists()


def test_admin_invites_a_host_who_chooses_a_password(
    admin_client: Client, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/accounts/invite/", {"email": "new@uni.example", "first_name": "Grace", "last_name": "Hopper"}
        )
    assert response.status_code == 302
    user = User.objects.get(email="new@uni.example")
    assert user.role == "HOST" and not user.has_usable_password()
    assert "Grace" not in mailoutbox[0].to[0] and "/accounts/password/reset/key/" in mailoutbox[0].body
    assert AuditEvent.objects.filter(action="account.invite", target="new@uni.example").exists()
    again = admin_client.post("/admin/accounts/invite/", {"email": "new@uni.example"})
    assert again.status_code == 400 and "exists already" in again.content.decode()
    assert (
        admin_client.post("/admin/accounts/invite/", {"email": "x@uni.example", "first_name": "<b>"}).status_code == 400
    )
