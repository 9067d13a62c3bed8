"""Server-rendered pages: the landing page, and error pages that never show debug output."""

import pytest
from django.test import Client, override_settings

from accounts.models import User
from lectures.life import open_room
from rooms.models import Lecture
from rooms.services import create_room

pytestmark = pytest.mark.django_db

DEBUG_MARKERS = ("Traceback", "URLconf", "Page not found at", "Using the URLconf", "DEBUG = True")


def test_landing_page_says_what_lectern_is_and_links_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lectern" in page and "/accounts/login/" in page and "/accounts/signup/" in page
    assert "Your rooms" not in page


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_invite_code_is_a_styled_404_even_with_debug_on(client: Client, debug: bool) -> None:
    with override_settings(DEBUG=debug):
        response = client.get("/j/zzz-zzzz-zzz")
    assert response.status_code == 404
    page = response.content.decode()
    assert "No lecture room has this invite link" in page
    assert not any(marker in page for marker in DEBUG_MARKERS)
    assert "/accounts/login/" not in page or "Log in" in page  # the normal site header, not a debug page


@pytest.mark.parametrize("debug", [False, True])
def test_a_lecture_page_an_outsider_may_not_see_is_a_styled_404(client: Client, debug: bool) -> None:
    host = User.objects.create_user("prof@uni.example", "x-Long-passphrase-1")
    outsider = User.objects.create_user("other@uni.example", "x-Long-passphrase-1")
    room = create_room(host=host, title="CS 101")
    lecture: Lecture = open_room(room=room)
    client.force_login(outsider)
    with override_settings(DEBUG=debug):
        response = client.get(f"/lectures/{lecture.pk}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "not shared with you" in page
    assert not any(marker in page for marker in DEBUG_MARKERS)


def test_the_join_page_shows_the_title_once_and_no_account_links(client: Client) -> None:
    host = User.objects.create_user("prof@uni.example", "x-Long-passphrase-1")
    room = create_room(host=host, title="Graph theory")
    page = client.get(f"/j/{room.code}").content.decode()
    assert page.count("<h1") == 1
    assert "/accounts/login/" not in page and "/accounts/signup/" not in page


def test_the_host_edits_a_rooms_title_settings_and_pin(client: Client) -> None:
    from rooms.models import Room

    host = User.objects.create_user("prof@uni.example", "x-Long-passphrase-1")
    room = create_room(host=host, title="CS 101", pin="1234")
    client.force_login(host)
    page = client.get(f"/rooms/{room.code}/edit/").content.decode()
    assert 'value="CS 101"' in page and '<code id="pin-' in page and ">1234</code>" in page
    response = client.post(f"/rooms/{room.code}/edit/", {"title": "CS 102", "new_pin": "987654", "lobby": "on"})
    assert response.status_code == 302
    room = Room.objects.get(pk=room.pk)
    assert room.title == "CS 102" and room.lobby and not room.webinar and not room.ai_assistant
    from rooms.services import check_pin

    assert check_pin(room=room, pin="987654") and not check_pin(room=room, pin="1234")
    client.post(f"/rooms/{room.code}/edit/", {"title": "CS 102", "remove_pin": "on"})
    assert not Room.objects.get(pk=room.pk).requires_pin
    assert client.post(f"/rooms/{room.code}/edit/", {"title": "", "new_pin": "12"}).status_code == 400


def test_the_host_deletes_a_room_after_a_confirmation_page(client: Client) -> None:
    from rooms.models import Room

    host = User.objects.create_user("prof@uni.example", "x-Long-passphrase-1")
    room = create_room(host=host, title="Old course")
    client.force_login(host)
    assert "cannot be undone" in client.get(f"/rooms/{room.code}/delete/").content.decode()
    assert Room.objects.filter(pk=room.pk).exists()
    assert client.post(f"/rooms/{room.code}/delete/").status_code == 302
    assert not Room.objects.filter(pk=room.pk).exists()
    assert client.get(f"/j/{room.code}").status_code == 404
