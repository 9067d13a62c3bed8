"""The admins' overview group: every open overview page. The only group_send in adminpanel."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

OVERVIEW_GROUP = "admin.overview"


def notify_overview_changed() -> None:
    """Something the overview counts changed (a lecture opened or ended, a recording started):
    every open overview sends a fresh snapshot now instead of at its next tick."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(OVERVIEW_GROUP, {"type": "overview.changed"})
