"""Loaded first (pytest -p): the test services' addresses, unless the environment says otherwise.

These ports are the ones scripts/test.sh starts, so they never clash with a running `make dev`.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://lectern@127.0.0.1:5434/lectern")
os.environ.setdefault("LIVEKIT_TEST_PORT", "7890")
os.environ.setdefault("LIVEKIT_URL", f"ws://127.0.0.1:{os.environ['LIVEKIT_TEST_PORT']}")
# The test profile's own secrets (scripts/test.sh gives livekit-server the same), never the
# per-checkout ones `make dev` generates into var/secrets.env, which the tests do not read.
os.environ.setdefault("DJANGO_SECRET_KEY", "lectern-test-only-django-secret-8c1f4e2a9b7d6053")
os.environ.setdefault("LIVEKIT_API_KEY", "lectern-test")
os.environ.setdefault("LIVEKIT_API_SECRET", "lectern-test-only-livekit-secret-5e9a0c7d3b")
os.environ.setdefault("SECRETS_FILE", os.devnull)
os.environ.setdefault("TEST_REDIS_URL", f"redis://127.0.0.1:{os.environ.get('REDIS_PORT_TEST', '6380')}/0")
os.environ.setdefault("TEST_WEB_PORT", "8010")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PORT", os.environ["TEST_WEB_PORT"])
