from django.urls import path

from rooms import views

app_name = "rooms"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rooms/<str:code>/", views.room_detail, name="detail"),
    path("j/<str:code>", views.invite, name="invite"),
    path("livekit/webhook", views.livekit_webhook, name="webhook"),
]
