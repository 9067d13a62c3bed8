"""Requests that really race: each on its own thread and database connection, released together."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def all_at_once(count: int, call: Callable[[int], T]) -> list[T]:
    """`call(0)` … `call(count - 1)` on `count` threads, each connected first and then held at a
    barrier until all are ready; their results in order. Needs a `transaction=True` test."""
    barrier = threading.Barrier(count, timeout=60)  # a racer that cannot connect fails the test, never hangs it
    connection.close()  # back to the pool (config/settings.py): the racers need a connection each

    def run(index: int) -> T:
        try:
            connection.ensure_connection()
            barrier.wait()
            return call(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
