"""The host's pages and the invite page, under the "rooms" URL namespace they have always had."""

from django.urls import path

from lectures import room_pages
from lobby import views as lobby_views

app_name = "rooms"

urlpatterns = [
    path("", room_pages.dashboard, name="dashboard"),
    path("rooms/<str:code>/", room_pages.room_detail, name="detail"),
    path("rooms/<str:code>/edit/", room_pages.room_edit, name="edit"),
    path("rooms/<str:code>/delete/", room_pages.room_delete, name="delete"),
    path("bans/<int:ban_id>/lift", room_pages.lift_ban, name="lift_ban"),
    path("j/<str:code>", lobby_views.invite, name="invite"),
]
