"""The AI assistant for real: the agent worker, the test livekit-server, Python rtc participants that
speak the shared speech test set, Whisper tiny.en decoding it, Postgres keeping the segments."""

import asyncio
import secrets
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from core.models import AgentWorker as HeartbeatRow
from lectures.life import end_lecture
from participants.identities import issue_guest_token
from participants.models import GuestSession, ParticipantHistory
from rooms import livekit_server
from rooms.livekit_server import Credentials
from rooms.models import Lecture, Room
from rooms.services import create_room
from tests.agent.participants import AgentWorker, Listener, Speaker, read_pcm, wait_until
from tests.conftest import run_async, wait_for
from transcripts.models import TranscriptSegment

pytestmark = pytest.mark.django_db(transaction=True)


def host_credentials(client: Client, room: Room) -> Credentials:
    response = client.post(f"/api/v1/rooms/{room.code}/token", "{}", content_type="application/json")
    assert response.status_code == 200, response.content
    return Credentials(**response.json())


def guest_credentials(lecture: Lecture, name: str, *, transcribe: bool = True, publish: bool = True) -> Credentials:
    """An admitted student's token, minted the way admission mints it (any other identity is removed)."""
    guest = GuestSession.objects.create(
        room=lecture.room, display_name=name, fingerprint=f"fp-{secrets.token_hex(8)}", transcribe_me=transcribe
    )
    ParticipantHistory.objects.create(guest=guest, lecture=lecture, admitted_at=timezone.now(), muted=not publish)
    return issue_guest_token(guest=guest, lecture=lecture)


def split(name: str, first: str) -> tuple[bytes, bytes]:
    """A two-passage dialog track of the speech set, cut where its first passage ends."""
    whole, head = read_pcm(name), read_pcm(first)
    return whole[: len(head)], whole[len(head) :]


def test_a_dialog_is_captioned_per_speaker_stored_and_summarised_when_the_lecture_ends(
    host_client: Client, room: Room, agent_worker: AgentWorker, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    professor_credentials = host_credentials(host_client, room)
    lecture = Lecture.objects.get(room=room)
    student_credentials = guest_credentials(lecture, "Grace Student")
    listener_credentials = guest_credentials(lecture, "Listening Student", publish=False)
    lecture_part, answer = split("professor-dialog", "lec-cs")
    question, unanswered = split("student-dialog", "q-answered")

    async def hold_the_lecture() -> tuple[Listener, Speaker, Speaker]:
        listener, professor, student = Listener(), Speaker(professor_credentials), Speaker(student_credentials)
        await listener.join(listener_credentials)
        await professor.join()
        await student.join()
        await professor.wait_until_heard(timeout=90)
        await student.wait_until_heard(timeout=90)
        for speaker, pcm in (
            (professor, lecture_part),
            (student, question),
            (professor, answer),
            (student, unanswered),
        ):
            await speaker.say(pcm)
            await asyncio.sleep(1.5)  # the other one waits for a pause before speaking
        await wait_until(
            lambda: (
                "algorithms" in listener.final_text(student.identity)
                and "slots" in listener.final_text(professor.identity)
            ),
            timeout=60,
            what="the last final captions",
        )
        for participant in (listener, professor, student):
            await participant.leave()
        return listener, professor, student

    listener, professor, student = run_async(hold_the_lecture())

    professor_said = listener.final_text(professor.identity)
    student_said = listener.final_text(student.identity)
    assert "hash tables" in professor_said and "thursday" in professor_said
    assert "load factor" in professor_said
    assert "slower" in student_said and "graph algorithms" in student_said
    assert "thursday" not in student_said and "algorithms" not in professor_said
    assert {c.track_id for c in listener.finals(professor.identity)} == {professor.track_sid}
    assert {c.track_id for c in listener.finals(student.identity)} == {student.track_sid}
    interims = [c for c in listener.captions if not c.final]
    assert interims, "interim captions come before the final ones"
    assert {c.segment_id for c in interims} <= {c.segment_id for c in listener.captions if c.final}

    segments = list(TranscriptSegment.objects.filter(lecture=lecture).order_by("start"))
    finals = listener.finals()
    assert sorted(s.text for s in segments) == sorted(c.text for c in finals)
    assert {s.speaker_identity: s.speaker_name for s in segments} == {
        professor.identity: "Ada Prof",
        student.identity: "Grace Student",
    }
    assert all(s.engine == "whisper" and 0 <= s.start < s.end for s in segments)
    assert segments[0].speaker_identity == professor.identity

    response = host_client.post(f"/api/v1/rooms/{room.code}/end", "{}", content_type="application/json")
    assert response.status_code == 200
    assert DBTaskResult.objects.filter(task_path="summaries.tasks.summarize_lecture_task").exists()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    lecture.refresh_from_db()
    assert lecture.summary_status == "ready"
    summary = lecture.summary
    assert summary is not None
    assert summary["provider"] == "local"
    (lab,) = [item for item in summary["action_items"] if "thursday" in item["deadline"].lower()]
    assert "lab" in lab["text"].lower()
    questions = {q["text"].lower(): q for q in summary["questions"]}
    (answered,) = [q for text, q in questions.items() if "slower" in text]
    (open_question,) = [q for text, q in questions.items() if "algorithms" in text]
    assert answered["answered"] and answered["asked_by"] == "Grace Student"
    assert answered["answer_start"] >= answered["start"]
    assert not open_question["answered"]
    transcript = default_storage.open(f"transcripts/{lecture.pk}.txt").read().decode()
    assert "Grace Student" in transcript and "Thursday" in transcript


def test_speakers_at_once_are_captioned_apart_and_an_opted_out_student_never_is(
    host_client: Client, room: Room, agent_worker: AgentWorker
) -> None:
    professor_credentials = host_credentials(host_client, room)
    lecture = Lecture.objects.get(room=room)
    student_credentials = guest_credentials(lecture, "Grace Student")
    private_credentials = guest_credentials(lecture, "Private Student", transcribe=False)
    listener_credentials = guest_credentials(lecture, "Listening Student", publish=False)

    async def talk_at_once() -> tuple[Listener, Speaker, Speaker, Speaker]:
        listener = Listener()
        professor, student, private = (
            Speaker(professor_credentials),
            Speaker(student_credentials),
            Speaker(private_credentials),
        )
        await listener.join(listener_credentials)
        for speaker in (private, professor, student):
            await speaker.join()
        await professor.wait_until_heard(timeout=90)
        await student.wait_until_heard(timeout=90)
        await asyncio.gather(
            professor.say(read_pcm("lec-chem")), student.say(read_pcm("lec-econ")), private.say(read_pcm("lec-bio"))
        )
        await wait_until(
            lambda: (
                "class" in listener.final_text(student.identity) and "monday" in listener.final_text(professor.identity)
            ),
            timeout=60,
            what="both speakers' last final captions",
        )
        for participant in (listener, professor, student, private):
            await participant.leave()
        return listener, professor, student, private

    listener, professor, student, private = run_async(talk_at_once())

    assert "equilibrium" in listener.final_text(professor.identity)
    assert "inflation" in listener.final_text(student.identity)
    assert "inflation" not in listener.final_text(professor.identity)
    assert "equilibrium" not in listener.final_text(student.identity)
    assert private.subscriptions == 0, "the agent never even receives the opted-out student's audio"
    assert not [c for c in listener.captions if c.identity == private.identity]
    segments = TranscriptSegment.objects.filter(lecture=lecture)
    assert set(segments.values_list("speaker_identity", flat=True)) == {professor.identity, student.identity}
    said = " ".join(segments.values_list("text", flat=True)).lower()
    assert "immune" not in said and "antibod" not in said and "vaccine" not in said


def test_a_room_with_the_assistant_off_gets_no_agent(
    host: User, host_client: Client, agent_worker: AgentWorker
) -> None:
    quiet_room = create_room(host=host, title="Office hour", ai_assistant=False)
    host_credentials(host_client, quiet_room)
    lecture = Lecture.objects.get(room=quiet_room)

    wait_for(
        lambda: f"not captioning room {lecture.livekit_room}" in agent_worker.log(),
        timeout=30,
        what="the worker to turn the room down",
    )
    participants = livekit_server.list_participants(room=lecture.livekit_room)
    assert not [p for p in participants if p.identity.startswith("agent-")]
    end_lecture(room=quiet_room)


def test_the_worker_reports_its_heartbeat_and_the_admin_overview_lists_it(
    admin_client: Client, agent_worker: AgentWorker
) -> None:
    # The test database is emptied between tests; the worker's next beat (every 10 s) writes it again.
    beat = wait_for(
        lambda: HeartbeatRow.objects.first(), timeout=30, what="the agent worker's heartbeat in the database"
    )
    assert beat.worker_id.startswith("AW_") and beat.max_jobs >= 1 and 0.0 <= beat.load <= 1.0
    report = admin_client.get("/admin/health.json").json()
    workers = next(part for part in report["parts"] if part["name"] == "AI assistant workers")
    assert workers["ok"] and workers["detail"].startswith("1 registered: ")
