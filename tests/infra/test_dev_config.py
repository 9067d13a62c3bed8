"""`make dev` exactly as it runs: the Makefile's honcho command line, Procfile.dev and
scripts/livekit.sh, in a sandbox where daphne, python and livekit-server are recorders that note
their arguments and environment instead of serving."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from honcho.environ import parse_procfile

from webhooks.events import EVENTS

ROOT = Path(__file__).resolve().parents[2]
# A developer's shell: none of the test suite's own variables (PORT, LIVEKIT_*, ...).
CLEAN_ENV = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}

# Notes its command line and WEB_PORT, then waits (bounded) until every Procfile process has been
# reached, so honcho, which stops everything when one process exits, never cuts one short.
RECORDER = """#!/bin/sh
name=$(basename "$0")
printf '%s\\n' "$@" > "{records}/$name.$$.args"
printf '%s' "${{WEB_PORT:-}}" > "{records}/$name.$$.web_port"
for _ in $(seq 1 200); do
  [ "$(ls "{records}" | grep -c '[.]web_port$')" -ge {processes} ] && exit 0
  sleep 0.05
done
exit 1
"""


def make_dev_command(**variables: str) -> str:
    """The honcho line `make dev` runs, as make itself expands it (make -n prints, runs nothing)."""
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "dev", *(f"{name}={value}" for name, value in variables.items())],
        cwd=ROOT,
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [line for line in result.stdout.splitlines() if "honcho" in line and " start" in line]
    assert len(lines) == 1, result.stdout
    return lines[0]


def run_make_dev_in_sandbox(tmp_path: Path, command: str) -> Path:
    """Run `command` in a copy of the checkout's Procfile.dev and scripts/ where the servers are recorders."""
    records = tmp_path / "records"
    records.mkdir()
    procfile = parse_procfile((ROOT / "Procfile.dev").read_text())
    shutil.copy(ROOT / "Procfile.dev", tmp_path / "Procfile.dev")
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / "tools" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "honcho").symlink_to(Path(sys.executable).parent / "honcho")
    for fake in (
        tmp_path / ".venv" / "bin" / "daphne",
        tmp_path / ".venv" / "bin" / "python",
        tmp_path / "tools" / "bin" / "server",
        tmp_path / "tools" / "bin" / "egress",
    ):
        fake.write_text(RECORDER.format(records=records, processes=len(procfile.processes)))
        fake.chmod(0o755)
    if (ROOT / "scripts" / "secrets.sh").exists():
        subprocess.run(["scripts/secrets.sh"], cwd=tmp_path, env=CLEAN_ENV, check=True, capture_output=True, timeout=30)
    result = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=CLEAN_ENV, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return records


def recorded_args(records: Path, name: str) -> list[str]:
    files = list(records.glob(f"{name}.*.args"))
    assert len(files) == 1, f"{name} ran {len(files)} times"
    return files[0].read_text().splitlines()


@pytest.mark.parametrize("variables", [{}, {"WEB_PORT": "8123"}], ids=["default", "WEB_PORT=8123"])
def test_make_dev_points_livekit_webhooks_at_the_port_web_binds(tmp_path: Path, variables: dict[str, str]) -> None:
    records = run_make_dev_in_sandbox(tmp_path, make_dev_command(**variables))

    daphne = recorded_args(records, "daphne")
    web_port = int(daphne[daphne.index("-p") + 1])
    config = yaml.safe_load((tmp_path / "var" / "livekit-dev.yaml").read_text())
    webhook = config["webhook"]["urls"][0]

    assert webhook == f"http://127.0.0.1:{web_port}/livekit/webhook"
    # a big lecture's events fit LiveKit's per-room queue (its default of 200 dropped 112 of 300 leaves)
    assert config["webhook"]["resource_url_notifier"]["max_depth"] >= 1000
    assert set(config["webhook"]["filter_params"]["include_events"]) == set(EVENTS)  # what we act on, no more
    assert web_port == int(variables.get("WEB_PORT", "8000"))
    assert recorded_args(records, "server") == ["--config", "var/livekit-dev.yaml"]


def test_every_make_dev_process_knows_the_web_port_so_links_point_at_web(tmp_path: Path) -> None:
    """Settings build SITE_URL (invite links in e-mails from the task worker) from WEB_PORT."""
    records = run_make_dev_in_sandbox(tmp_path, make_dev_command(WEB_PORT="8123"))
    seen = {path.read_text() for path in records.glob("*.web_port")}
    assert seen == {"8123"}
    assert len(list(records.glob("*.web_port"))) == len(parse_procfile((ROOT / "Procfile.dev").read_text()).processes)


def test_settings_take_the_web_port_from_web_port_not_from_honchos_port() -> None:
    env = {
        **CLEAN_ENV,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRETS_FILE": os.devnull,
        "WEB_PORT": "8123",
        "PORT": "8300",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "http://127.0.0.1:8123"
