"""The in-memory Channels layer for a single web process, without its quadratic clean-up.

Channels' InMemoryChannelLayer scans every channel and group for expired entries on each send and
receive; with one group per waiting student that grows with the square of the lobby (measured in
bench/lobby_burst.py). Here the scan runs at most once a second.
"""

import time

from channels.layers import InMemoryChannelLayer

CLEAN_EVERY_SECONDS = 1.0


class SingleProcessChannelLayer(InMemoryChannelLayer):
    _last_clean = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._last_clean < CLEAN_EVERY_SECONDS:
            return
        self._last_clean = now
        super()._clean_expired()
