"""The production deployment files, checked without a Docker engine.

tools/bin/composecheck (tools-src/composecheck, compose-go: the loader `docker compose` itself
uses) loads docker-compose.yml + docker-compose.prod.yml with deploy/env.production.example:
schema validation, interpolation, profiles, merging, consistency. The tests below read the resolved
project it prints and the raw files, and run the pieces that can run here: the secrets script, the
image's entrypoint and Django's deploy checks under the environment Compose gives web, and the real
livekit-server's strict config parser.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from webhooks.events import EVENTS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILES = [ROOT / "docker-compose.yml", ROOT / "docker-compose.prod.yml"]
ENV_EXAMPLE = ROOT / "deploy" / "env.production.example"
COMPOSECHECK = ROOT / "tools" / "bin" / "composecheck"
LIVEKIT_SERVER = ROOT / "tools" / "bin" / "server"
EGRESS = ROOT / "tools" / "bin" / "egress"

APP_SERVICES = {"web", "agent", "tasks"}
ONE_SHOTS = {"migrate", "minio-init"}
PRIVATE_SERVICES = {"postgres", "pgbouncer", "redis", "minio", "livekit-redis", "egress"}
# The bundled LiveKit and what only it needs (the "livekit" profile).
LIVEKIT_SERVICES = {"livekit", "livekit-redis", "egress"}
EXPECTED_SERVICES = APP_SERVICES | ONE_SHOTS | PRIVATE_SERVICES | {"livekit", "traefik"}
# Variables Compose itself defines for interpolation.
COMPOSE_BUILTINS = {"COMPOSE_PROJECT_NAME"}
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")


def run_composecheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COMPOSECHECK), *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module", autouse=True)
def _composecheck_built() -> None:
    """Build (or refresh) the checker the way `make install` does."""
    if shutil.which("go") is None and not COMPOSECHECK.exists():
        pytest.fail("tools/bin/composecheck is missing and Go is not installed: run `make install`")
    if shutil.which("go") is not None:
        build = subprocess.run(
            ["make", "--no-print-directory", "tools/bin/composecheck"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert build.returncode == 0, build.stdout + build.stderr


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    """The production project exactly as `docker compose` would resolve it."""
    result = run_composecheck("-json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def raw() -> dict[str, dict[str, Any]]:
    return {path.name: yaml.safe_load(path.read_text()) for path in COMPOSE_FILES}


def env_file_values(path: Path) -> dict[str, str]:
    """KEY=value lines of a dotenv file (quotes stripped), as Compose reads them."""
    values = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line.strip())
        if match:
            value = match.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[match.group(1)] = value
    return values


def documented_names(path: Path) -> set[str]:
    """Variables a dotenv example sets or shows commented out (`# NAME=`)."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", path.read_text(), re.MULTILINE))


def published_ports(service: dict[str, Any]) -> set[str]:
    return {
        f"{port['target']}/{port.get('protocol', 'tcp')}" for port in service.get("ports") or [] if "published" in port
    }


# --- the checker and what it loads ----------------------------------------------------------------


def test_composecheck_loads_the_production_stack() -> None:
    result = run_composecheck()
    assert result.returncode == 0, result.stderr
    services = set(result.stdout.split())
    assert {"web", "agent", "tasks", "livekit", "postgres", "redis", "minio", "traefik"} <= services
    assert services == EXPECTED_SERVICES


def test_composecheck_fails_when_a_required_variable_is_missing(tmp_path: Path) -> None:
    env = tmp_path / "no-domain.env"
    env.write_text("".join(line for line in ENV_EXAMPLE.read_text().splitlines(True) if not line.startswith("DOMAIN=")))
    result = run_composecheck("-env-file", str(env))
    assert result.returncode != 0
    assert "required variable DOMAIN is missing" in result.stderr


def test_composecheck_fails_on_a_schema_violation(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text((ROOT / "docker-compose.yml").read_text().replace("shm_size:", "shm_sizes:"))
    result = run_composecheck(str(broken), "docker-compose.prod.yml")
    assert result.returncode != 0
    assert "shm_sizes" in result.stderr


def test_livekit_cloud_drops_only_the_bundled_livekit(tmp_path: Path) -> None:
    env = tmp_path / "cloud.env"
    text = ENV_EXAMPLE.read_text().replace("\nCOMPOSE_PROFILES=livekit\n", "\nCOMPOSE_PROFILES=\n")
    env.write_text(text + "LIVEKIT_URL=wss://lectern.livekit.cloud\n")
    result = run_composecheck("-env-file", str(env), "-json")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert set(services) == EXPECTED_SERVICES - LIVEKIT_SERVICES
    assert services["web"]["environment"]["LIVEKIT_URL"] == "wss://lectern.livekit.cloud"
    assert services["agent"]["environment"]["LIVEKIT_URL"] == "wss://lectern.livekit.cloud"


# --- exposure, routing, health ------------------------------------------------------------------


def test_only_traefik_and_livekit_media_are_published(project: dict[str, Any], raw: dict[str, Any]) -> None:
    published = {name: published_ports(service) for name, service in project["services"].items()}
    assert published.pop("traefik") == {"80/tcp", "443/tcp"}
    assert published.pop("livekit") == {"7881/tcp", "7882/udp"}
    assert all(not ports for ports in published.values()), published
    for name in PRIVATE_SERVICES:
        for document in raw.values():
            assert "ports" not in (document["services"].get(name) or {}), f"{name} publishes ports"


def test_databases_sit_on_an_internal_network(project: dict[str, Any]) -> None:
    assert project["networks"]["backend"].get("internal") is True
    for name in ("postgres", "pgbouncer", "redis"):
        assert set(project["services"][name]["networks"]) == {"backend"}, name
    assert "backend" not in project["services"]["traefik"]["networks"]
    # LiveKit's bus: only livekit and egress reach it, and neither reaches the databases.
    assert project["networks"]["media"].get("internal") is True
    assert set(project["services"]["livekit-redis"]["networks"]) == {"media"}
    on_media = {name for name, service in project["services"].items() if "media" in service["networks"]}
    assert on_media == {"livekit", "livekit-redis", "egress"}
    for name in ("livekit", "egress"):
        assert "backend" not in project["services"][name]["networks"], name


def test_web_health_check_hits_livez_on_an_allowed_host(project: dict[str, Any], raw: dict[str, Any]) -> None:
    """Liveness, not readiness: a LiveKit outage must not take every web replica out of Traefik."""
    test = " ".join(raw["docker-compose.yml"]["services"]["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/livez" in test
    host = re.search(r"'Host': '([^']+)'", test)
    assert host is not None
    allowed = project["services"]["web"]["environment"]["EXTRA_ALLOWED_HOSTS"].split(",")
    assert host.group(1) in allowed


def test_every_long_running_service_has_a_health_check(project: dict[str, Any]) -> None:
    for name, service in project["services"].items():
        if name in ONE_SHOTS:
            assert service.get("restart", "no") == "no", name
            continue
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        assert service.get("restart") == "unless-stopped", name


def test_app_waits_for_migrations_and_the_bucket(project: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        depends = project["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
    assert project["services"]["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert project["services"]["web"]["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"


def test_roles_run_their_commands(project: dict[str, Any]) -> None:
    services = project["services"]
    images = {services[name]["image"] for name in APP_SERVICES | {"migrate"}}
    assert len(images) == 1, "web, agent, tasks and migrate must run one image"
    web = " ".join(services["web"]["command"])
    assert web == "daphne -b 0.0.0.0 -p 8000 --proxy-headers config.asgi:application"
    assert services["agent"]["command"] == ["python", "-m", "agent", "start"]
    assert services["tasks"]["command"] == ["python", "manage.py", "run_tasks"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["web"]["deploy"]["replicas"] >= 2
    assert services["web"]["environment"]["REDIS_URL"].startswith("redis://redis:")


def test_traefik_routes_the_three_host_names(project: dict[str, Any]) -> None:
    env = env_file_values(ENV_EXAMPLE)
    services = project["services"]
    command = " ".join(services["traefik"]["command"])
    routes = {}
    for name, service in services.items():
        labels = service.get("labels") or {}
        for key, value in labels.items():
            match = re.fullmatch(r"traefik\.http\.routers\.([^.]+)\.rule", key)
            if match:
                router = match.group(1)
                assert labels[f"traefik.http.routers.{router}.entrypoints"] == "websecure"
                resolver = labels[f"traefik.http.routers.{router}.tls.certresolver"]
                assert f"--certificatesresolvers.{resolver}.acme.tlschallenge=true" in command
                port = labels[f"traefik.http.services.{router}.loadbalancer.server.port"]
                routes[value] = (name, port)
    assert routes == {
        f"Host(`{env['DOMAIN']}`)": ("web", "8000"),
        f"Host(`{env['LIVEKIT_DOMAIN']}`)": ("livekit", "7880"),
        f"Host(`{env['S3_DOMAIN']}`)": ("minio", "9000"),
    }
    assert f"--certificatesresolvers.letsencrypt.acme.email={env['ACME_EMAIL']}" in command
    assert "--entrypoints.web.http.redirections.entrypoint.to=websecure" in command
    assert "--providers.docker.exposedbydefault=false" in command


# --- configuration and secrets ------------------------------------------------------------------


def test_every_interpolated_variable_is_documented() -> None:
    used = set()
    for path in COMPOSE_FILES:
        used |= set(INTERPOLATION.findall(path.read_text()))
    missing = used - COMPOSE_BUILTINS - documented_names(ENV_EXAMPLE)
    assert not missing, f"document these in deploy/env.production.example: {sorted(missing)}"


def test_the_example_names_only_known_variables() -> None:
    """A misspelt name in the example would be silently ignored by both Compose and Django."""
    used = set()
    for path in COMPOSE_FILES:
        used |= set(INTERPOLATION.findall(path.read_text()))
    known = used | documented_names(ROOT / ".env.example") | {"COMPOSE_FILE", "COMPOSE_PROFILES"}
    unknown = documented_names(ENV_EXAMPLE) - known
    assert not unknown, f"not a Compose variable nor a Lectern setting: {sorted(unknown)}"


def test_app_secrets_come_from_mounted_files(project: dict[str, Any]) -> None:
    for name in APP_SERVICES | {"migrate"}:
        service = project["services"][name]
        environment = service["environment"]
        for secret in ("DJANGO_SECRET_KEY", "DATABASE_URL", "LIVEKIT_API_SECRET", "S3_SECRET_KEY"):
            assert secret not in environment, f"{name} gets {secret} in plain text"
            assert f"{secret}_FILE" in environment, name
        mounted = {item["target"] for item in service["secrets"]}
        for key, value in environment.items():
            if key.endswith("_FILE"):
                assert value in mounted, f"{name}: {key}={value} is not mounted"


def test_secrets_script_writes_every_mounted_secret(project: dict[str, Any], tmp_path: Path) -> None:
    secrets_dir = tmp_path / "secrets"
    env = {"PATH": os.environ["PATH"], "LIVEKIT_API_KEY": "lectern-test"}
    script = ROOT / "deploy" / "make-secrets.sh"
    subprocess.run([str(script), str(secrets_dir)], env=env, check=True, capture_output=True, timeout=60)

    for name, secret in project["secrets"].items():
        source = Path(secret["file"])
        assert source.parent == ROOT / "deploy" / "secrets", name
        assert (secrets_dir / source.name).read_text().strip(), f"make-secrets.sh does not write {source.name}"

    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    keys = secrets_dir / "livekit_keys.yaml"
    assert stat.S_IMODE(keys.stat().st_mode) & 0o007 == 0, "livekit-server refuses a key file others can read"
    secret = (secrets_dir / "livekit_api_secret").read_text().strip()
    assert yaml.safe_load(keys.read_text()) == {"lectern-test": secret}
    assert len(secret) >= 32
    password = (secrets_dir / "postgres_password").read_text().strip()
    assert (secrets_dir / "database_url").read_text().strip() == f"postgres://lectern:{password}@postgres:5432/lectern"
    assert (secrets_dir / "pgbouncer_userlist.txt").read_text().strip() == f'"lectern" "{password}"'

    before = {path.name: path.read_text() for path in secrets_dir.iterdir()}
    subprocess.run([str(script), str(secrets_dir)], env=env, check=True, capture_output=True, timeout=60)
    assert {path.name: path.read_text() for path in secrets_dir.iterdir()} == before, "a rerun changed secrets"


def test_settings_accept_the_production_environment(project: dict[str, Any], tmp_path: Path) -> None:
    """Django, started through the image's entrypoint with what Compose hands web, passes its
    deploy checks but for W008 (Traefik redirects to HTTPS) and allows the webhook's Host."""
    secrets_dir = tmp_path / "secrets"
    subprocess.run(
        [str(ROOT / "deploy" / "make-secrets.sh"), str(secrets_dir)],
        env={"PATH": os.environ["PATH"], "LIVEKIT_API_KEY": "lectern"},
        check=True,
        capture_output=True,
        timeout=60,
    )
    web = project["services"]["web"]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env |= env_file_values(ENV_EXAMPLE)
    env |= {key: value.replace("/run/secrets", str(secrets_dir)) for key, value in web["environment"].items()}

    script = (
        "import django; django.setup()\n"
        "from django.conf import settings as s\n"
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True)\n"
        "print(json.dumps({'hosts': s.ALLOWED_HOSTS, 'db': s.DATABASES['default']['HOST'],"
        " 'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'storage': s.STORAGES['default']['BACKEND'],"
        " 'secret': s.LIVEKIT_API_SECRET, 'lk': os.environ['LIVEKIT_API_SECRET']}))\n"
    )
    result = subprocess.run(
        ["sh", str(ROOT / "deploy" / "docker-entrypoint.sh"), sys.executable, "-c", "import json, os\n" + script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", result.stderr + result.stdout)) <= {"security.W008"}
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["hosts"][0] == env_file_values(ENV_EXAMPLE)["DOMAIN"]
    assert "web" in report["hosts"]
    assert report["db"] == "postgres"
    assert report["layer"] == "config.channel_layers.RedisChannelLayer"  # channels_redis, closing deaf sockets
    assert report["storage"] == "storages.backends.s3.S3Storage"
    secret = (secrets_dir / "livekit_api_secret").read_text().strip()
    assert report["secret"] == report["lk"] == secret, "the entrypoint exports NAME from NAME_FILE"


def test_nothing_goes_through_pgbouncer_until_settings_allow_it(project: dict[str, Any]) -> None:
    """Transaction pooling breaks Django's server-side cursors (DISABLE_SERVER_SIDE_CURSORS is not
    configurable yet) and always breaks the agent's session-level advisory locks."""
    ini = (ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text()
    assert re.search(r"^pool_mode = transaction$", ini, re.MULTILINE)
    settings = (ROOT / "config" / "settings.py").read_text()
    for name in APP_SERVICES | {"migrate"}:
        environment = project["services"][name]["environment"]
        assert environment["DATABASE_URL_FILE"] == "/run/secrets/database_url", name
        if name == "agent" or "DISABLE_SERVER_SIDE_CURSORS" not in settings:
            assert "pgbouncer" not in json.dumps(environment), name
    script = (ROOT / "deploy" / "make-secrets.sh").read_text()
    assert re.search(r'derive database_url \d+ "postgres://lectern:\$pg@postgres:5432/lectern"', script)


# --- LiveKit ------------------------------------------------------------------------------------


def test_livekit_config_matches_the_stack(project: dict[str, Any]) -> None:
    config = yaml.safe_load((ROOT / "deploy" / "livekit" / "livekit.yaml").read_text())
    livekit = project["services"]["livekit"]
    assert config["webhook"]["urls"] == ["http://web:8000/livekit/webhook"]
    assert config["webhook"]["resource_url_notifier"]["max_depth"] >= 1000  # a big lecture leaving at once
    assert set(config["webhook"]["filter_params"]["include_events"]) == set(EVENTS)  # what we act on, no more
    assert "keys" not in config, "keys belong in the mounted key file"
    assert config["key_file"] in {item["target"] for item in livekit["secrets"]}
    assert (
        livekit["environment"]["LIVEKIT_WEBHOOK_API_KEY"]
        == project["services"]["web"]["environment"]["LIVEKIT_API_KEY"]
    )
    assert published_ports(livekit) == {f"{config['rtc']['tcp_port']}/tcp", f"{config['rtc']['udp_port']}/udp"}
    assert livekit["labels"]["traefik.http.services.lectern-livekit.loadbalancer.server.port"] == str(config["port"])
    assert config["rtc"]["use_external_ip"] is True


@pytest.mark.skipif(not LIVEKIT_SERVER.exists(), reason="tools/bin/server (livekit-server) is not installed")
def test_livekit_server_parses_the_config(tmp_path: Path) -> None:
    """livekit-server's own strict parser (unknown keys are errors). STUN discovery is turned off
    for the check only: this machine need not reach the internet."""
    text = (ROOT / "deploy" / "livekit" / "livekit.yaml").read_text()
    assert "use_external_ip: true" in text
    config = tmp_path / "livekit.yaml"
    config.write_text(text.replace("use_external_ip: true", "use_external_ip: false"))
    result = subprocess.run(
        [str(LIVEKIT_SERVER), "--config", str(config), "ports"], capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "could not" not in output.lower(), output
    assert "7881 - ICE/TCP" in output
    assert "7880 - HTTP service" in output


# --- the image ----------------------------------------------------------------------------------


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """(INSTRUCTION, arguments) per stage, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        lines.append(current + line)
        current = ""
    stages: list[list[tuple[str, str]]] = []
    for line in lines:
        instruction, _, arguments = line.strip().partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((instruction.upper(), arguments.strip()))
    return stages


def test_dockerfile_final_stage_runs_as_a_non_root_user() -> None:
    final = dockerfile_stages()[-1]
    users = [arguments for instruction, arguments in final if instruction == "USER"]
    assert users, "the final stage has no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert any(
        instruction == "RUN" and "useradd" in arguments and user in arguments for instruction, arguments in final
    )


def test_dockerfile_builds_the_bundle_and_collects_static_files() -> None:
    stages = dockerfile_stages()
    frontend = next(stage for stage in stages if " AS frontend" in stage[0][1])
    assert ("RUN", "npm ci --no-audit --no-fund --loglevel=error") in frontend
    assert ("RUN", "npm run build") in frontend
    final = stages[-1]
    assert ("COPY", "--from=frontend /src/static/build/ static/build/") in final
    assert any("requirements.lock" in arguments for stage in stages for instruction, arguments in stage)
    collect = [arguments for instruction, arguments in final if instruction == "RUN" and "collectstatic" in arguments]
    assert collect and "DJANGO_SECRET_KEY=" in collect[0]
    assert ("ENTRYPOINT", '["lectern-entrypoint"]') in final


def dockerignore_excludes(path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""

    def regex(pattern: str) -> re.Pattern[str]:
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            else:
                out += {"*": "[^/]*", "?": "[^/]"}.get(pattern[i], re.escape(pattern[i]))
                i += 1
        return re.compile(out + "$")

    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = regex(line.lstrip("!").strip("/"))
        if any(pattern.match(candidate) for candidate in candidates):
            excluded = not negate
    return excluded


@pytest.mark.parametrize(
    "path",
    [".env", "deploy/secrets/django_secret_key", ".venv/bin/python", "node_modules/x/index.js", ".git/config", "var/x"],
)
def test_build_context_leaves_out_secrets_and_local_state(path: str) -> None:
    assert dockerignore_excludes(path)


def test_build_context_has_everything_the_dockerfile_copies() -> None:
    sources = []
    for stage in dockerfile_stages():
        for instruction, arguments in stage:
            if instruction == "COPY" and "--from=" not in arguments:
                sources += arguments.split()[:-1]
    assert sources
    for source in sources:
        if source == ".":
            continue
        assert (ROOT / source).exists(), source
        assert not dockerignore_excludes(source.rstrip("/")), f".dockerignore drops {source}"
    for needed in ("manage.py", "config/settings.py", "config/asgi.py", "agent/__main__.py", "templates", "static"):
        assert not dockerignore_excludes(needed), needed


# --- egress (recordings) ------------------------------------------------------------------------

# The keys of egress v1.8.6's ServiceConfig that Lectern sets (egress ignores unknown keys silently,
# so a misspelt one would simply not apply).
EGRESS_KEYS = {
    "api_key",
    "api_secret",
    "ws_url",
    "insecure",
    "redis",
    "health_port",
    "template_port",
    "logging",
    "cpu_cost",
    "s3",
    "session_limits",
    "template_base",
}
EGRESS_CPU_KEYS = {
    "max_cpu_utilization",
    "max_concurrent_web",
    "room_composite_cpu_cost",
    "audio_room_composite_cpu_cost",
    "web_cpu_cost",
    "audio_web_cpu_cost",
}
EGRESS_S3_KEYS = {"access_key", "secret", "region", "endpoint", "bucket", "force_path_style"}


@pytest.fixture(scope="module")
def egress_config(project: dict[str, Any]) -> dict[str, Any]:
    """Egress's configuration as Compose hands it to the container (interpolated from .env)."""
    config = project["configs"]["egress_yaml"]
    return yaml.safe_load(config["content"])


def host_port(url: str) -> tuple[str, int]:
    match = re.fullmatch(r"[a-z]+://([^/:]+):(\d+)/?.*", url)
    assert match, url
    return match.group(1), int(match.group(2))


def test_egress_is_the_pinned_official_image_with_what_chromium_needs(project: dict[str, Any]) -> None:
    egress = project["services"]["egress"]
    assert egress["image"] == "livekit/egress:v1.8.6"
    assert egress["profiles"] == ["livekit"]
    # egress >= 1.7.6 sandboxes Chrome: without SYS_ADMIN every room composite fails to start Chrome.
    assert "SYS_ADMIN" in egress["cap_add"]
    # Docker's 64 MB /dev/shm crashes Chromium's renderer.
    assert int(egress["shm_size"]) >= 512 * 2**20
    config = {item["target"] for item in egress["configs"]}
    assert egress["environment"]["EGRESS_CONFIG_FILE"] in config
    assert egress["stop_grace_period"], "running recordings need time to finish and upload"


def test_egress_config_uses_only_keys_egress_knows(egress_config: dict[str, Any]) -> None:
    assert set(egress_config) <= EGRESS_KEYS, set(egress_config) - EGRESS_KEYS
    assert set(egress_config["cpu_cost"]) <= EGRESS_CPU_KEYS
    assert set(egress_config["s3"]) <= EGRESS_S3_KEYS


@pytest.mark.skipif(not EGRESS.exists(), reason="tools/bin/egress (LiveKit Egress v1.8.6) is not built")
def test_egress_parses_the_config_compose_gives_it(tmp_path: Path, egress_config: dict[str, Any]) -> None:
    """Egress v1.8.6's own loader (our build of the same module the image runs): the config parses and
    egress gets as far as dialling LiveKit's Redis, which does not exist here."""
    config = tmp_path / "egress.yaml"
    config.write_text(yaml.safe_dump(egress_config))
    env = {"PATH": os.environ["PATH"], "LIVEKIT_API_KEY": "lectern", "LIVEKIT_API_SECRET": "x" * 32}
    result = subprocess.run([str(EGRESS), "--config", str(config)], env=env, capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert "could not parse config" not in output, output
    assert f'"addr": "{egress_config["redis"]["address"]}"' in output, output


def test_egress_and_livekit_share_one_redis(project: dict[str, Any], egress_config: dict[str, Any]) -> None:
    livekit = yaml.safe_load((ROOT / "deploy" / "livekit" / "livekit.yaml").read_text())
    assert egress_config["redis"]["address"] == livekit["redis"]["address"], "egress and LiveKit must share Redis"
    host, _ = host_port("redis://" + livekit["redis"]["address"])
    services = project["services"]
    assert services[host]["image"].startswith("redis:"), host
    bus_networks = set(services[host]["networks"])
    for name in ("livekit", "egress"):
        assert bus_networks & set(services[name]["networks"]), f"{name} cannot reach {host}"
        assert services[name]["depends_on"][host]["condition"] == "service_healthy", name
    assert host != "redis", "LiveKit's bus is not the Channels layer on the databases' network"


def test_egress_connects_to_the_livekit_service(project: dict[str, Any], egress_config: dict[str, Any]) -> None:
    livekit = yaml.safe_load((ROOT / "deploy" / "livekit" / "livekit.yaml").read_text())
    services = project["services"]
    assert host_port(egress_config["ws_url"]) == ("livekit", livekit["port"])
    assert egress_config["insecure"] is True, "Chromium may use the plain ws:// URL inside the network"
    assert services["egress"]["depends_on"]["livekit"]["condition"] == "service_healthy"
    assert set(services["egress"]["networks"]) & set(services["livekit"]["networks"])
    # The layout page (opened by egress's Chromium) may connect to that URL: its CSP allows it.
    for name in ("web", "tasks"):
        assert services[name]["environment"]["EGRESS_LIVEKIT_URL"] == egress_config["ws_url"], name
    assert services["egress"]["environment"]["LIVEKIT_API_KEY"] == services["web"]["environment"]["LIVEKIT_API_KEY"]


def test_egress_opens_the_layout_page_straight_from_web(project: dict[str, Any]) -> None:
    web = project["services"]["web"]
    url = web["environment"]["RECORDING_LAYOUT_URL"]
    assert url.endswith("/recordings/layout/")
    host, port = host_port(url)
    assert (host, port) == ("web", 8000)
    assert host in web["environment"]["EXTRA_ALLOWED_HOSTS"].split(",")
    assert set(project["services"]["egress"]["networks"]) & set(web["networks"])


def test_lectern_watches_egress_on_its_health_port(project: dict[str, Any], egress_config: dict[str, Any]) -> None:
    egress = project["services"]["egress"]
    port = egress_config["health_port"]
    assert f"http://127.0.0.1:{port}/" in " ".join(egress["healthcheck"]["test"])
    for name in ("web", "tasks"):  # /healthz reports egress; the task worker notices lost recordings
        assert host_port(project["services"][name]["environment"]["EGRESS_HEALTH_URL"]) == ("egress", port), name
    assert str(port) in egress["expose"]
    assert egress_config["template_port"] not in {port, 7880, 7881, 7882}


def test_egress_uploads_to_the_bucket_lectern_reads(project: dict[str, Any], egress_config: dict[str, Any]) -> None:
    """Lectern passes the object key as the file path: egress must upload to the very bucket web serves."""
    web = project["services"]["web"]["environment"]
    egress = project["services"]["egress"]
    s3 = egress_config["s3"]
    assert web["STORAGE_BACKEND"] == "s3"
    assert s3["endpoint"] == web["S3_ENDPOINT_URL"]
    assert s3["bucket"] == web["S3_BUCKET"]
    assert s3["force_path_style"] is (web["S3_ADDRESSING_STYLE"] == "path")
    assert egress["environment"]["AWS_ACCESS_KEY_ID"] == web["S3_ACCESS_KEY"]
    assert egress["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"
    # The S3 endpoint's name resolves inside the network (Traefik's alias), as it does for web.
    assert host_port(s3["endpoint"] + ":443")[0] in json.dumps(project["services"]["traefik"]["networks"])


def test_egress_secrets_come_from_mounted_files(project: dict[str, Any], egress_config: dict[str, Any]) -> None:
    egress = project["services"]["egress"]
    environment = egress["environment"]
    for secret in ("LIVEKIT_API_SECRET", "AWS_SECRET_ACCESS_KEY"):
        assert secret not in environment, f"egress gets {secret} in plain text"
        assert f"{secret}_FILE" in environment
    assert environment["LIVEKIT_API_SECRET_FILE"] == "/run/secrets/livekit_api_secret"
    assert environment["AWS_SECRET_ACCESS_KEY_FILE"] == "/run/secrets/s3_secret_key"
    mounted = {item["target"] for item in egress["secrets"]}
    assert {environment["LIVEKIT_API_SECRET_FILE"], environment["AWS_SECRET_ACCESS_KEY_FILE"]} <= mounted
    assert "api_secret" not in egress_config and "secret" not in egress_config["s3"]
    assert "access_key" not in egress_config["s3"]


def test_egress_entrypoint_exports_the_secrets_then_runs_the_images_own(tmp_path: Path) -> None:
    """deploy/egress/entrypoint.sh, run with a stand-in for the image's /entrypoint.sh."""
    show = tmp_path / "image-entrypoint"
    show.write_text('#!/bin/sh\necho "args=$*"\necho "secret=$LIVEKIT_API_SECRET"\necho "aws=$AWS_SECRET_ACCESS_KEY"\n')
    show.chmod(0o755)
    text = (ROOT / "deploy" / "egress" / "entrypoint.sh").read_text()
    assert "exec /entrypoint.sh" in text
    script = tmp_path / "entrypoint.sh"
    script.write_text(text.replace("exec /entrypoint.sh", f"exec {show}"))
    (tmp_path / "lk").write_text("lk-secret\n")
    (tmp_path / "s3").write_text("s3-secret\n")
    env = {
        "PATH": os.environ["PATH"],
        "LIVEKIT_API_SECRET_FILE": str(tmp_path / "lk"),
        "AWS_SECRET_ACCESS_KEY_FILE": str(tmp_path / "s3"),
    }
    result = subprocess.run(["bash", str(script), "x"], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["args=x", "secret=lk-secret", "aws=s3-secret"]
