"""Attendance against the roster and the schedule: present, late, left early, absent; the term CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

from django.http import HttpResponse
from django.test import Client, RequestFactory

from accounts.models import User
from courses.models import CourseSettings, RosterEntry, RosterSession, ScheduledLecture
from lectures.models import AttendanceInterval
from participants.guests import GUEST_COOKIE, remember_guest
from participants.models import GuestSession
from rooms.models import Lecture, Room

START = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def _lecture(room: Room, start: datetime, *, scheduled: bool = True) -> Lecture:
    lecture = Lecture.objects.create(
        room=room,
        title="Trees",
        livekit_room=f"{room.code}-{start:%m%d}",
        started_at=start - timedelta(minutes=3),
        ended_at=start + timedelta(minutes=90),
        status=Lecture.Status.ENDED,
    )
    if scheduled:
        ScheduledLecture.objects.create(
            room=room, starts_at=start, ends_at=start + timedelta(minutes=90), status="completed", lecture=lecture
        )
    return lecture


def _student(room: Room, name: str) -> tuple[RosterEntry, GuestSession]:
    entry = RosterEntry.objects.create(room=room, name=name, email=f"{name.split()[0].lower()}@s.example")
    guest = GuestSession.objects.create(room=room, display_name=name, fingerprint=f"fp-{name.split()[0]}")
    RosterSession.objects.create(entry=entry, guest=guest)
    return entry, guest


def _present(lecture: Lecture, guest: GuestSession, start: timedelta, end: timedelta, n: int = 0) -> None:
    base = ScheduledLecture.objects.filter(lecture=lecture).first()
    at = base.starts_at if base else lecture.started_at
    AttendanceInterval.objects.create(
        lecture=lecture,
        guest=guest,
        identity=f"guest-{guest.pk}-{n}",
        display_name=guest.display_name,
        joined_at=at + start,
        left_at=at + end,
    )


def test_attendance_marks_each_roster_student_against_the_schedule(
    host_client: Client, admin_client: Client, outsider_client: Client, room: Room
) -> None:
    lecture = _lecture(room, START)
    _, on_time_guest = _student(room, "Grace Hopper")
    _, late_guest = _student(room, "Alan Turing")
    _, leaver_guest = _student(room, "Edsger Dijkstra")
    absent, _ = _student(room, "Barbara Liskov")
    _present(lecture, on_time_guest, timedelta(minutes=-2), timedelta(minutes=40))
    _present(lecture, on_time_guest, timedelta(minutes=30), timedelta(minutes=90), n=1)  # second device overlaps
    _present(lecture, late_guest, timedelta(minutes=12), timedelta(minutes=90))
    _present(lecture, leaver_guest, timedelta(minutes=1), timedelta(minutes=50))
    anonymous = GuestSession.objects.create(room=room, display_name="Anon Ymous", fingerprint="fp-anon")
    _present(lecture, anonymous, timedelta(0), timedelta(minutes=10))

    response = host_client.get(f"/api/v1/lectures/{lecture.pk}/attendance")
    assert response.status_code == 200, response.content
    rows = {r["name"]: r for r in response.json()}
    assert rows["Grace Hopper"]["status"] == "present"
    assert rows["Grace Hopper"]["seconds_present"] == 92 * 60  # overlapping devices counted once
    assert len(rows["Grace Hopper"]["intervals"]) == 1
    assert rows["Alan Turing"]["status"] == "late"
    assert rows["Edsger Dijkstra"]["status"] == "left_early"
    assert rows["Barbara Liskov"] == {
        "name": "Barbara Liskov",
        "roster_id": absent.pk,
        "status": "absent",
        "seconds_present": 0,
        "intervals": [],
    }
    assert rows["Anon Ymous"]["roster_id"] is None
    assert response.json()[-1]["name"] == "Anon Ymous"  # anonymous guests apart, after the roster

    CourseSettings.objects.create(room=room, late_minutes=15)
    rows = {r["name"]: r for r in host_client.get(f"/api/v1/lectures/{lecture.pk}/attendance").json()}
    assert rows["Alan Turing"]["status"] == "present"

    assert admin_client.get(f"/api/v1/lectures/{lecture.pk}/attendance").status_code == 200
    assert outsider_client.get(f"/api/v1/lectures/{lecture.pk}/attendance").status_code == 404
    assert Client().get(f"/api/v1/lectures/{lecture.pk}/attendance").status_code == 404


def test_an_ad_hoc_lecture_is_judged_against_its_own_start(host_client: Client, room: Room) -> None:
    lecture = _lecture(room, START, scheduled=False)
    _, guest = _student(room, "Grace Hopper")
    _present(lecture, guest, timedelta(minutes=1), timedelta(minutes=93))
    (row,) = host_client.get(f"/api/v1/lectures/{lecture.pk}/attendance").json()
    assert row["status"] == "present"


def test_term_report_is_a_students_by_lectures_csv(host_client: Client, host: User, room: Room) -> None:
    first = _lecture(room, START)
    second = _lecture(room, START + timedelta(days=7))
    _, guest = _student(room, "Grace Hopper")
    _student(room, "=HYPERLINK Evil")
    _present(first, guest, timedelta(0), timedelta(minutes=90))
    _present(second, guest, timedelta(minutes=20), timedelta(minutes=90))

    response = host_client.get(f"/api/v1/rooms/{room.code}/attendance.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["name", "student_id", "email"] and len(rows[0]) == 3 + 2 + 4
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Grace Hopper"][3:] == ["present", "late", "2", "1", "0", "100"]
    assert by_name["'=HYPERLINK Evil"][3:] == ["absent", "absent", "0", "0", "2", "0"]
    assert Client().get(f"/api/v1/rooms/{room.code}/attendance.csv").status_code == 401


def test_a_student_reads_their_own_attendance_only_when_the_host_allows_it(host_client: Client, room: Room) -> None:
    lecture = _lecture(room, START)
    entry, guest = _student(room, "Grace Hopper")
    _, other_guest = _student(room, "Alan Turing")
    _present(lecture, guest, timedelta(minutes=8), timedelta(minutes=90))
    _present(lecture, other_guest, timedelta(0), timedelta(minutes=90))
    student = Client()
    response = HttpResponse()
    remember_guest(response, RequestFactory().get("/"), guest)
    student.cookies[GUEST_COOKIE] = response.cookies[GUEST_COOKIE].value

    url = f"/api/v1/lectures/{lecture.pk}/attendance/me"
    assert student.get(url).status_code == 404
    assert student.get(f"/api/v1/lectures/{lecture.pk}/attendance").status_code == 404  # never the whole list
    host_client.patch(
        f"/api/v1/rooms/{room.code}/course", '{"students_see_attendance": true}', content_type="application/json"
    )
    mine = student.get(url)
    assert mine.status_code == 200
    assert mine.json()["roster_id"] == entry.pk and mine.json()["status"] == "late"
    assert Client().get(url).status_code == 404
