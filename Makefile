# Lectern: `make dev` runs everything on a workstation, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := tools/bin
LIVEKIT_TAG := v1.13.5
VERSITYGW_TAG := v1.7.0
# LiveKit Egress (recordings): CGO against Debian's GStreamer 1.22, Chromium under Xvfb, PulseAudio
EGRESS_APT_PACKAGES := pulseaudio xvfb ffmpeg pkg-config gcc libc6-dev libgstreamer1.0-dev \
  libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev gstreamer1.0-plugins-base \
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav \
  gstreamer1.0-pulseaudio gstreamer1.0-x
APT_PACKAGES := postgresql redis-server chromium espeak-ng sox poppler-utils fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
  $(EGRESS_APT_PACKAGES)
# The dev web port. Not PORT: honcho gives every Procfile process its own PORT (web 8000, livekit 8100, ...).
WEB_PORT ?= $(or $(PORT),8000)
REDIS_PORT_DEV ?= 6379
DEV_DATABASE_URL := postgres://lectern@127.0.0.1:$(or $(PGPORT_DEV),5433)/lectern
CLUSTER_DATABASE_URL := postgres://lectern@127.0.0.1:$(or $(PGPORT_CLUSTER),5435)/lectern

.PHONY: help install dev cluster test lint format services-test stop clean

help:
	@echo "make dev    install everything, start Postgres, Redis, LiveKit, egress, web, agent and tasks; prints the URL"
	@echo "make cluster  the same as several processes: 2 web, 2 LiveKit nodes on one Redis, 2 agents, 2 task workers"
	@echo "make test   install what tests need, start the test services, run the whole suite"
	@echo "make lint   ruff (format check + lint) and mypy"

# --- install (idempotent; each step is skipped when its stamp is newer than its inputs) ---
install: var/.apt $(VENV)/.installed static/build/room.js $(TOOLS)/server $(TOOLS)/versitygw tools/bin/composecheck $(TOOLS)/egress

# re-checked when this file changes (a new package in the list); the check itself is a dpkg query
var/.apt: Makefile
	@mkdir -p var
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || python3.11 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/build/room.js: node_modules/.installed $(shell find frontend -type f 2>/dev/null)
	npm run --silent build

$(TOOLS)/server:
	@mkdir -p $(TOOLS)
	CGO_ENABLED=0 GOBIN=$(CURDIR)/$(TOOLS) go install github.com/livekit/livekit-server/cmd/server@$(LIVEKIT_TAG)

$(TOOLS)/versitygw:
	@mkdir -p $(TOOLS)
	CGO_ENABLED=0 GOBIN=$(CURDIR)/$(TOOLS) go install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_TAG)

# --- run ---
dev: install
	@scripts/secrets.sh
	@scripts/postgres.sh start dev
	@REDIS_PORT_DEV=$(REDIS_PORT_DEV) scripts/redis.sh start dev
	@DATABASE_URL=$${DATABASE_URL:-$(DEV_DATABASE_URL)} $(PY) manage.py migrate --noinput -v 0
	@echo ""
	@echo "  Lectern is starting: open http://127.0.0.1:$(WEB_PORT)/  (Ctrl-C stops everything)"
	@echo ""
	@DATABASE_URL=$${DATABASE_URL:-$(DEV_DATABASE_URL)} WEB_PORT=$(WEB_PORT) REDIS_PORT_DEV=$(REDIS_PORT_DEV) $(VENV)/bin/honcho -f Procfile.dev start

# Several processes of each kind on one machine, with the settings production uses (README).
cluster: install
	@scripts/secrets.sh
	@scripts/postgres.sh start cluster
	@scripts/redis.sh start cluster
	@DATABASE_URL=$(CLUSTER_DATABASE_URL) $(PY) manage.py migrate --noinput -v 0
	@DATABASE_URL=$(CLUSTER_DATABASE_URL) scripts/cluster.sh run

test: install
	@scripts/test.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	DATABASE_URL=$(DEV_DATABASE_URL) $(VENV)/bin/mypy .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

stop:
	@for profile in dev test; do scripts/egress.sh stop $$profile; done
	@for profile in dev test cluster; do scripts/postgres.sh stop $$profile; scripts/redis.sh stop $$profile; done

clean: stop
	rm -rf var static/build

# Egress v1.8.6 through our wrapper module (upstream's cmd/server cannot be go-installed). The checksum
# database does not know egress; its go.sum seeds ours. Built once (~3-9 min on 2 cores), kept after.
$(TOOLS)/egress: | var/.apt
	@mkdir -p $(TOOLS)
	cd tools-src/egress && CGO_ENABLED=1 GONOSUMDB=github.com/livekit/egress go build -trimpath -o $(CURDIR)/$(TOOLS)/egress .

tools/bin/composecheck: $(wildcard tools-src/composecheck/*.go) tools-src/composecheck/go.mod
	cd tools-src/composecheck && CGO_ENABLED=0 GOBIN=$(CURDIR)/tools/bin go install .
