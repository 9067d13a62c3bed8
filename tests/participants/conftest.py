from tests.moderation.conftest import host_credentials, lecture  # noqa: F401 - fixtures
