from typing import Any

from django.urls import path

from participants import consumers

websocket_urlpatterns: list[Any] = [
    path("ws/rooms/<str:code>/live/", consumers.LiveLectureConsumer.as_asgi()),
]
