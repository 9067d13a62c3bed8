"""The layer contracts in pyproject.toml hold for the code, and they do fail on an upward import."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_of_the_code(destination: Path) -> Path:
    """The project's packages and its pyproject.toml, in a folder of their own."""
    for package in CONFIG["root_packages"]:
        if not (ROOT / package).is_dir():
            continue  # an installed package (livekit), found through the environment
        shutil.copytree(ROOT / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def _lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(folder / "pyproject.toml")],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_contract_is_kept_by_the_code_as_it_is(tmp_path: Path) -> None:
    result = _lint_imports(_copy_of_the_code(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward_import", "contract"),
    [
        ("rooms/models.py", "import lectures.life", "Each app imports only the layers below it"),
        ("participants/access.py", "import lobby.services", "Each app imports only the layers below it"),
        ("lobby/services.py", "import summaries.tasks", "Each app imports only the layers below it"),
        ("chat/services.py", "import moderation.services", "Each app imports only the layers below it"),
        ("lectures/views.py", "import agent.worker", "The web process never imports the agent worker"),
        ("moderation/services.py", "from livekit import api", "Only rooms.livekit_server talks to the LiveKit"),
    ],
)
def test_an_import_that_breaks_a_contract_fails_the_lint(
    tmp_path: Path, module: str, upward_import: str, contract: str
) -> None:
    folder = _copy_of_the_code(tmp_path)
    source = folder / module
    source.write_text(source.read_text() + f"\n{upward_import}  # the deliberate violation\n")
    result = _lint_imports(folder)
    assert result.returncode != 0
    assert "1 broken" in result.stdout
    assert contract in result.stdout.split("Broken contracts", 1)[1]
