"""The attacks are played against a live lecture opened by its host (moderation's fixtures)."""

from tests.moderation.conftest import host_credentials, lecture  # noqa: F401 - fixtures
