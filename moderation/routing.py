from typing import Any

from django.urls import path

from moderation import consumers

websocket_urlpatterns: list[Any] = [
    path("ws/rooms/<str:code>/host/", consumers.HostRoomConsumer.as_asgi()),
]
