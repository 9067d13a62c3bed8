"""The LiveKit Agents worker: one job per captioned lecture, dispatched automatically to every room.

LiveKit offers each new room to the worker (automatic dispatch: no agent name). The worker takes
rooms whose lecture has the AI assistant on. LiveKit does not offer a room again once its job is
gone, so the worker also looks, when it registers and every few seconds after, for live lectures
nobody captions (the worker that had them died, or none was running) and starts a job for them.
A lease per lecture (agent/services.py) keeps that from ever captioning a lecture twice.

Job processes run `prepare_process` first: Django set up, the VAD and the Whisper model loaded.
Nothing here downloads anything; Django models are imported only once Django is set up.
"""

import asyncio
import logging
import socket
import time
from typing import TYPE_CHECKING, Any

import psutil
from django.conf import settings
from livekit.agents import (
    AgentServer,
    AutoSubscribe,
    JobContext,
    JobProcess,
    JobRequest,
    WorkerPermissions,
    utils,
)
from livekit.agents.worker import ServerEnvOption
from livekit.protocol import models

from agent import vad, whisper
from agent.stt import SpeechEngine

if TYPE_CHECKING:
    from agent.services import LectureInfo, SpeechSettings

logger = logging.getLogger(__name__)

ASSISTANT_NAME = "AI assistant"
ASSISTANT_ATTRIBUTES = {"lectern.assistant": "captions"}
# The lecture's row is committed before its LiveKit room exists (lectures/life.py); a short wait
# covers a slow replica, well inside LiveKit's deadline for answering a job offer.
LOOKUP_PATIENCE_SECONDS = 1.5
RECONCILE_EVERY_SECONDS = 10.0
FRESH_LECTURE_SECONDS = 10.0  # younger than this, LiveKit's own dispatch is still on its way
HEARTBEAT_EVERY_SECONDS = 10.0  # the admin overview counts a worker gone after 30 s of silence


def prepare_process(proc: JobProcess) -> None:
    """Set up a job process before it is given a room: Django, the VAD, the configured Whisper model."""
    import django

    # Keep the log handler the agents library gave this process (it forwards to the worker's log);
    # Django's logging settings would replace it.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    django.setup()
    root.handlers[:] = handlers
    root.setLevel(level)
    from django.db import connections

    import agent.deepgram  # noqa: F401 - LiveKit plugins register on the main thread, at import
    from agent import services

    vad.warm_up()
    try:
        speech = services.speech_settings()
        if speech.engine == "whisper":
            _load_decoder(speech)  # kept in this process for the job to come
    except Exception:
        logger.exception("could not preload the speech engine; the job will try again")
    finally:
        connections.close_all()  # the job talks to the database from its own threads


def _load_decoder(speech: "SpeechSettings") -> whisper.WhisperDecoder:
    return whisper.load_decoder(
        whisper.resolve_model_folder(speech.whisper_model),
        compute_type=settings.WHISPER_COMPUTE_TYPE,
        threads=settings.WHISPER_THREADS,
        language=speech.language,
    )


async def build_engine(speech: "SpeechSettings") -> SpeechEngine:
    """The engine the settings ask for: Deepgram when chosen and keyed, else Whisper on this machine."""
    if speech.engine == "deepgram":
        from agent.deepgram import DeepgramEngine

        return DeepgramEngine(
            api_key=settings.DEEPGRAM_API_KEY,
            url=settings.DEEPGRAM_URL,
            model=settings.DEEPGRAM_MODEL,
            language=speech.language,
        )
    decoder = await asyncio.to_thread(_load_decoder, speech)
    return whisper.WhisperEngine(decoder)


async def find_lecture_patiently(livekit_room: str) -> "LectureInfo | None":
    from agent import services

    deadline = time.monotonic() + LOOKUP_PATIENCE_SECONDS
    while True:
        lecture = await services.find_lecture(livekit_room=livekit_room)
        if lecture is not None or time.monotonic() > deadline:
            return lecture
        await asyncio.sleep(0.25)


def wants_assistant(lecture: "LectureInfo | None") -> bool:
    return lecture is not None and lecture.live and lecture.ai_assistant


async def consider_job(request: JobRequest) -> None:
    """LiveKit offers a new room: take it if it is a live lecture with the assistant on and this
    worker has room for one more (LiveKit then offers it to another worker)."""
    if LOAD.full:
        logger.warning("not captioning room %s: this worker is at capacity", request.room.name)
        await request.reject()
        return
    lecture = await find_lecture_patiently(request.room.name)
    if not wants_assistant(lecture):
        logger.info("not captioning room %s (no live lecture with the AI assistant on)", request.room.name)
        await request.reject()
        return
    await request.accept(name=ASSISTANT_NAME, identity=f"agent-{request.id}", attributes=ASSISTANT_ATTRIBUTES)


async def caption_lecture(ctx: JobContext) -> None:
    """The job: hold the lecture's lease, join, caption every speaker until the room closes."""
    from agent import services
    from agent.transcriber import RoomTranscriber

    lecture = await find_lecture_patiently(ctx.job.room.name)
    if lecture is None or not wants_assistant(lecture):
        ctx.shutdown(reason="not a live lecture with the AI assistant on")
        return
    lease = await services.acquire_lecture_lease(lecture_id=lecture.id)
    if lease is None:
        logger.info("lecture %s is already captioned by another job", lecture.id)
        ctx.shutdown(reason="lecture already captioned")
        return
    try:
        await services.mark_captioned(lecture_id=lecture.id)
        speech = await services.load_speech_settings()
        engine = await build_engine(speech)
        await ctx.connect(auto_subscribe=AutoSubscribe.SUBSCRIBE_NONE)
    except BaseException:
        await lease.release()
        raise
    transcriber = RoomTranscriber(room=ctx.room, lecture=lecture, engine=engine)
    transcriber.start()
    logger.info("captioning lecture %s in room %s with %s", lecture.id, ctx.room.name, engine.name)

    async def finish(reason: str) -> None:
        try:
            await transcriber.aclose()
            await engine.aclose()
            if transcriber.last_stored_at is not None:
                await services.resummarize_if_late(lecture_id=lecture.id, last_final_at=transcriber.last_stored_at)
        finally:
            await lease.release()
        logger.info("stopped captioning lecture %s (%s)", lecture.id, reason)

    ctx.add_shutdown_callback(finish)


class WorkerLoad:
    """This worker's load, 0 to 1: the larger of the CPU share it and its job processes use and
    its running lectures over AGENT_MAX_JOBS.

    LiveKit offers new rooms only to workers below the load threshold (AGENT_LOAD_THRESHOLD, in
    every mode). The agents library reports the whole machine's CPU; on a machine shared with other
    services that would turn rooms away from an idle worker, so the worker reports what it uses.
    """

    def __init__(self) -> None:
        self._processes: dict[int, psutil.Process] = {}
        self.server: AgentServer | None = None
        self.last = 0.0  # what LiveKit was last told (the heartbeat reports it; measuring again would skew it)

    @property
    def jobs(self) -> int:
        """Lectures this worker captions now (each in a job process of its own)."""
        return len(self.server.active_jobs) if self.server is not None else 0

    def __call__(self) -> float:
        me = psutil.Process()
        try:
            current = [me, *me.children(recursive=True)]
        except psutil.Error:
            current = [me]
        percent = 0.0
        alive = {}
        for process in current:
            tracked = self._processes.get(process.pid, process)
            try:
                percent += tracked.cpu_percent(None)  # since the previous call; 0 the first time
            except psutil.Error:
                continue
            alive[process.pid] = tracked
        self._processes = alive
        cpu = percent / 100 / (psutil.cpu_count() or 1)
        self.last = min(1.0, max(cpu, self.jobs / settings.AGENT_MAX_JOBS))
        return self.last

    @property
    def full(self) -> bool:
        return self.jobs >= settings.AGENT_MAX_JOBS

    @property
    def at_capacity(self) -> bool:
        """Whether this worker takes no more lectures: at its job limit or over the load threshold
        (LiveKit then offers it no rooms either)."""
        return self.full or self.last >= settings.AGENT_LOAD_THRESHOLD


LOAD = WorkerLoad()


class Reconciler:
    """Starts jobs for live lectures that no worker captions; at capacity, tells their hosts instead
    ("captions unavailable: assistant at capacity"), within two rounds of the lecture opening.

    A worker at capacity is offered no rooms by LiveKit (or rejects them), so this is where such a
    lecture is noticed: it stays live, uncaptioned, with its lease free."""

    def __init__(self, server: AgentServer) -> None:
        self._server = server
        self._task: asyncio.Task[None] | None = None

    def start(self, *_: Any) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="lectern-reconciler")

    async def _run(self) -> None:
        while True:
            try:
                await self.reconcile()
            except Exception:
                logger.exception("could not look for lectures to caption")
            await asyncio.sleep(RECONCILE_EVERY_SECONDS)

    async def reconcile(self) -> None:
        from agent import services

        lectures = await services.list_lectures_to_caption()
        if not lectures:
            return
        mine = {job.job.room.name for job in self._server.active_jobs}
        open_rooms = await services.open_livekit_rooms()
        now = time.time()
        for lecture in lectures:
            name = lecture.livekit_room
            if name in mine or name not in open_rooms or now - lecture.started_at.timestamp() < FRESH_LECTURE_SECONDS:
                continue
            # The lease is held while deciding: a job that starts meanwhile takes it after us and its
            # mark_captioned clears a notice we leave, so a captioned lecture never shows "unavailable".
            lease = await services.acquire_lecture_lease(lecture_id=lecture.id)
            if lease is None:
                continue  # a job captions it
            try:
                if LOAD.at_capacity:
                    if await services.mark_at_capacity(lecture_id=lecture.id):
                        logger.warning("lecture %s in room %s left uncaptioned: worker at capacity", lecture.id, name)
                    continue
            finally:
                await lease.release()
            logger.info("resuming captions of lecture %s in room %s", lecture.id, name)
            await self._server.simulate_job(
                name,
                fake_job=False,
                agent_identity=utils.shortuuid("agent-"),
                room_info=models.Room(name=name, sid=open_rooms[name]),
            )


class Heartbeat:
    """Tells the web (through agent/services.py) that this worker is registered, its load and its
    lectures, every HEARTBEAT_EVERY_SECONDS: the admin overview counts workers from these."""

    def __init__(self, server: AgentServer) -> None:
        self._server = server
        self._task: asyncio.Task[None] | None = None
        self.worker_id = ""

    def start(self, worker_id: str) -> None:
        self.worker_id = worker_id
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="lectern-heartbeat")

    async def _run(self) -> None:
        while True:
            try:
                await self.beat()
            except Exception:
                logger.exception("could not record this worker's heartbeat")
            await asyncio.sleep(HEARTBEAT_EVERY_SECONDS)

    async def beat(self) -> None:
        from agent import services

        await services.record_heartbeat(
            worker_id=self.worker_id,
            host=socket.gethostname(),
            load=LOAD.last,
            jobs=len(self._server.active_jobs),
            max_jobs=settings.AGENT_MAX_JOBS,
        )


def build_server() -> AgentServer:
    """The worker, configured from Django settings (never from ambient LiveKit variables)."""
    server = AgentServer(
        ws_url=settings.LIVEKIT_URL,
        api_key=settings.LIVEKIT_API_KEY,
        api_secret=settings.LIVEKIT_API_SECRET,
        setup_fnc=prepare_process,
        load_fnc=LOAD,
        load_threshold=settings.AGENT_LOAD_THRESHOLD,
        permissions=WorkerPermissions(
            can_publish=False, can_subscribe=True, can_publish_data=True, can_update_metadata=False, hidden=False
        ),
        # A warm process (Django, VAD and model loaded) waits for the next room even in development.
        num_idle_processes=ServerEnvOption(dev_default=1, prod_default=max(2, psutil.cpu_count() or 1)),
        initialize_process_timeout=60.0,
        host=settings.AGENT_HEALTH_HOST,
        port=ServerEnvOption(dev_default=0, prod_default=settings.AGENT_HEALTH_PORT),  # one per worker in make cluster
        shutdown_process_timeout=30.0,  # room closed: decode, publish and store the last utterances
    )
    LOAD.server = server
    server.rtc_session(caption_lecture, on_request=consider_job)
    reconciler = Reconciler(server)
    heartbeat = Heartbeat(server)

    def registered(worker_id: str, *_: Any) -> None:
        logger.info("AI assistant worker %s registered with %s", worker_id, settings.LIVEKIT_URL)
        reconciler.start()
        heartbeat.start(worker_id)

    server.on("worker_registered", registered)
    return server
