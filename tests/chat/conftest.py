"""Chat and files are tested in a live lecture (moderation's fixtures) and on stored rows (the lecture page's)."""

from tests.lectures.conftest import (  # noqa: F401 - fixtures
    admitted_client,
    admitted_guest,
    banned_client,
    cohost,
    cohost_client,
    guest_client,
    live_lecture,
    media_root,
    s3_server,
    s3_storage,
    stored_file,
    waiting_client,
)
from tests.moderation.conftest import host_credentials, lecture  # noqa: F401 - fixtures
