from typing import Any

from django.urls import path

from adminpanel import consumers

websocket_urlpatterns: list[Any] = [
    path("ws/admin/overview/", consumers.OverviewConsumer.as_asgi()),
]
