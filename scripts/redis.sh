#!/usr/bin/env bash
# A private Redis (Debian redis-server) under var/redis-<profile>, on its own loopback port, nothing
# persisted: LiveKit's routing bus (multi-node, Egress) and the Channels layer of several web processes.
#   scripts/redis.sh start <profile>   (idempotent; waits until it answers PONG)
#   scripts/redis.sh stop <profile>
#   scripts/redis.sh port <profile>    print the port
# Ports: dev REDIS_PORT_DEV (6379), test* REDIS_PORT_TEST (6380), cluster* REDIS_PORT_CLUSTER (6381).
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?start|stop|port}
profile=${2:-dev}
case "$profile" in
  dev) port=${REDIS_PORT_DEV:-6379} ;;
  test*) port=${REDIS_PORT_TEST:-6380} ;;
  cluster*) port=${REDIS_PORT_CLUSTER:-6381} ;;
  *) echo "unknown profile $profile" >&2; exit 2 ;;
esac
[ "$action" = port ] && { echo "$port"; exit 0; }
command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 1; }
dir="$PWD/var/redis-$profile"
pidfile="$dir/redis.pid"
log="$PWD/var/redis-$profile.log"
mkdir -p "$dir"

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
    --daemonize yes --pidfile "$pidfile" --logfile "$log" --dir "$dir" \
    --save "" --appendonly no >/dev/null
  for _ in $(seq 1 100); do pong && break; sleep 0.1; done
fi
pong || { echo "Redis did not answer on 127.0.0.1:$port; see $log" >&2; exit 1; }
echo "redis ($profile) ready on 127.0.0.1:$port"
