"""The settings page: configuration with secrets masked, the webhook's health, the editable defaults."""

from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from core.models import SiteDefaults
from rooms.services import create_room
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db


def test_settings_mask_every_secret(admin_client: Client, settings: Any) -> None:
    settings.LIVEKIT_API_SECRET = "super-secret-livekit-value"
    settings.STORAGE_BACKEND = "s3"
    settings.S3_SECRET_KEY = "s3-secret-key-value"
    page = admin_client.get("/admin/settings/").content.decode()
    assert settings.LIVEKIT_URL in page and settings.LIVEKIT_API_KEY in page
    assert "super-secret-livekit-value" not in page and "su••••••••ue" in page
    assert "s3-secret-key-value" not in page
    assert "/livekit/webhook" in page and "none yet" in page
    assert "DEBUG is off" in page and "out of scope" in page


def test_settings_show_the_last_webhook(admin_client: Client) -> None:
    WebhookEvent.objects.create(event_id="EV_1", event="room_started")
    assert "none yet" not in admin_client.get("/admin/settings/").content.decode()


def test_admin_changes_the_defaults_new_rooms_start_with(admin_client: Client, host: Any) -> None:
    form = {"student_uploads_default": "on", "attendee_access_default": "on", "retention_days": "90"}
    assert admin_client.post("/admin/settings/", form, REMOTE_ADDR="192.0.2.5").status_code == 302
    defaults = SiteDefaults.load()
    assert defaults.retention_days == 90 and defaults.student_uploads_default
    event = AuditEvent.objects.get(action="settings.update")
    assert event.detail["retention_days"] == [365, 90] and event.ip_address == "192.0.2.5"
    room = create_room(host=host, title="New course")
    assert room.student_uploads and room.attendees_see_lecture
    assert admin_client.post("/admin/settings/", {"retention_days": "0"}).status_code == 400


def test_the_security_overview_warns_with_advice_for_each_failing_item(admin_client: Client, settings: Any) -> None:
    settings.DEBUG = True
    settings.SITE_URL = "http://lectern.uni.example"
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = True
    settings.ALLOWED_HOSTS = ["*"]
    page = admin_client.get("/admin/settings/").content.decode()
    assert '<p class="notice notice-warning" role="alert">4 of 6 security items need attention: ' in page
    for failing, advice in (
        ("DEBUG is off", "Set DEBUG=false in production."),
        ("The site is served over HTTPS", "Set SITE_URL to https://…"),
        ("Session cookies are secure", "Serve over HTTPS in production."),
        ("Allowed hosts are named", "List the site&#x27;s host names in ALLOWED_HOSTS."),
    ):
        assert f'<strong class="notice notice-warning">✗ {failing}</strong> — {advice}' in page
    assert "✓ CSRF cookies are secure" in page and "✓ Content-Security-Policy is on" in page


def test_a_deployment_passing_every_check_shows_no_warning(admin_client: Client, settings: Any) -> None:
    settings.DEBUG = False
    settings.SITE_URL = "https://lectern.uni.example"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.ALLOWED_HOSTS = ["lectern.uni.example", "testserver"]
    page = admin_client.get("/admin/settings/").content.decode()
    assert "need attention" not in page and "✗" not in page
    assert "Audit events are kept 365 days" in page and "SIP trunks and dispatch rules" in page
