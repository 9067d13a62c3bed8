import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_livekit(client: Client, livekit) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "livekit": "ok"}


def test_healthz_is_503_naming_livekit_when_it_is_down(client: Client, settings) -> None:
    settings.LIVEKIT_URL = "ws://127.0.0.1:9"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["livekit"].startswith("error")


def test_dev_access_key_closes_pages_until_given_once(client: Client, settings, host) -> None:
    settings.DEV_ACCESS_KEY = "let-me-in"
    assert client.get("/accounts/login/").status_code == 403
    assert client.get("/accounts/login/?key=wrong").status_code == 403
    assert client.get("/accounts/login/?key=let-me-in").status_code == 200
    assert client.get("/accounts/login/").status_code == 200  # the cookie remembers it


def test_dev_access_key_leaves_health_and_webhook_open(client: Client, settings) -> None:
    settings.DEV_ACCESS_KEY = "let-me-in"
    settings.LIVEKIT_URL = "ws://127.0.0.1:9"
    assert client.get("/healthz").status_code == 503  # reached the view, not the guard
    assert client.post("/livekit/webhook", b"{}", content_type="application/json").status_code == 401


def test_ip_allow_list_refuses_other_addresses(client: Client, settings) -> None:
    settings.ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/accounts/login/").status_code == 403
    assert client.get("/accounts/login/", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_production_settings_pass_the_deploy_check(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = dict(os.environ, DOMAIN="lectern.uni.example", DJANGO_SECRET_KEY="x" * 64 + "-Production-Secret-9f8e7d")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
