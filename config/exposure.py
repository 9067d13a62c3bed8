"""Who can reach this process, and which secrets that allows: read by config/settings.py at import.

A site only its own machine can reach (loopback bind, no DOMAIN, no dev access key) may fall back
to the public development secrets printed in this repository; any other site must be given its own
secrets, or it refuses to start. Plain functions of argv and the environment, so tests can call them.
"""

import re
from collections.abc import Mapping, Sequence
from ipaddress import ip_address
from pathlib import Path

# Values printed in this repository (old defaults, .env.example): known to everyone, never enough
# for a site that others can reach.
PUBLIC_SECRETS = frozenset(
    {
        "dev-only-insecure-secret-key-change-me-0123456789abcdef",
        "lectern-dev-secret-0123456789abcdefghijkl",
    }
)
LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


class InsecureConfiguration(Exception):
    """The process would serve others with secrets everyone knows (or with DEBUG on)."""


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines of a dotenv file such as the one scripts/secrets.sh writes."""
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text().splitlines():
        name, separator, value = line.strip().partition("=")
        if separator and name and not name.startswith("#"):
            values[name.strip()] = value.strip().strip("'\"")
    return values


def is_loopback(address: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost; a UNIX socket or inherited fd is local too ("")."""
    host = address.strip().strip("[]")
    if host == "" or host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: whatever it resolves to, others may reach it


def _option(argv: Sequence[str], *names: str) -> str | None:
    """The value of the last `-x value`, `--name value` or `--name=value` among argv."""
    found = None
    for index, argument in enumerate(argv):
        for name in names:
            if argument == name and index + 1 < len(argv):
                found = argv[index + 1]
            elif name.startswith("--") and argument.startswith(name + "="):
                found = argument.split("=", 1)[1]
    return found


def _daphne_bind(argv: Sequence[str]) -> str:
    endpoint = _option(argv, "-e", "--endpoint")
    if endpoint is not None:
        if not endpoint.startswith(("tcp", "ssl")):
            return ""  # unix socket or file descriptor
        match = re.search(r"interface=([^:]+)", endpoint.replace("\\:", ":"))
        return match.group(1) if match else "0.0.0.0"  # noqa: S104 - Twisted's default: every interface
    if _option(argv, "-u", "--unix-socket") is not None or _option(argv, "--fd") is not None:
        return ""
    return _option(argv, "-b", "--bind") or "127.0.0.1"  # daphne's own default


def _runserver_bind(argv: Sequence[str]) -> str:
    position = list(argv).index("runserver")
    for argument in argv[position + 1 :]:
        if argument.startswith("-"):
            continue
        host = argument.rpartition(":")[0]
        if not host:
            return "127.0.0.1"  # only a port
        return "0.0.0.0" if host == "0" else host  # noqa: S104 - runserver's shorthand for every interface
    return "127.0.0.1"


def bind_address(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """Where this process listens: BIND_ADDRESS, else daphne's, uvicorn's or runserver's command line,
    else loopback (workers, management commands and tests serve nobody)."""
    if environ.get("BIND_ADDRESS"):
        return environ["BIND_ADDRESS"]
    program = Path(argv[0]).name if argv else ""
    if program == "daphne" or str(argv[0]).endswith(("daphne/__main__.py", "daphne/cli.py")):
        return _daphne_bind(argv[1:])
    if program == "uvicorn" or str(argv[0]).endswith("uvicorn/__main__.py"):
        return _option(argv[1:], "--host") or "127.0.0.1"
    if "runserver" in argv:
        return _runserver_bind(argv)
    return "127.0.0.1"


def exposure(*, bind: str, domain: str, dev_access_key: str) -> list[str]:
    """Why others can reach this site (empty: only this machine can)."""
    reasons = []
    if domain:
        reasons.append(f"DOMAIN is set ({domain})")
    if not is_loopback(bind):
        reasons.append(f"it listens on {bind}, beyond loopback")
    if dev_access_key:
        reasons.append("DEV_ACCESS_KEY is set (a shared staging site)")
    return reasons


def check_exposed_site(*, reasons: list[str], secrets: Mapping[str, str], debug_requested: bool) -> None:
    """Refuse a site others can reach that runs with missing or public secrets, or with DEBUG on."""
    if not reasons:
        return
    weak = [name for name, value in secrets.items() if not value or value in PUBLIC_SECRETS]
    problems = []
    if weak:
        values = "private values" if len(weak) > 1 else "a private value"
        problems.append(
            f"{' and '.join(weak)} must be set to {values} (or NAME_FILE=/path); "
            "the defaults printed in the repository are public"
        )
    if debug_requested:
        problems.append("DEBUG must be off")
    if problems:
        raise InsecureConfiguration(
            "Lectern refuses to start: "
            + "; ".join(reasons)
            + ", so "
            + "; ".join(problems)
            + ". Generate secrets with scripts/secrets.sh or deploy/make-secrets.sh (see README, Secrets)."
        )
