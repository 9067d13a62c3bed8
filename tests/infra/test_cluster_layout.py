"""`make cluster` as API.md's "Local cluster" fixes it, read from the Procfile scripts/cluster.sh writes."""

import os
import shlex
import subprocess
from pathlib import Path

import yaml
from honcho.environ import parse_procfile

ROOT = Path(__file__).resolve().parents[2]


def assignments(command: str) -> tuple[dict[str, str], list[str]]:
    """The VAR=value prefix of a Procfile command, and the program with its arguments."""
    words = shlex.split(command)
    env = {}
    while words and "=" in words[0] and not words[0].startswith(("/", ".")):
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    return env, words


def test_make_cluster_runs_two_of_each_on_one_redis_one_database_with_webhooks_to_web(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "CLUSTER_NAME": f"cluster-layout-{os.getpid()}"}
    procfile_path = (
        ROOT
        / subprocess.run(
            ["scripts/cluster.sh", "procfile"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    )
    processes = {
        name: assignments(command) for name, command in parse_procfile(procfile_path.read_text()).processes.items()
    }
    procfile_path.unlink()

    assert sorted(processes) == sorted(
        ["livekit-a", "livekit-b", "web-a", "web-b", "agent-a", "agent-b", "tasks-a", "tasks-b"]
    )
    web_ports = [int(processes[f"web-{node}"][1][processes[f"web-{node}"][1].index("-p") + 1]) for node in "ab"]
    assert web_ports == [8000, 8001]
    django = [processes[name][0] for name in processes if not name.startswith("livekit")]
    assert len({(variables["REDIS_URL"], variables["DATABASE_URL"]) for variables in django}) == 1
    assert {variables["DEBUG"] for variables in django} == {"0"}
    assert [processes[f"agent-{node}"][1][-1] for node in "ab"] == ["start", "start"]
    assert len({processes[f"agent-{node}"][0]["AGENT_HEALTH_PORT"] for node in "ab"}) == 2

    redis = processes["web-a"][0]["REDIS_URL"].removeprefix("redis://").split("/")[0]
    rtc_ports = []
    for node in "ab":
        variables, command = processes[f"livekit-{node}"]
        config_env = env | variables | {"LIVEKIT_API_KEY": "lectern-test", "LIVEKIT_API_SECRET": "x" * 40}
        written = subprocess.run(
            ["scripts/livekit.sh", "config", command[-1]],
            cwd=ROOT,
            env=config_env,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        config = yaml.safe_load((ROOT / written).read_text())
        (ROOT / written).unlink()
        assert config["port"] == {"a": 7880, "b": 7980}[node]
        assert config["redis"]["address"] == redis
        assert config["webhook"]["urls"] == [f"http://127.0.0.1:{web_ports[0]}/livekit/webhook"]
        rtc_ports += [config["rtc"]["tcp_port"], config["rtc"]["udp_port"]]
    assert len(set(rtc_ports)) == 4
