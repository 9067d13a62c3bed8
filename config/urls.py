from django.contrib import admin
from django.urls import include, path

from config.api import api
from config.health import healthz, livez
from webhooks.views import livekit_webhook

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("api/v1/", api.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    path("lectures/", include("lectures.urls")),
    path("recordings/", include("recordings.urls")),
    path("admin/", include("adminpanel.urls")),
    path("livekit/webhook", livekit_webhook, name="livekit_webhook"),
    path("", include("lectures.room_urls")),
]
