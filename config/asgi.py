"""ASGI entry point: HTTP through Django (LiveKit's webhook just ahead of it), websockets through Channels' routers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from webhooks.asgi import WebhookFastPath  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": WebhookFastPath(django_asgi_app),  # LiveKit's webhook ahead of Django's middleware
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
