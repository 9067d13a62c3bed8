#!/usr/bin/env bash
# A private Redis (Debian redis-server) on its own loopback port, nothing persisted.
#   scripts/redis.sh start <profile>   (idempotent; waits until it answers PONG)
#   scripts/redis.sh stop <profile>
# Ports: dev REDISPORT_DEV (6380), test* REDISPORT_TEST (6381), cluster REDISPORT_CLUSTER (6382).
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?start|stop}
profile=${2:-dev}
case "$profile" in
  dev) port=${REDISPORT_DEV:-6380} ;;
  test*) port=${REDISPORT_TEST:-6381} ;;
  cluster*) port=${REDISPORT_CLUSTER:-6382} ;;
  *) echo "unknown profile $profile" >&2; exit 2 ;;
esac
command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 1; }
pidfile="$PWD/var/redis-$profile.pid"
log="$PWD/var/redis-$profile.log"
mkdir -p "var/redis-$profile"

pong() { [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; }

if [ "$action" = stop ]; then
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$pidfile"
  fi
  exit 0
fi

if ! pong; then
  redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
    --daemonize yes --pidfile "$pidfile" --logfile "$log" --dir "$PWD/var/redis-$profile" \
    --save "" --appendonly no >/dev/null
  for _ in $(seq 1 100); do pong && break; sleep 0.1; done
fi
pong || { echo "Redis did not answer on 127.0.0.1:$port; see $log" >&2; exit 1; }
echo "redis ($profile) ready on 127.0.0.1:$port"
