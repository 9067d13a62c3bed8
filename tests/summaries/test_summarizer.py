"""Summaries: the offline summarizer on the speech test set's texts, the stored summary and transcript
file, and the LLM path against a local server that speaks OpenAI's chat-completions API."""

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import AISettings
from rooms.models import Lecture, Room
from summaries.local import Utterance, find_deadline, summarize
from summaries.services import summarize_lecture
from summaries.tasks import LectureNotEnded, regenerate_summary
from tests.agent.participants import passages
from transcripts.models import TranscriptSegment

pytestmark = pytest.mark.django_db

PASSAGES = passages()


def spoken(*ids: str, gap: float = 1.0) -> list[Utterance]:
    """The passages as a transcript: professors are the host, students are Grace; ~15 characters a second."""
    utterances, clock = [], 0.0
    for passage_id in ids:
        passage = PASSAGES[passage_id]
        host = passage["speaker"] == "professor"
        duration = len(passage["text"]) / 15
        utterances.append(
            Utterance(
                speaker="Ada Prof" if host else "Grace Student",
                identity="host-0a1b2c" if host else "guest-3d4e5f",
                is_host=host,
                start=clock,
                end=clock + duration,
                text=passage["text"],
            )
        )
        clock += duration + gap
    return utterances


def terms_of(ids: tuple[str, ...]) -> str:
    return " | ".join(term.term.lower() for term in summarize(spoken(*ids)).key_terms)


@pytest.mark.parametrize(
    ("passage", "expected_terms", "deadline"),
    [
        ("lec-chem", ["chemical equilibrium", "le chatelier's principle"], "next Monday at noon"),
        ("lec-cs", ["hash tables", "load factor"], "this Thursday"),
        ("lec-econ", ["inflation", "interest rates"], "next week"),
        ("lec-bio", ["immune system", "antibodies", "vaccines"], "Wednesday"),
    ],
)
def test_the_offline_summary_of_a_passage_names_its_terms_and_its_deadline(
    passage: str, expected_terms: list[str], deadline: str
) -> None:
    (utterance,) = spoken(passage)
    summary = summarize([utterance])

    terms = " | ".join(term.term.lower() for term in summary.key_terms)
    for term in expected_terms:
        assert term in terms
    (item,) = summary.action_items
    assert item.deadline == deadline
    said_at = utterance.end * utterance.text.index(item.text) / len(utterance.text)
    assert item.start == pytest.approx(said_at, abs=0.05), "the item links to the moment it was said"
    assert summary.topics and 0 <= summary.topics[0].start < item.start
    assert summary.questions == []
    assert summary.overview.startswith("Ada Prof spoke about")
    assert summary.provider == "local" and summary.note == ""


def test_questions_are_flagged_answered_only_when_the_lecturer_replies() -> None:
    transcript = spoken("lec-cs", "q-answered", "a-answer", "q-unanswered")
    summary = summarize(transcript)

    answered, unanswered = summary.questions
    assert "open addressing" in answered.text and answered.asked_by == "Grace Student"
    assert answered.answered and answered.start == pytest.approx(transcript[1].start, abs=0.01)
    assert answered.answer_start == pytest.approx(transcript[2].start, abs=0.01)
    assert "graph algorithms" in unanswered.text and not unanswered.answered and unanswered.answer_start is None
    assert "2 questions, 1 of them without an answer" in summary.overview


def test_without_roles_the_main_speaker_is_taken_for_the_lecturer() -> None:
    transcript = [
        Utterance(u.speaker, u.identity, False, u.start, u.end, u.text)
        for u in spoken("lec-cs", "q-answered", "a-answer")
    ]
    (question,) = summarize(transcript).questions
    assert question.asked_by == "Grace Student" and question.answered


@pytest.mark.parametrize(
    ("sentence", "deadline"),
    [
        ("Read chapter four before Friday.", "Friday"),
        ("The essay is due by the end of the week.", "end of the week"),
        ("Submit it tomorrow at 5 pm.", "tomorrow at 5 pm"),
        ("Hand in the worksheet on March 3rd.", "March 3rd"),
        ("We will see each other again.", ""),
    ],
)
def test_deadlines_are_kept_as_said(sentence: str, deadline: str) -> None:
    assert find_deadline(sentence) == deadline


def test_an_empty_transcript_says_so() -> None:
    summary = summarize([])
    assert summary.overview == "Nothing was transcribed in this lecture." and not summary.key_terms


@pytest.fixture
def ended_lecture(room: Room) -> Lecture:
    started = timezone.now() - timedelta(minutes=5)
    lecture = Lecture.objects.create(
        room=room,
        title=room.title,
        livekit_room=f"{room.code}-0badc0de",
        started_at=started,
        ended_at=started + timedelta(minutes=2),
        status=Lecture.Status.ENDED,
    )
    for u in spoken("lec-cs", "q-answered", "a-answer", "q-unanswered"):
        TranscriptSegment.objects.create(
            lecture=lecture,
            speaker_identity=u.identity,
            speaker_name=u.speaker,
            start=u.start,
            end=u.end,
            text=u.text,
            engine="whisper",
        )
    return lecture


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def stored_summary(lecture: Lecture) -> dict[str, Any]:
    lecture.refresh_from_db()
    assert lecture.summary is not None
    return lecture.summary


def test_the_summary_and_the_raw_transcript_are_stored_with_the_lecture(ended_lecture: Lecture) -> None:
    summarize_lecture(lecture_id=ended_lecture.pk)

    summary = stored_summary(ended_lecture)
    assert ended_lecture.summary_status == "ready"
    assert summary["provider"] == "local"
    assert summary["action_items"][0]["deadline"] == "this Thursday"
    assert [q["answered"] for q in summary["questions"]] == [True, False]
    transcript = default_storage.open(f"transcripts/{ended_lecture.pk}.txt").read().decode()
    assert "[00:00:00] Ada Prof: In this lecture we look at hash tables." in transcript
    assert "Grace Student: Will the final exam include" in transcript


def test_regenerating_a_summary_queues_it_again_and_refuses_a_live_lecture(
    ended_lecture: Lecture, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        regenerate_summary(lecture=ended_lecture)
    ended_lecture.refresh_from_db()
    assert ended_lecture.summary_status == "pending"
    (task,) = DBTaskResult.objects.filter(task_path="summaries.tasks.summarize_lecture_task")
    assert task.args_kwargs["args"] == [ended_lecture.pk]

    ended_lecture.status = Lecture.Status.LIVE
    ended_lecture.save()
    with pytest.raises(LectureNotEnded):
        regenerate_summary(lecture=ended_lecture)


# --- the LLM path -------------------------------------------------------------------------------


class ChatCompletions:
    """A local server that answers POST /v1/chat/completions with the replies it is given, in turn."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.replies: list[tuple[int, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                server.requests.append(json.loads(self.rfile.read(length)))
                server.headers.append(dict(self.headers))
                status, body = server.replies.pop(0) if server.replies else (500, {"error": "no reply left"})
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def reply_with(self, content: str | dict[str, Any], *, status: int = 200) -> None:
        text = content if isinstance(content, str) else json.dumps(content)
        body: dict[str, Any] = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": "lecture-llm",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
        }
        self.replies.append((status, body if status == 200 else {"error": {"message": "overloaded"}}))

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def llm(settings: Any) -> Iterator[ChatCompletions]:
    server = ChatCompletions()
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = server.url
    settings.OPENAI_MODEL = "lecture-llm"
    ai = AISettings.load()
    ai.summary_provider = AISettings.SummaryProvider.OPENAI
    ai.save()
    yield server
    server.stop()


def llm_summary(**changes: Any) -> dict[str, Any]:
    summary = {
        "overview": "Hash tables, collisions and the load factor; a lab on Thursday.",
        "topics": [{"text": "Hash tables", "start": 0}],
        "key_terms": [{"term": "load factor", "start": 12.0, "definition": "entries per bucket"}],
        "action_items": [{"text": "Implement a hash map in the lab", "deadline": "this Thursday", "start": 15.0}],
        "questions": [
            {
                "text": "Why does open addressing slow down?",
                "asked_by": "Grace Student",
                "start": 19.0,
                "answered": True,
                "answer_start": 26.0,
            }
        ],
    }
    summary.update(changes)
    return summary


def test_the_llm_summary_is_asked_with_a_strict_schema_and_stored(ended_lecture: Lecture, llm: ChatCompletions) -> None:
    llm.reply_with(llm_summary())
    summarize_lecture(lecture_id=ended_lecture.pk)

    summary = stored_summary(ended_lecture)
    assert summary["provider"] == "lecture-llm" and summary["note"] == ""
    assert summary["questions"][0]["asked_by"] == "Grace Student"
    (request,) = llm.requests
    assert llm.headers[0]["Authorization"] == "Bearer sk-test"
    assert request["model"] == "lecture-llm"
    response_format = request["response_format"]
    assert response_format["type"] == "json_schema" and response_format["json_schema"]["strict"] is True
    assert "[0] Ada Prof (lecturer): In this lecture we look at hash tables." in request["messages"][1]["content"]


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("Sure! Here is your summary: hash tables.", id="not-json"),
        pytest.param(llm_summary(overview=None), id="wrong-shape"),
        pytest.param(llm_summary(topics=[{"text": "Hash tables", "start": 99999}]), id="after-the-end"),
        pytest.param(None, id="server-error"),
    ],
)
def test_a_failed_llm_summary_falls_back_to_the_offline_one_and_says_so(
    ended_lecture: Lecture, llm: ChatCompletions, reply: Any
) -> None:
    if reply is None:
        llm.reply_with("", status=503)
    else:
        llm.reply_with(reply)
    summarize_lecture(lecture_id=ended_lecture.pk)

    summary = stored_summary(ended_lecture)
    assert ended_lecture.summary_status == "ready"
    assert summary["provider"] == "local"
    assert summary["note"].startswith("The AI summary service failed") and "offline summary" in summary["note"]
    assert summary["action_items"][0]["deadline"] == "this Thursday"


def test_the_llm_never_names_someone_who_is_not_a_transcribed_student(
    ended_lecture: Lecture, llm: ChatCompletions
) -> None:
    question = llm_summary()["questions"][0] | {"asked_by": "Private Student"}
    llm.reply_with(llm_summary(questions=[question]))
    summarize_lecture(lecture_id=ended_lecture.pk)

    summary = stored_summary(ended_lecture)
    assert summary["questions"][0]["asked_by"] == ""
    assert "Private Student" not in json.dumps(summary)


def test_a_long_lecture_is_summarised_part_by_part_then_merged(ended_lecture: Lecture, llm: ChatCompletions) -> None:
    sentence = PASSAGES["lec-econ"]["text"]
    for n in range(120):
        TranscriptSegment.objects.create(
            lecture=ended_lecture,
            speaker_identity="host-0a1b2c",
            speaker_name="Ada Prof",
            start=40.0 + n * 20,
            end=55.0 + n * 20,
            text=sentence,
            engine="whisper",
        )
    for _ in range(3):
        llm.reply_with(llm_summary(overview="one part"))
    llm.reply_with(llm_summary(overview="The whole lecture, merged."))
    llm.reply_with(llm_summary(overview="unused"))
    summarize_lecture(lecture_id=ended_lecture.pk)

    assert stored_summary(ended_lecture)["overview"] == "The whole lecture, merged."
    *parts, merge = llm.requests
    assert len(parts) == 3
    assert all("Part" in request["messages"][1]["content"] for request in parts)
    assert "Merge them into one summary" in merge["messages"][1]["content"]
