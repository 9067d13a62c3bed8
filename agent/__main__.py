"""Entry point of the agent process (`python -m agent dev|start`).

The AI assistant itself lands with its own issue; until then the process starts, says so and
idles, so that `make dev` already has its final shape.
"""

import logging
import signal
import sys
import threading


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s agent: %(message)s")
    logging.info("AI assistant worker is not enabled in this build yet; idling")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
