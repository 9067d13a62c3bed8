"""Every websocket route of the project: each app lists its own in routing.py."""

from typing import Any

from adminpanel.routing import websocket_urlpatterns as admin_routes
from lobby.routing import websocket_urlpatterns as lobby_routes
from moderation.routing import websocket_urlpatterns as moderation_routes
from participants.routing import websocket_urlpatterns as participant_routes

websocket_urlpatterns: list[Any] = [*admin_routes, *lobby_routes, *moderation_routes, *participant_routes]
