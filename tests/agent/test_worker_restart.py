"""A worker that dies mid-lecture: what was final is already in Postgres, and a new worker takes over."""

import asyncio

import pytest
from django.db import connections
from django.test import Client

from lectures.life import end_lecture
from rooms.models import Lecture, Room
from tests.agent.conftest import start_worker
from tests.agent.participants import AgentWorker, Listener, Speaker, read_pcm, wait_until
from tests.agent.test_captions import guest_credentials, host_credentials
from tests.conftest import run_async
from transcripts.models import TranscriptSegment

pytestmark = pytest.mark.django_db(transaction=True)


def stored_texts(lecture: Lecture) -> list[str]:
    return list(TranscriptSegment.objects.filter(lecture=lecture).order_by("start").values_list("text", flat=True))


async def stored_texts_now(lecture: Lecture) -> list[str]:
    """The stored segments, read off the test's event loop (the ORM is synchronous)."""

    def read() -> list[str]:
        try:
            return stored_texts(lecture)
        finally:
            connections.close_all()

    return await asyncio.to_thread(read)


def test_a_killed_worker_loses_no_stored_segment_and_a_new_worker_resumes_the_captions(
    host_client: Client, room: Room, livekit: None
) -> None:
    workers: list[AgentWorker] = [start_worker("first")]
    professor_credentials = host_credentials(host_client, room)
    lecture = Lecture.objects.get(room=room)
    listener_credentials = guest_credentials(lecture, "Listening Student", publish=False)

    async def crash_and_resume() -> tuple[Listener, Speaker, list[str], list[str], list[str]]:
        listener, professor = Listener(), Speaker(professor_credentials)
        await listener.join(listener_credentials)
        await professor.join()
        await professor.wait_until_heard(timeout=90)
        professor.say(read_pcm("lec-econ"))
        await wait_until(lambda: listener.finals(professor.identity), timeout=60, what="a first final caption")
        before_crash = [c.text for c in listener.finals(professor.identity)]
        stored_at_crash = await stored_texts_now(lecture)
        await asyncio.to_thread(workers[0].kill)  # mid-sentence: the professor is still talking
        after_crash = await stored_texts_now(lecture)

        first_agents = {agent.identity for agent in listener.agents()}
        workers.append(await asyncio.to_thread(start_worker, "second"))
        await wait_until(
            lambda: {agent.identity for agent in listener.agents()} - first_agents,
            timeout=60,
            what="the new worker's agent to join the room",
        )
        for _ in range(3):  # it may have joined a moment before it subscribed: say it again if need be
            await professor.say(read_pcm("a-answer"))
            try:
                await wait_until(lambda: "slots" in listener.final_text(professor.identity), timeout=15, what="")
                break
            except TimeoutError:
                continue
        assert "slots" in listener.final_text(professor.identity), "the new worker captions the lecture"
        await professor.leave()
        await listener.leave()
        return listener, professor, before_crash, stored_at_crash, after_crash

    try:
        listener, professor, before_crash, stored_at_crash, after_crash = run_async(crash_and_resume())
        assert before_crash, "a final caption came before the crash"
        assert stored_at_crash[: len(before_crash)] == before_crash, "each final is stored the moment it is final"
        assert after_crash == stored_at_crash
        stored = stored_texts(lecture)
        assert stored[: len(after_crash)] == after_crash, "nothing stored before the crash is lost"
        assert "load factor" in " ".join(stored).lower(), "the new worker's captions are stored too"
        segment_ids = [c.segment_id for c in listener.finals(professor.identity)]
        assert len(set(segment_ids)) == len(segment_ids), "the new worker's captions never overwrite older ones"
    finally:
        for worker in workers:
            worker.stop()
        end_lecture(room=room)
