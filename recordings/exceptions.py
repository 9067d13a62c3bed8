"""Domain exceptions of recordings; the API turns each into a clear 4xx (they are RoomErrors)."""

from rooms.exceptions import RoomError


class AlreadyRecording(RoomError):
    status = 409


class NotRecording(RoomError):
    status = 409


class RecorderUnavailable(RoomError):
    status = 503
