from django.urls import path

from adminpanel import views

app_name = "adminpanel"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("health.json", views.health_json, name="health"),
    path("rooms/", views.rooms, name="rooms"),
    path("rooms/<str:code>/", views.room_detail, name="room"),
    path("rooms/<str:code>/end/", views.end_lecture, name="end_lecture"),
    path("rooms/<str:code>/participants/<str:identity>/kick/", views.kick, name="kick"),
    path(
        "rooms/<str:code>/participants/<str:identity>/tracks/<str:track_sid>/mute/",
        views.mute_track,
        name="mute_track",
    ),
    path("livekit-rooms/<str:name>/", views.livekit_room_detail, name="livekit_room"),
    path("livekit-rooms/<str:name>/close/", views.close_livekit_room, name="close_livekit_room"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/invite/", views.invite, name="invite"),
    path("accounts/<int:user_id>/", views.update_account, name="update_account"),
    path("accounts/<int:user_id>/password-reset/", views.password_reset, name="password_reset"),
    path("sandbox/", views.sandbox, name="sandbox"),
    path("sandbox/test/", views.sandbox_test, name="sandbox_test"),
    path("settings/", views.site_settings, name="settings"),
    path("ai/", views.ai_settings, name="ai"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("egress/", views.egress, name="egress"),
    path("egress/start", views.egress_start, name="egress_start"),
    path("egress/<str:egress_id>/stop", views.egress_stop, name="egress_stop"),
]
