from django.urls import path

from rooms import views

app_name = "rooms"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rooms/<str:code>/", views.room_detail, name="detail"),
    path("rooms/<str:code>/edit/", views.room_edit, name="edit"),
    path("rooms/<str:code>/delete/", views.room_delete, name="delete"),
    path("bans/<int:ban_id>/lift", views.lift_ban, name="lift_ban"),
    path("j/<str:code>", views.invite, name="invite"),
    path("livekit/webhook", views.livekit_webhook, name="webhook"),
]
