"""The room PIN at rest: a bcrypt hash that knocks are checked against, and a sealed copy (Fernet,
keyed from SECRET_KEY) so that the room's hosts can read and copy it again, as in Zoom or Meet.

Students never get it: only the host pages and the host API call `readable_pin`. A sealed copy that no
longer opens (SECRET_KEY changed) or is missing (a PIN set before copies were kept) reads as None:
the host sees "set — change it to see it" and the PIN still works, by its hash.
"""

import base64

import bcrypt
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from rooms.models import Room


def _box() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"lectern room pin").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def hash_pin(pin: str) -> str:
    return bcrypt.hashpw(pin.encode(), bcrypt.gensalt()).decode()


def seal_pin(pin: str) -> str:
    """The PIN encrypted for storage (readable again with this site's SECRET_KEY only)."""
    return _box().encrypt(pin.encode()).decode()


def readable_pin(room: Room) -> str | None:
    """The room's PIN in clear for its hosts; None without a PIN or without a copy that opens."""
    if not room.pin_hash or not room.pin_sealed:
        return None
    try:
        return _box().decrypt(room.pin_sealed.encode()).decode()
    except InvalidToken:
        return None
