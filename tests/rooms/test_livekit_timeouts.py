"""Every call to LiveKit's server API is bounded: a server that accepts the connection and never
answers fails the call with a clear error, where livekit-api's own client would wait for ever."""

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from rooms import livekit_server


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server that accepts every connection, reads the request and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"ws://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def _within(seconds: float, call: Any) -> BaseException | None:
    """Run `call` in a thread; the exception it raised, or fail when it has not returned after `seconds`."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # handed to the test
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"the LiveKit call was still waiting after {seconds} s")
    return outcome[0]


def test_a_server_that_never_answers_fails_the_call(silent_server: str, settings: Any, monkeypatch: Any) -> None:
    settings.LIVEKIT_URL = silent_server
    monkeypatch.setattr(livekit_server, "API_TIMEOUT_SECONDS", 0.5)
    error = _within(20, lambda: livekit_server.list_participants(room="any"))
    assert isinstance(error, livekit_server.LiveKitError)
    assert "did not answer within 0.5 s" in str(error.detail)


def test_each_call_of_a_bulk_operation_is_bounded(silent_server: str, settings: Any, monkeypatch: Any) -> None:
    settings.LIVEKIT_URL = silent_server
    monkeypatch.setattr(livekit_server, "API_TIMEOUT_SECONDS", 0.5)
    error = _within(20, lambda: livekit_server.remove_many(room="any", identities=["a", "b", "c"]))
    assert isinstance(error, livekit_server.LiveKitError)
    assert "did not answer within 0.5 s" in str(error.detail)
