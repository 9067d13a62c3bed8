"""The one family of domain errors: each carries its HTTP status, and the API handler turns any of
them into {"detail": "..."} with that status (config/api.py), so views never translate them."""


class LecternError(Exception):
    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotAuthenticated(LecternError):
    status = 401


class NotAllowed(LecternError):
    status = 403


class NotFound(LecternError):
    status = 404


class Conflict(LecternError):
    status = 409


class RoomNotLive(Conflict):
    pass


class RateLimited(LecternError):
    status = 429

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServiceUnavailable(LecternError):
    status = 503
