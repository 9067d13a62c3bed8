"""Every websocket route of the project, one list per app."""

from typing import Any

websocket_urlpatterns: list[Any] = []
