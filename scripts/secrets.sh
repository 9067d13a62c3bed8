#!/usr/bin/env bash
# Per-checkout secrets for `make dev` and `make cluster`, generated once into a git-ignored file.
#   scripts/secrets.sh [file]     (default var/secrets.env; never overwrites an existing file)
# config/settings.py and scripts/livekit.sh read this file for any of these variables the
# environment does not set, so Django, the agent and the local livekit-server share one key pair
# that nobody else knows. Delete the file to rotate (sessions and guest cookies become invalid).
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-${SECRETS_FILE:-var/secrets.env}}
[ -s "$file" ] && exit 0
mkdir -p "$(dirname "$file")"
random() { python3 -c "import secrets, sys; print(secrets.token_urlsafe(int(sys.argv[1])))" "$1"; }
umask 077
tmp="$file.tmp.$$"
cat >"$tmp" <<ENV
# Generated once by scripts/secrets.sh for this checkout. Private: never commit or share it.
DJANGO_SECRET_KEY=$(random 48)
LIVEKIT_API_KEY=lectern-$(python3 -c "import secrets; print(secrets.token_hex(4))")
LIVEKIT_API_SECRET=$(random 36)
ENV
mv "$tmp" "$file"
echo "wrote new per-checkout secrets to $file"
