"""The reads moderation's pages, sockets and API need."""

from typing import Any

from moderation.models import HandRaise
from rooms.models import Lecture


def raised_hands(*, lecture: Lecture) -> list[HandRaise]:
    """The hand queue, oldest first."""
    return list(HandRaise.objects.filter(lecture=lecture, lowered_at__isnull=True).select_related("guest"))


def hands_payload(*, lecture: Lecture) -> list[dict[str, Any]]:
    return [
        {
            "identity": hand.identity,
            "display_name": hand.guest.display_name,
            "raised_at": hand.raised_at.isoformat(),
        }
        for hand in raised_hands(lecture=lecture)
    ]
