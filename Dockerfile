# syntax=docker/dockerfile:1
# Lectern: one image for web, agent and tasks (docker-compose.yml picks the command).
#
#   web     daphne -b 0.0.0.0 -p 8000 --proxy-headers config.asgi:application   (the default)
#   agent   python -m agent start
#   tasks   python manage.py run_tasks   (starts the periodic chains, then db_worker)
#   migrate python manage.py migrate --noinput                                  (one-shot)

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim

# --- the room page's JavaScript: static/build/room.js -----------------------------------------
FROM ${NODE_IMAGE} AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ frontend/
RUN npm run build

# --- the virtualenv, from the pinned lock (every package ships a manylinux wheel) -------------
FROM ${PYTHON_IMAGE} AS venv
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install -r /tmp/requirements.lock

# --- the runtime --------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# weasyprint (PDF export) needs pango and harfbuzz; a font so that PDFs have glyphs.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 lectern \
    && useradd --system --uid 10001 --gid lectern --create-home --home-dir /home/lectern \
        --shell /usr/sbin/nologin lectern

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    HF_HUB_OFFLINE=1

COPY --from=venv /opt/venv /opt/venv
COPY deploy/docker-entrypoint.sh /usr/local/bin/lectern-entrypoint

# The code stays owned by root: the app user can read it, not change it.
WORKDIR /app
COPY . .
COPY --from=frontend /src/static/build/ static/build/
# Settings need a secret and, for production mode, a domain; neither is used by collectstatic.
RUN DJANGO_SECRET_KEY=collectstatic-only LIVEKIT_API_SECRET=collectstatic-only DOMAIN=build.invalid python manage.py collectstatic --noinput -v 0 \
    && python -m compileall -q /app

USER lectern:lectern
EXPOSE 8000
ENTRYPOINT ["lectern-entrypoint"]
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "config.asgi:application"]
