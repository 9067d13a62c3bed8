from typing import Any

from django.urls import path

from lobby import consumers

websocket_urlpatterns: list[Any] = [
    path("ws/lobby/<str:code>/", consumers.GuestLobbyConsumer.as_asgi()),
]
