"""Domain exceptions of rooms; the API turns each into a clear 4xx."""


class RoomError(Exception):
    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class RoomNotLive(RoomError):
    status = 409


class NotAllowed(RoomError):
    status = 403


class NotFound(RoomError):
    status = 404


class ServiceUnavailable(RoomError):
    status = 503
