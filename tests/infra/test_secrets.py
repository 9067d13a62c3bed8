"""Public default secrets (issue 10, item 3): a site others can reach never runs with a secret printed
in the repository, nor with DEBUG; `make dev` generates its own once; the tests use their own."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from config.exposure import PUBLIC_SECRETS, bind_address

ROOT = Path(__file__).resolve().parents[2]
PRIVATE = {
    "DJANGO_SECRET_KEY": "a-private-django-secret-for-this-test-only-4f9e1c0b7a",
    "LIVEKIT_API_SECRET": "a-private-livekit-secret-for-this-test-only-77d2",
}
PUBLIC = {
    "DJANGO_SECRET_KEY": "dev-only-insecure-secret-key-change-me-0123456789abcdef",
    "LIVEKIT_API_SECRET": "lectern-dev-secret-0123456789abcdefghijkl",
}
REPORT = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'debug': settings.DEBUG, 'secret_key': settings.SECRET_KEY, "
    "'livekit_key': settings.LIVEKIT_API_KEY, 'livekit_secret': settings.LIVEKIT_API_SECRET}))"
)


def bare_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    """A process environment with no secrets at all, plus `variables`."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "SECRETS_FILE": str(tmp_path / "no-secrets.env"),
        **variables,
    }


def load_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        env=bare_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=60,
    )


def loaded(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def refused(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    assert "Lectern refuses to start" in result.stderr, result.stderr
    return result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_daphne_on_every_interface_without_secrets_refuses_to_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "daphne", "-b", "0.0.0.0", "-p", str(free_port()), "config.asgi:application"],  # noqa: S104
        cwd=ROOT,
        env=bare_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    message = refused(result)
    assert "listens on 0.0.0.0" in message
    assert "DJANGO_SECRET_KEY and LIVEKIT_API_SECRET must be set" in message


def test_a_domain_without_secrets_refuses_to_start(tmp_path: Path) -> None:
    message = refused(load_settings(tmp_path, DOMAIN="lectern.uni.example"))
    assert "DOMAIN is set" in message and "DJANGO_SECRET_KEY" in message


@pytest.mark.parametrize(
    "exposed",
    [{"BIND_ADDRESS": "0.0.0.0"}, {"DOMAIN": "lectern.uni.example"}, {"DEV_ACCESS_KEY": "staging-key"}],  # noqa: S104
    ids=["non-loopback bind", "DOMAIN", "staging access key"],
)
def test_the_public_values_printed_in_the_repository_are_refused_when_others_can_reach_the_site(
    tmp_path: Path, exposed: dict[str, str]
) -> None:
    message = refused(load_settings(tmp_path, **exposed, **PUBLIC))
    assert "the defaults printed in the repository are public" in message


def test_one_public_secret_is_enough_to_refuse(tmp_path: Path) -> None:
    message = refused(
        load_settings(
            tmp_path,
            BIND_ADDRESS="10.0.0.5",
            DJANGO_SECRET_KEY=PRIVATE["DJANGO_SECRET_KEY"],
            LIVEKIT_API_SECRET=PUBLIC["LIVEKIT_API_SECRET"],
        )
    )
    assert "LIVEKIT_API_SECRET must be set" in message and "DJANGO_SECRET_KEY and" not in message


def test_debug_is_refused_beyond_loopback(tmp_path: Path) -> None:
    message = refused(load_settings(tmp_path, BIND_ADDRESS="0.0.0.0", DEBUG="1", **PRIVATE))  # noqa: S104
    assert "DEBUG must be off" in message


def test_private_secrets_start_beyond_loopback_with_debug_off(tmp_path: Path) -> None:
    report = loaded(load_settings(tmp_path, BIND_ADDRESS="0.0.0.0", **PRIVATE))  # noqa: S104
    assert report["debug"] is False
    assert report["secret_key"] == PRIVATE["DJANGO_SECRET_KEY"]


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    secret_file = tmp_path / "django_secret_key"
    secret_file.write_text(PRIVATE["DJANGO_SECRET_KEY"] + "\n")
    report = loaded(
        load_settings(
            tmp_path,
            DOMAIN="lectern.uni.example",
            DJANGO_SECRET_KEY_FILE=str(secret_file),
            LIVEKIT_API_SECRET=PRIVATE["LIVEKIT_API_SECRET"],
        )
    )
    assert report["secret_key"] == PRIVATE["DJANGO_SECRET_KEY"] and report["debug"] is False


def test_loopback_runs_with_debug(tmp_path: Path) -> None:
    assert loaded(load_settings(tmp_path))["debug"] is True


def test_make_dev_generates_private_secrets_once_and_settings_and_livekit_use_them(tmp_path: Path) -> None:
    secrets_file = tmp_path / "secrets.env"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    subprocess.run(["scripts/secrets.sh", str(secrets_file)], cwd=ROOT, env=env, check=True, timeout=30)
    first = secrets_file.read_text()
    subprocess.run(["scripts/secrets.sh", str(secrets_file)], cwd=ROOT, env=env, check=True, timeout=30)
    assert secrets_file.read_text() == first, "the secrets are generated once, then kept"
    assert secrets_file.stat().st_mode & 0o077 == 0, "only the owner may read them"
    generated = dict(line.split("=", 1) for line in first.splitlines() if "=" in line and not line.startswith("#"))
    assert set(generated) == {"DJANGO_SECRET_KEY", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET"}
    assert not set(generated.values()) & PUBLIC_SECRETS

    report = loaded(load_settings(tmp_path, SECRETS_FILE=str(secrets_file)))
    assert report["secret_key"] == generated["DJANGO_SECRET_KEY"]
    assert (report["livekit_key"], report["livekit_secret"]) == (
        generated["LIVEKIT_API_KEY"],
        generated["LIVEKIT_API_SECRET"],
    )

    config_env = {**env, "SECRETS_FILE": str(secrets_file), "LIVEKIT_PORT": "7999", "WEB_PORT": "8999"}
    written = subprocess.run(
        ["scripts/livekit.sh", "config", f"secrets-check-{os.getpid()}"],
        cwd=ROOT,
        env=config_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.strip()
    config = yaml.safe_load((ROOT / written).read_text())
    (ROOT / written).unlink()
    assert config["keys"] == {generated["LIVEKIT_API_KEY"]: generated["LIVEKIT_API_SECRET"]}
    assert config["webhook"]["api_key"] == generated["LIVEKIT_API_KEY"]


def test_the_generated_secrets_file_is_git_ignored() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", "var/secrets.env"], cwd=ROOT, timeout=30)
    assert ignored.returncode == 0


def test_livekit_config_without_any_keys_is_refused(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "SECRETS_FILE": str(tmp_path / "none.env")}
    result = subprocess.run(
        ["scripts/livekit.sh", "config", "dev"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0 and "LiveKit keys missing" in result.stderr


def test_the_test_suite_runs_on_its_own_secrets() -> None:
    assert settings.SECRET_KEY not in PUBLIC_SECRETS
    assert settings.LIVEKIT_API_SECRET not in PUBLIC_SECRETS


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["/x/.venv/bin/daphne", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"], "0.0.0.0"),  # noqa: S104
        (["/x/.venv/bin/daphne", "--bind=10.1.2.3", "config.asgi:application"], "10.1.2.3"),
        (["/x/.venv/bin/daphne", "-p", "8000", "config.asgi:application"], "127.0.0.1"),
        (["/x/daphne/__main__.py", "-e", "tcp:port=8000", "config.asgi:application"], "0.0.0.0"),  # noqa: S104
        (["/x/daphne/__main__.py", "-e", "tcp:port=8000:interface=127.0.0.1", "config.asgi:application"], "127.0.0.1"),
        (["/x/daphne/__main__.py", "-u", "/run/lectern.sock", "config.asgi:application"], ""),
        (["manage.py", "runserver", "0:8000"], "0.0.0.0"),  # noqa: S104
        (["manage.py", "runserver", "8000"], "127.0.0.1"),
        (["manage.py", "db_worker"], "127.0.0.1"),
    ],
)
def test_the_bind_address_is_read_from_the_server_command_line(argv: list[str], expected: str) -> None:
    assert bind_address(argv, {}) == expected


def test_bind_address_variable_wins_over_the_command_line() -> None:
    assert bind_address(["daphne", "-b", "127.0.0.1"], {"BIND_ADDRESS": "0.0.0.0"}) == "0.0.0.0"  # noqa: S104
