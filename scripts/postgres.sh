#!/usr/bin/env bash
# A private PostgreSQL cluster under var/pg-<profile>, on its own loopback port.
#   scripts/postgres.sh start dev|test|cluster    (idempotent; waits until it accepts connections)
#   scripts/postgres.sh stop dev|test|cluster
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?start|stop}
profile=${2:-dev}
case "$profile" in
  dev) port=${PGPORT_DEV:-5433} ;;
  test*) port=${PGPORT_TEST:-5434} ;;  # test, or test-<name> for a second suite running beside it
  cluster) port=${PGPORT_CLUSTER:-5435} ;;  # make cluster
  *) echo "unknown profile $profile" >&2; exit 2 ;;
esac
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/pg_ctl" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
data="$PWD/var/pg-$profile"
log="$PWD/var/pg-$profile.log"
mkdir -p var

# PostgreSQL refuses to run as root: run it as the postgres system user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "$action" = stop ]; then
  [ -f "$data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
  exit 0
fi

if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$data" "$PWD/var" 2>/dev/null && chmod 755 "$PWD/var"
  as_owner "$bindir/initdb" -D "$data" -U lectern --auth=trust -E UTF8 --locale=C.UTF-8 >"$log" 2>&1
fi
[ "$(id -u)" = 0 ] && touch "$log" && chown postgres:postgres "$log"
if ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c max_connections=300"
  [[ "$profile" == test* ]] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -o "$opts" -w -t 60 start >/dev/null
fi
for _ in $(seq 1 60); do
  "$bindir/pg_isready" -h 127.0.0.1 -p "$port" -q && break
  sleep 0.5
done
"$bindir/pg_isready" -h 127.0.0.1 -p "$port" -q || { echo "PostgreSQL did not start; see $log" >&2; exit 1; }
psql -h 127.0.0.1 -p "$port" -U lectern -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='lectern'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$port" -U lectern -d postgres -qc "CREATE DATABASE lectern"
echo "postgres ($profile) ready on 127.0.0.1:$port"
