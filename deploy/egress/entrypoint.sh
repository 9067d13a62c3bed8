#!/bin/bash
# Entrypoint of the egress service (docker-compose.yml): the official livekit/egress image reads
# its LiveKit secret (LIVEKIT_API_SECRET) and S3 key (AWS_SECRET_ACCESS_KEY) from the environment
# only, and Lectern's secrets are files. For every NAME_FILE, export NAME from that file unless
# NAME is already set, then run the image's own entrypoint (PulseAudio, then egress).
set -euo pipefail

for name in $(env | sed -n 's/^\([A-Z][A-Z0-9_]*\)_FILE=.*/\1/p'); do
  path_var="${name}_FILE"
  if [ -z "${!name:-}" ] && [ -r "${!path_var}" ]; then
    export "$name=$(cat "${!path_var}")"
  fi
done

exec /entrypoint.sh "$@"
