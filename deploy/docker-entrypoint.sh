#!/bin/sh
# Entrypoint of the Lectern image (web, agent, tasks, migrate).
#
# Secrets arrive as files: NAME_FILE=/run/secrets/name. Lectern's settings read NAME_FILE
# themselves, but libraries that look at the environment directly (the LiveKit Agents worker reads
# LIVEKIT_API_SECRET, for one) do not. So for every NAME_FILE, export NAME from that file unless
# NAME is already set, then run the command.
set -eu

for name in $(env | sed -n 's/^\([A-Z][A-Z0-9_]*\)_FILE=.*/\1/p'); do
  eval "value=\${$name:-}"
  eval "path=\${${name}_FILE}"
  if [ -z "$value" ] && [ -r "$path" ]; then
    export "$name=$(cat "$path")"
  fi
done

exec "$@"
