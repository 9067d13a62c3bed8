#!/usr/bin/env bash
# A private redis-server under var/redis-<profile>, on its own loopback port (LiveKit's routing bus,
# shared with Egress).
#   scripts/redis.sh start dev|test[-name]   (idempotent; waits until it answers PONG)
#   scripts/redis.sh stop dev|test[-name]
#   scripts/redis.sh port dev|test[-name]    print the port
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?start|stop|port}
profile=${2:-dev}
case "$profile" in
  dev) port=${REDIS_PORT_DEV:-6379} ;;
  test*) port=${REDIS_PORT_TEST:-6380} ;;
  *) echo "unknown profile $profile" >&2; exit 2 ;;
esac
[ "$action" = port ] && { echo "$port"; exit 0; }
command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 1; }
dir="$PWD/var/redis-$profile"
pidfile="$dir/redis.pid"
log="$PWD/var/redis-$profile.log"
mkdir -p "$dir"

ping() { [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; }

if [ "$action" = stop ]; then
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    pid=$(cat "$pidfile")
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  exit 0
fi

if ! ping; then
  # no persistence: LiveKit and Egress keep only live routing state here
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --pidfile "$pidfile" --logfile "$log" \
    --daemonize yes --save "" --appendonly no --protected-mode yes
  for _ in $(seq 1 50); do ping && break; sleep 0.1; done
fi
ping || { echo "redis-server did not answer on 127.0.0.1:$port; see $log" >&2; exit 1; }
echo "redis ($profile) ready on 127.0.0.1:$port"
