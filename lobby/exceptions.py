from rooms.exceptions import RoomError


class Banned(RoomError):
    status = 403


class WrongPin(RoomError):
    status = 403


class KnockRefused(RoomError):
    status = 403


class RateLimited(RoomError):
    status = 429

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
