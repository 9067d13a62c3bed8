"""Loaded first (pytest -p): the test services' addresses, unless the environment says otherwise.

These ports are the ones scripts/test.sh starts, so they never clash with a running `make dev`.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://lectern@127.0.0.1:5434/lectern")
os.environ.setdefault("LIVEKIT_URL", "ws://127.0.0.1:7890")
os.environ.setdefault("LIVEKIT_API_KEY", "devkey")
os.environ.setdefault("LIVEKIT_API_SECRET", "lectern-dev-secret-0123456789abcdefghijkl")
os.environ.setdefault("TEST_WEB_PORT", "8010")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PORT", os.environ["TEST_WEB_PORT"])
