"""The audit log reads as sentences and carries the address of every request that caused an event."""

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from adminpanel import audit_csv
from audit.models import AuditEvent
from audit.services import record_audit
from audit.tasks import prune_audit_events, prune_old_events
from lectures.life import open_room
from lobby.models import LobbyEntry
from rooms.models import Room
from rooms.services import create_room

pytestmark = pytest.mark.django_db


def test_a_host_admitting_a_student_reads_as_a_sentence_with_the_ip(
    admin_client: Client, host_client: Client, room: Room, livekit: None
) -> None:
    open_room(room=room)
    student = Client(REMOTE_ADDR="10.9.0.4")
    body = json.dumps({"display_name": "Ben Okafor", "fingerprint": "fp-ben-000000001"})
    assert student.post(f"/api/v1/rooms/{room.code}/join", body, content_type="application/json").status_code == 202
    entry = LobbyEntry.objects.get(status="pending")
    url = f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/admit"
    assert host_client.post(url, "{}", content_type="application/json", REMOTE_ADDR="198.51.100.9").status_code == 200
    assert AuditEvent.objects.get(action="lobby.admit").ip_address == "198.51.100.9"
    page = admin_client.get("/admin/audit/").content.decode()
    assert "<strong>Ada Prof</strong> admitted <strong>Ben Okafor</strong>" in page
    assert "198.51.100.9" in page and room.title in page


@pytest.fixture
def events(admin: User, host: User, room: Room) -> dict[str, AuditEvent]:
    """Three events: a host's admission in the room today, an admin's account change last week,
    and a guest-named event whose target would run as a spreadsheet formula."""
    other = create_room(host=host, title="MATH 201")
    admitted = record_audit(action="lobby.admit", room=room, actor=host, target="Ben Okafor", ip_address="10.0.0.1")
    updated = record_audit(action="account.update", actor=admin, target="prof@uni.example")
    AuditEvent.objects.filter(pk=updated.pk).update(created_at=timezone.now() - timedelta(days=7))
    formula = record_audit(action="lobby.reject", room=other, actor_label="=HYPERLINK(1)", target="@SUM(A1)")
    return {"admitted": admitted, "updated": updated, "formula": formula}


def shown(client: Client, query: str) -> set[str]:
    response = client.get(f"/admin/audit/?{query}")
    assert response.status_code == 200
    return {e.action for e in AuditEvent.objects.all() if f"<code>{e.action}</code>" in response.content.decode()}


def test_the_audit_log_filters_by_room_actor_type_and_date(admin_client: Client, events: dict, room: Room) -> None:
    assert shown(admin_client, "") == {"lobby.admit", "account.update", "lobby.reject"}
    assert shown(admin_client, f"room={room.code}") == {"lobby.admit"}
    assert shown(admin_client, "room=math") == {"lobby.reject"}
    assert shown(admin_client, "actor=Prof") == {"lobby.admit"}
    assert shown(admin_client, "actor=admin%40uni") == {"account.update"}
    assert shown(admin_client, "action=lobby.reject") == {"lobby.reject"}
    today = timezone.localdate()
    assert shown(admin_client, f"since={today}") == {"lobby.admit", "lobby.reject"}
    assert shown(admin_client, f"until={today - timedelta(days=1)}") == {"account.update"}


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "until=2026-13-40",
        "since=2026-05-02&until=2026-05-01",
        "action=%3Cscript%3E",
        "room=a%0Ab",
        "until=9999-12-31",
        "since=0001-01-01",
    ],
)
def test_a_bad_audit_filter_is_a_400_on_the_page_and_the_export(admin_client: Client, query: str) -> None:
    assert admin_client.get(f"/admin/audit/?{query}").status_code == 400
    assert admin_client.get(f"/admin/audit/export.csv?{query}").status_code == 400


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_export_holds_the_filtered_events_with_formulas_defused(
    admin_client: Client, events: dict, room: Room
) -> None:
    response = admin_client.get("/admin/audit/export.csv?action=lobby.reject")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0] == audit_csv.HEADER and len(rows) == 2
    _, actor, sentence, action, target, room_title, _, _ = rows[1]
    assert (actor, action, target, room_title) == ("'=HYPERLINK(1)", "lobby.reject", "'@SUM(A1)", "MATH 201")
    assert sentence == "'=HYPERLINK(1) turned away @SUM(A1)"
    everything = admin_client.get(f"/admin/audit/export.csv?room={room.code}")
    (_, admitted) = csv_rows(everything)
    assert admitted[2] == "Ada Prof admitted Ben Okafor" and admitted[7] == "10.0.0.1"


@pytest.mark.parametrize("value", ["-1", "+1", "=1", "@a", "\t1", "\r1"])
def test_every_formula_start_is_quoted(value: str) -> None:
    assert audit_csv.safe_cell(value) == "'" + value
    assert audit_csv.safe_cell("Ben " + value) == "Ben " + value


def test_audit_events_older_than_the_retention_are_deleted_daily(events: dict, settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 3
    prune_audit_events.call()
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"lobby.admit", "lobby.reject"}
    (next_run,) = DBTaskResult.objects.filter(task_path="audit.tasks.prune_audit_events")
    assert next_run.run_after > timezone.now() + timedelta(hours=23)
    settings.AUDIT_RETENTION_DAYS = 0
    AuditEvent.objects.update(created_at=timezone.now() - timedelta(days=9999))
    assert prune_old_events() == 0 and AuditEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_starts_each_periodic_chain_once(events: dict, settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 3
    worker = ["--", "--batch", "--no-startup-delay", "--no-reload"]
    call_command("run_tasks", *worker, verbosity=0)  # queues the chains and runs what is due
    call_command("run_tasks", *worker, verbosity=0)  # a second worker (or a restart) adds nothing
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"lobby.admit", "lobby.reject"}
    waiting = DBTaskResult.objects.filter(status="READY")
    (audit_pass,) = waiting.filter(task_path="audit.tasks.prune_audit_events")
    (retention_pass,) = waiting.filter(task_path="recordings.tasks.apply_retention")
    assert audit_pass.run_after > timezone.now() + timedelta(hours=23)
    assert retention_pass.run_after > timezone.now() + timedelta(minutes=59)
