import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_audit
from core.models import AISettings
from lectures.life import open_room
from rooms.models import Room

pytestmark = pytest.mark.django_db


def test_admin_sees_every_live_room_with_its_host(admin_client: Client, room: Room, livekit) -> None:
    open_room(room=room)
    page = admin_client.get("/admin/").content.decode()
    assert room.code in page and "prof@uni.example" in page


def test_only_admins_reach_the_dashboard(host_client: Client, client: Client) -> None:
    for path in ("/admin/", "/admin/accounts/", "/admin/ai/", "/admin/audit/"):
        assert host_client.get(path).status_code == 403
        assert client.get(path).status_code == 302


def test_admin_changes_a_role_and_it_is_audited(admin_client: Client, host: User) -> None:
    response = admin_client.post(f"/admin/accounts/{host.pk}/", {"role": "ADMIN", "is_active": "on"})
    assert response.status_code == 302
    host.refresh_from_db()
    assert host.role == "ADMIN" and host.is_staff
    event = AuditEvent.objects.get(action="account.update")
    assert event.target == host.email and event.detail == {"role": ["HOST", "ADMIN"]}


def test_the_last_admin_cannot_be_demoted(admin_client: Client, admin: User) -> None:
    admin_client.post(f"/admin/accounts/{admin.pk}/", {"role": "HOST", "is_active": "on"})
    admin.refresh_from_db()
    assert admin.role == "ADMIN"


def test_bad_role_is_refused(admin_client: Client, host: User) -> None:
    admin_client.post(f"/admin/accounts/{host.pk}/", {"role": "ROOT"})
    host.refresh_from_db()
    assert host.role == "HOST"
    assert admin_client.post("/admin/accounts/999999/", {"role": "HOST"}).status_code == 404


def test_admin_sets_the_ai_defaults(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/ai/",
        {"engine": "whisper", "whisper_model": "", "language": "de", "summary_provider": "local", "openai_model": ""},
    )
    assert response.status_code == 302
    row = AISettings.load()
    assert row.language == "de" and row.ai_assistant_default is False
    assert admin_client.post("/admin/ai/", {"engine": "nonsense", "language": "en"}).status_code == 400


def test_audit_log_lists_events_escaped(admin_client: Client, room: Room) -> None:
    record_audit(action="participant.ban", room=room, actor_label="prof@uni.example", target="<script>x</script>")
    page = admin_client.get("/admin/audit/?action=participant.ban").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
