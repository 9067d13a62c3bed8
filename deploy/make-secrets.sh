#!/bin/sh
# Writes the secret files docker-compose.yml mounts under /run/secrets/ (see docs/deploy.md).
#
#   deploy/make-secrets.sh [DIR]      DIR defaults to deploy/secrets
#
# Random secrets are created once and never overwritten; the files derived from them (database
# URL, pgbouncer user list, LiveKit key file) are rewritten on every run, so run it again after
# changing LIVEKIT_API_KEY in .env. To use LiveKit Cloud, put the project's API secret in
# DIR/livekit_api_secret (and its key in .env as LIVEKIT_API_KEY) before or after running this.
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/secrets}"
env_file="$here/../.env"

umask 077
mkdir -p "$dir"
chmod 700 "$dir"

random_hex() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# A random secret, created when missing. Readable by the container users (postgres, pgbouncer and
# Lectern run as non-root users with other uids); the 0700 directory keeps it from other host users.
ensure() {
  if [ ! -s "$dir/$1" ]; then
    random_hex >"$dir/$1"
    echo "created $dir/$1"
  fi
  chmod 644 "$dir/$1"
}

# A file derived from the secrets above, rewritten from them every time.
derive() {
  name=$1 mode=$2
  shift 2
  printf '%s\n' "$@" >"$dir/$name.tmp"
  chmod "$mode" "$dir/$name.tmp"
  mv "$dir/$name.tmp" "$dir/$name"
}

ensure django_secret_key
ensure postgres_password
ensure livekit_api_secret
ensure minio_root_password
ensure s3_secret_key

key="${LIVEKIT_API_KEY:-}"
if [ -z "$key" ] && [ -f "$env_file" ]; then
  key="$(sed -n 's/^LIVEKIT_API_KEY=//p' "$env_file" | tail -n 1 | sed 's/[[:space:]]*#.*$//; s/^["'\'']//; s/["'\'']$//')"
fi
key="${key:-lectern}"

pg="$(cat "$dir/postgres_password")"
lk="$(cat "$dir/livekit_api_secret")"
# Hex passwords need no URL escaping.
derive database_url 644 "postgres://lectern:$pg@postgres:5432/lectern"
derive pgbouncer_userlist.txt 644 "\"lectern\" \"$pg\""
# LiveKit refuses a key file that others may read.
derive livekit_keys.yaml 600 "$key: $lk"

echo "secrets ready in $dir (LiveKit API key: $key)"
