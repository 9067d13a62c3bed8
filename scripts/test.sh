#!/usr/bin/env bash
# Starts the test services (Postgres on 5434, Redis on 6380, livekit-server on 7890, webhooks to
# 127.0.0.1:8010) on ports that do not clash with `make dev`, waits until they answer, runs pytest,
# stops LiveKit. The LiveKit keys are the test profile's own (the same as tests/env.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=postgres://lectern@127.0.0.1:${PGPORT_TEST:-5434}/lectern
export LIVEKIT_TEST_PORT=${LIVEKIT_TEST_PORT:-7890}
export LIVEKIT_URL=ws://127.0.0.1:$LIVEKIT_TEST_PORT
export LIVEKIT_API_KEY=lectern-test LIVEKIT_API_SECRET=lectern-test-only-livekit-secret-5e9a0c7d3b
export REDIS_PORT_TEST=${REDIS_PORT_TEST:-6380}
export TEST_WEB_PORT=${TEST_WEB_PORT:-8010}
export HF_HUB_OFFLINE=1

scripts/postgres.sh start "${TEST_PROFILE:-test}"
scripts/redis.sh start "${TEST_PROFILE:-test}"
lk_pid=""
cleanup() { [ -n "$lk_pid" ] && kill "$lk_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
if ! curl -sf "http://127.0.0.1:${LIVEKIT_TEST_PORT:-7890}/" >/dev/null; then
  scripts/livekit.sh run "${TEST_PROFILE:-test}" >"var/livekit-${TEST_PROFILE:-test}.log" 2>&1 &
  lk_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:${LIVEKIT_TEST_PORT:-7890}/" >/dev/null && break
    kill -0 "$lk_pid" 2>/dev/null || { echo "livekit-server exited; see var/livekit-${TEST_PROFILE:-test}.log" >&2; exit 1; }
    sleep 0.2
  done
  curl -sf "http://127.0.0.1:${LIVEKIT_TEST_PORT:-7890}/" >/dev/null || { echo "livekit-server did not answer" >&2; exit 1; }
fi
echo "test services ready: postgres :${PGPORT_TEST:-5434}, redis :$REDIS_PORT_TEST, livekit :${LIVEKIT_TEST_PORT:-7890}"
.venv/bin/pytest "$@"
