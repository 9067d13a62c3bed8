"""The attendance ledger from signed webhooks: intervals per identity, once per event id, healed by
reconciliation with the server's participant list."""

import json
import threading
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from audit.models import AuditEvent
from lectures.attendance import reconcile_attendance, record_join
from lectures.models import AttendanceInterval
from rooms import livekit_server
from rooms.models import Room
from tests.conftest import wait_for
from tests.moderation.conftest import admit_student
from webhooks.dispatch import apply_pending, store_webhook
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db(transaction=True)

T0 = 1_800_000_000


def webhook(client: Client, lecture, event: str, event_id: str, identity: str, at: int, name: str = "Grace"):
    body = json.dumps(
        {
            "event": event,
            "id": event_id,
            "createdAt": str(at),
            "room": {"name": lecture.livekit_room, "sid": "RM_test"},
            "participant": {"identity": identity, "name": name, "attributes": {"role": "guest"}},
        }
    ).encode()
    return client.post(
        "/livekit/webhook",
        body,
        content_type="application/webhook+json",
        HTTP_AUTHORIZATION=livekit_server.sign_webhook(body=body),
    )


def applied() -> None:
    """The endpoint answers before it applies: wait until every stored event is applied."""
    wait_for(lambda: not WebhookEvent.objects.filter(processed_at__isnull=True).exists(), what="webhooks applied")


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def test_join_leave_rejoin_make_two_intervals_and_repeats_change_nothing(
    host_client: Client, room: Room, lecture
) -> None:
    grace = admit_student(host_client, room, "Grace", "fp-grace-00001")
    client = Client()
    assert webhook(client, lecture, "participant_joined", "EV_1", grace.identity, T0).status_code == 204
    webhook(client, lecture, "participant_joined", "EV_1", grace.identity, T0)  # duplicate delivery
    webhook(client, lecture, "participant_left", "EV_2", grace.identity, T0 + 600)
    webhook(client, lecture, "participant_left", "EV_2", grace.identity, T0 + 600)
    webhook(client, lecture, "participant_joined", "EV_3", grace.identity, T0 + 900)
    webhook(client, lecture, "participant_connection_aborted", "EV_4", grace.identity, T0 + 1500)
    applied()
    intervals = list(AttendanceInterval.objects.filter(identity=grace.identity).values_list("joined_at", "left_at"))
    assert intervals == [(at(T0), at(T0 + 600)), (at(T0 + 900), at(T0 + 1500))]
    assert AttendanceInterval.objects.filter(identity=grace.identity).first().guest.display_name == "Grace"


def test_room_finished_closes_every_open_interval(host_client: Client, room: Room, lecture) -> None:
    ada = admit_student(host_client, room, "Ada", "fp-ada-0000001")
    bob = admit_student(host_client, room, "Bob", "fp-bob-0000001")
    client = Client()
    webhook(client, lecture, "participant_joined", "EV_1", ada.identity, T0)
    webhook(client, lecture, "participant_joined", "EV_2", bob.identity, T0 + 5)
    webhook(client, lecture, "room_finished", "EV_3", "", T0 + 3600)
    applied()
    assert AttendanceInterval.objects.count() == 2
    assert set(AttendanceInterval.objects.values_list("left_at", flat=True)) == {at(T0 + 3600)}
    lecture.refresh_from_db()
    assert lecture.status == "ended"


def test_one_identity_has_at_most_one_open_interval_even_when_joins_race(
    host_client: Client, room: Room, lecture
) -> None:
    """A late join webhook and reconciliation may open the same presence at the same moment."""
    grace = admit_student(host_client, room, "Grace", "fp-grace-00001")
    barrier = threading.Barrier(6, timeout=60)

    def join() -> None:
        barrier.wait()
        try:
            record_join(lecture=lecture, identity=grace.identity, at=at(T0))
        finally:
            connection.close()

    threads = [threading.Thread(target=join) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AttendanceInterval.objects.filter(identity=grace.identity, left_at__isnull=True).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceInterval.objects.create(lecture=lecture, identity=grace.identity, display_name="x", joined_at=at(T0))
    # a closed interval and a new open one are the ordinary leave-and-return
    AttendanceInterval.objects.filter(identity=grace.identity).update(left_at=at(T0 + 60))
    assert record_join(lecture=lecture, identity=grace.identity, at=at(T0 + 120)).joined_at == at(T0 + 120)
    assert AttendanceInterval.objects.filter(identity=grace.identity).count() == 2


def test_reconciliation_heals_missed_webhooks(host_client: Client, room: Room, lecture, peers) -> None:
    grace = admit_student(host_client, room, "Grace", "fp-grace-00001")
    peer = peers.connect(grace.credentials)
    # her join webhook is lost (deleted here; a late one may still land): reconciliation sees her anyway
    wait_for(
        lambda: grace.identity in {p.identity for p in livekit_server.list_participants(room=lecture.livekit_room)}
    )
    AttendanceInterval.objects.all().delete()
    opened, closed = reconcile_attendance(lecture=lecture)
    assert closed == 0
    assert opened == 1 or AttendanceInterval.objects.filter(identity=grace.identity).exists()
    interval = AttendanceInterval.objects.get(identity=grace.identity)
    assert interval.left_at is None and interval.guest.display_name == "Grace"
    assert reconcile_attendance(lecture=lecture) == (0, 0)
    peer.disconnect()

    def departed() -> bool:
        reconcile_attendance(lecture=lecture)  # or her participant_left webhook, if a web process runs
        interval.refresh_from_db()
        return interval.left_at is not None

    wait_for(departed, what="her departure to be reconciled")


def test_real_webhooks_from_livekit_open_and_close_an_interval(
    host_client: Client, room: Room, lecture, peers, web_server
) -> None:
    grace = admit_student(host_client, room, "Grace", "fp-grace-00001")
    peer = peers.connect(grace.credentials)
    wait_for(lambda: AttendanceInterval.objects.filter(identity=grace.identity).exists(), what="participant_joined")
    peer.disconnect()
    wait_for(
        lambda: AttendanceInterval.objects.filter(identity=grace.identity, left_at__isnull=False).exists(),
        what="participant_left",
    )


def test_a_batch_of_joins_and_leaves_is_applied_in_order_in_a_few_statements(
    host_client: Client, room: Room, lecture, django_assert_max_num_queries
) -> None:
    """300 students leaving at once arrive as one batch: its cost must not grow with the students."""
    students = [admit_student(host_client, room, f"S{n}", f"fp-batch-{n:06}") for n in range(20)]
    events = []
    for n, student in enumerate(students):  # everyone joins, leaves and comes back; some join twice
        identity = student.identity
        events += [("participant_joined", identity, T0 + n), ("participant_left", identity, T0 + 600 + n)]
        events += [("participant_joined", identity, T0 + 900 + n)] * (2 if n % 2 else 1)
    events.append(("participant_joined", "stranger-never-minted", T0 + 5))
    for n, (kind, identity, when) in enumerate(events):
        store_webhook(
            event=livekit_server.WebhookEvent(
                id=f"EV_B{n}",
                event=kind,
                room_name=lecture.livekit_room,
                room_sid="RM_test",
                participant_identity=identity,
                participant_sid="",
                created_at=when,
            )
        )
    with django_assert_max_num_queries(20):  # per event, it would be hundreds
        assert apply_pending(livekit_room=lecture.livekit_room) == len(events)
    for n, student in enumerate(students):
        intervals = list(
            AttendanceInterval.objects.filter(identity=student.identity).values_list("joined_at", "left_at")
        )
        assert intervals == [(at(T0 + n), at(T0 + 600 + n)), (at(T0 + 900 + n), None)], student.identity
    assert not AttendanceInterval.objects.filter(identity="stranger-never-minted").exists()
    assert AuditEvent.objects.filter(action="participant.unknown", target="stranger-never-minted").exists()

    # the same students leave in a second batch: their open intervals close in one statement
    for n, student in enumerate(students):
        store_webhook(
            event=livekit_server.WebhookEvent(
                id=f"EV_L{n}",
                event="participant_left",
                room_name=lecture.livekit_room,
                room_sid="RM_test",
                participant_identity=student.identity,
                participant_sid="",
                created_at=T0 + 2000 + n,
            )
        )
    with django_assert_max_num_queries(15):
        assert apply_pending(livekit_room=lecture.livekit_room) == len(students)
    for n, student in enumerate(students):
        last = AttendanceInterval.objects.filter(identity=student.identity).order_by("-joined_at").first()
        assert last.left_at == at(T0 + 2000 + n)
