"""Server-rendered pages: the landing page, and error pages that never show debug output."""

import pytest
from django.test import Client, override_settings

from accounts.models import User
from lectures.models import Lecture
from rooms.services import create_room, open_room

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
