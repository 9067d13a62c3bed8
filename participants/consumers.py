"""`/ws/rooms/<code>/live/`: the server's messages to the people in a live lecture (chat, notices,
the end). Participants publish nothing through LiveKit, and the page trusts only this socket for
what the server says: a packet on LiveKit cannot prove it came from the server."""

from typing import Any

from channels.db import database_sync_to_async

from core.consumers import CLOSE_FORBIDDEN, JsonConsumer
from participants import broadcasts
from participants.access import is_room_host
from participants.cohosts import is_guest_cohost
from participants.guests import guest_from_cookies
from participants.histories import is_admitted_guest
from rooms.models import Lecture, Room


class LiveLectureConsumer(JsonConsumer):
    groups_joined: list[str]
    captions_notice: dict[str, Any] | None = None  # for a host's socket: captions are unavailable

    async def connect(self) -> None:
        groups = await database_sync_to_async(self._groups)()
        if not groups:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.groups_joined = groups
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "live.ready"})
        if self.captions_notice is not None:  # the state a host's page shows, on every (re)connect
            await self.send_json(self.captions_notice)

    def _groups(self) -> list[str]:
        room = Room.objects.select_related("host").filter(code=self._code()).first()
        lecture = room.current_lecture() if room else None
        if room is None or lecture is None:
            return []
        groups = self._groups_in(room, lecture)
        if broadcasts.hosts_live_group(room.pk) in groups and lecture.captions_unavailable:
            self.captions_notice = broadcasts.captions_status_message(
                unavailable=lecture.captions_unavailable, reason=lecture.get_captions_unavailable_display()
            )
        return groups

    def _groups_in(self, room: Room, lecture: Lecture) -> list[str]:
        live = broadcasts.lecture_group(lecture.pk)
        hosts = broadcasts.hosts_live_group(room.pk)
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            if is_room_host(user, room):
                return [live, hosts]
            return [live] if user.is_admin else []
        guest = guest_from_cookies(self.scope.get("cookies", {}), room)
        if guest is None or not is_admitted_guest(guest, room):
            return []
        mine = [live, broadcasts.participant_group(guest.pk)]
        return [*mine, hosts] if is_guest_cohost(guest=guest, room=room) else mine

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_message(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])
