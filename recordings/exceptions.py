"""Domain exceptions of recordings; the API turns each into a clear 4xx or 503 (core.exceptions)."""

from core.exceptions import Conflict, ServiceUnavailable


class AlreadyRecording(Conflict):
    pass


class NotRecording(Conflict):
    pass


class RecorderUnavailable(ServiceUnavailable):
    pass
