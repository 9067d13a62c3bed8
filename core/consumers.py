"""The base of every websocket consumer: JSON objects only, a ping answered, a group left on close."""

import json
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

CLOSE_FORBIDDEN = 4403
CLOSE_SERVICE_RESTART = 1012  # the page reconnects (frontend/src/lib/socket.js) and is told the state again


class JsonConsumer(AsyncJsonWebsocketConsumer):
    """Answers malformed frames with an error message instead of dropping the connection."""

    group: str | None = None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": "Messages must be JSON objects."})
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "detail": "Unknown message type."})

    async def join_group(self, group: str) -> None:
        self.group = group
        await self.channel_layer.group_add(group, self.channel_name)

    async def layer_lost(self, event: dict[str, Any]) -> None:
        """Redis went away (config/channel_layers.py): this socket's groups may be gone with it."""
        await self.close(code=CLOSE_SERVICE_RESTART)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    def _code(self) -> str:
        return str(self.scope["url_route"]["kwargs"]["code"])
