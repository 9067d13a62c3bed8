"""Wrong PINs sent at once spend the budgets as if sent one by one: no more of them reach bcrypt."""

import pytest
from django.test import Client

from core.models import RateLimitHit
from lobby.services import BROWSER_PIN_ATTEMPTS, BROWSER_SHARE_OF_ROOM
from rooms.models import Lecture, Room
from rooms.services import set_room_pin
from tests.lobby.conftest import knock
from tests.parallel import all_at_once

pytestmark = pytest.mark.django_db(transaction=True)

HALL = "10.40.0.1"


def test_twenty_wrong_pins_at_once_from_one_browser_are_five_tries(room: Room, live_lecture: Lecture) -> None:
    set_room_pin(room=room, pin="4242")

    statuses = all_at_once(
        20, lambda n: knock(Client(REMOTE_ADDR=HALL), room, fingerprint="fp-guess-0001", pin=f"{n:04d}").status_code
    )

    assert sorted(statuses) == [403] * BROWSER_PIN_ATTEMPTS + [429] * (20 - BROWSER_PIN_ATTEMPTS)
    assert RateLimitHit.objects.filter(key__startswith="pin-browser:").count() == BROWSER_PIN_ATTEMPTS
    assert RateLimitHit.objects.filter(key=f"pin-room:{room.pk}").count() == BROWSER_SHARE_OF_ROOM
    # the right PIN spends nothing, for a classmate racing the guesser too
    results = all_at_once(
        2,
        lambda n: (
            knock(
                Client(REMOTE_ADDR=HALL), room, name="Alan", fingerprint=f"fp-classmate-{n:02d}", pin="4242"
            ).status_code
        ),
    )
    assert results == [202, 202]
    assert not RateLimitHit.objects.filter(key__contains="fp-classmate").exists()
    assert RateLimitHit.objects.filter(key=f"pin-room:{room.pk}").count() == BROWSER_SHARE_OF_ROOM
