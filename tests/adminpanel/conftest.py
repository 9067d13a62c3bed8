from tests.moderation.conftest import host_credentials, lecture

__all__ = ["host_credentials", "lecture"]
