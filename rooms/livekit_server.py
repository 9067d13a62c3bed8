"""Every call Lectern makes to the LiveKit server API: rooms, participants, permissions,
tokens and webhooks. Nothing else imports `livekit.api`.

Functions are synchronous (Django views and services call them directly), return our own
dataclasses and raise `LiveKitError` for anything that goes wrong on the LiveKit side.
"""

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import aiohttp
import jwt
from asgiref.sync import async_to_sync
from django.conf import settings
from livekit import api

from core.exceptions import ServiceUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")
Item = TypeVar("Item")

# Each request to the server API gives up after this. livekit-api's Twirp client passes timeout=None to
# aiohttp on every request, which turns the session's ClientTimeout off: the bound is ours (_call).
API_TIMEOUT_SECONDS = 5
# Starting an egress waits for an egress instance to take the job; with none running, LiveKit itself
# answers "no response from servers" after about 20 s. Ours is longer, so that LiveKit always answers
# first: giving up sooner could leave an egress recording that no row of ours knows.
EGRESS_START_TIMEOUT_SECONDS = 30


class LiveKitError(ServiceUnavailable):
    """The LiveKit server could not be reached or refused the request (503 at the API)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = f"The video server is not reachable right now ({detail})."


class LiveKitNotFound(LiveKitError):
    """The room or participant does not exist on the LiveKit server."""


class WebhookInvalid(Exception):
    """A webhook whose signature or body does not check out."""


@dataclass(frozen=True)
class LiveKitRoom:
    name: str
    sid: str
    num_participants: int
    metadata: str = ""


@dataclass(frozen=True)
class LiveKitTrack:
    """One track a participant publishes: kind (audio, video), source (camera, microphone, ...)."""

    sid: str
    kind: str
    source: str
    muted: bool
    simulcast: bool = False
    layers: tuple[str, ...] = ()  # "HIGH 1280x720", one per simulcast layer


@dataclass(frozen=True)
class LiveKitParticipant:
    identity: str
    name: str
    sid: str
    state: str
    can_publish: bool
    can_subscribe: bool
    can_publish_data: bool
    metadata: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    joined_at: int = 0
    is_agent: bool = False
    published_tracks: int = 0
    is_service: bool = False  # an agent, egress or ingress: joins with the server's own tokens
    tracks: tuple[LiveKitTrack, ...] = ()
    can_publish_sources: tuple[str, ...] = ()  # empty: every source (when can_publish)
    hidden: bool = False


@dataclass(frozen=True)
class Credentials:
    """What a browser needs to connect: where, with what, as whom."""

    livekit_url: str
    token: str
    identity: str


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    event: str
    room_name: str
    room_sid: str
    participant_identity: str
    participant_sid: str
    created_at: int
    participant_name: str = ""
    participant_role: str = ""
    participant_is_agent: bool = False
    participant_is_service: bool = False


# Participants LiveKit itself brings in (an agent worker, an egress recorder, an ingress): never ours to mint.
SERVICE_KINDS = (api.ParticipantInfo.Kind.AGENT, api.ParticipantInfo.Kind.EGRESS, api.ParticipantInfo.Kind.INGRESS)


def _client() -> api.LiveKitAPI:
    return api.LiveKitAPI(
        url=_http_url(settings.LIVEKIT_URL),
        api_key=settings.LIVEKIT_API_KEY,
        api_secret=settings.LIVEKIT_API_SECRET,
        timeout=aiohttp.ClientTimeout(total=API_TIMEOUT_SECONDS),
        failover=False,
    )


def _http_url(url: str) -> str:
    if url.startswith("ws://"):
        return "http://" + url[len("ws://") :]
    if url.startswith("wss://"):
        return "https://" + url[len("wss://") :]
    return url


def _call(operation: Callable[[api.LiveKitAPI], Awaitable[T]], *, timeout: float | None = -1) -> T:
    """Run one operation on a fresh client, bounded by `timeout` seconds (by default API_TIMEOUT_SECONDS;
    None: the operation bounds its own calls)."""
    if timeout == -1:
        timeout = API_TIMEOUT_SECONDS

    async def run() -> T:
        client = _client()
        try:
            return await asyncio.wait_for(operation(client), timeout)
        except api.TwirpError as exc:
            if exc.code == api.TwirpErrorCode.NOT_FOUND:
                raise LiveKitNotFound(exc.message) from exc
            raise LiveKitError(f"LiveKit refused the request: {exc.message}") from exc
        except TimeoutError as exc:  # the operation's bound, or one call's within it (timeout=None)
            raise LiveKitError(f"LiveKit did not answer within {timeout or API_TIMEOUT_SECONDS} s") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise LiveKitError(f"LiveKit server unreachable: {exc!r}") from exc
        finally:
            await client.aclose()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(run)()
    # Called from synchronous code that runs inside an event loop (a browser-driving test, a
    # notebook): run on a private loop in a worker thread instead of blocking that loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def _track(info: api.TrackInfo) -> LiveKitTrack:
    return LiveKitTrack(
        sid=info.sid,
        kind=api.TrackType.Name(info.type).lower(),
        source=api.TrackSource.Name(info.source).lower(),
        muted=info.muted,
        simulcast=info.simulcast,
        layers=tuple(f"{api.VideoQuality.Name(layer.quality)} {layer.width}x{layer.height}" for layer in info.layers),
    )


def _participant(info: api.ParticipantInfo) -> LiveKitParticipant:
    return LiveKitParticipant(
        identity=info.identity,
        name=info.name,
        sid=info.sid,
        state=api.ParticipantInfo.State.Name(info.state),
        can_publish=info.permission.can_publish,
        can_subscribe=info.permission.can_subscribe,
        can_publish_data=info.permission.can_publish_data,
        metadata=info.metadata,
        attributes=dict(info.attributes),
        joined_at=info.joined_at,
        is_agent=info.kind == api.ParticipantInfo.Kind.AGENT,
        published_tracks=len(info.tracks),
        is_service=info.kind in SERVICE_KINDS,
        tracks=tuple(_track(track) for track in info.tracks),
        can_publish_sources=tuple(api.TrackSource.Name(s).lower() for s in info.permission.can_publish_sources),
        hidden=info.permission.hidden,
    )


def create_room(*, name: str, empty_timeout: int = 300, metadata: dict[str, object] | None = None) -> LiveKitRoom:
    """Create (or fetch, if it exists) a LiveKit room."""
    request = api.CreateRoomRequest(
        name=name, empty_timeout=empty_timeout, departure_timeout=60, metadata=json.dumps(metadata or {})
    )
    room = _call(lambda c: c.room.create_room(request))
    return LiveKitRoom(name=room.name, sid=room.sid, num_participants=room.num_participants, metadata=room.metadata)


def list_rooms() -> list[LiveKitRoom]:
    response = _call(lambda c: c.room.list_rooms(api.ListRoomsRequest()))
    return [
        LiveKitRoom(name=r.name, sid=r.sid, num_participants=r.num_participants, metadata=r.metadata)
        for r in response.rooms
    ]


def delete_room(*, name: str) -> None:
    """Delete a LiveKit room, disconnecting everyone in it; a room already gone is fine."""
    try:
        _call(lambda c: c.room.delete_room(api.DeleteRoomRequest(room=name)))
    except LiveKitNotFound:
        logger.info("LiveKit room %s was already gone", name)


def list_participants(*, room: str) -> list[LiveKitParticipant]:
    try:
        response = _call(lambda c: c.room.list_participants(api.ListParticipantsRequest(room=room)))
    except LiveKitNotFound:
        return []
    return [_participant(p) for p in response.participants]


def remove_participant(*, room: str, identity: str) -> None:
    _call(lambda c: c.room.remove_participant(api.RoomParticipantIdentity(room=room, identity=identity)))


def mute_published_track(*, room: str, identity: str, track_sid: str, muted: bool = True) -> LiveKitTrack:
    """Mute (or unmute) one published track of a participant; LiveKit tells its publisher."""
    request = api.MuteRoomTrackRequest(room=room, identity=identity, track_sid=track_sid, muted=muted)
    response = _call(lambda c: c.room.mute_published_track(request))
    return _track(response.track)


def update_permissions(
    *, room: str, identity: str, can_publish: bool, can_subscribe: bool = True, can_publish_data: bool = False
) -> LiveKitParticipant:
    """Change what a connected participant may do; LiveKit applies it at once."""
    permission = api.ParticipantPermission(
        can_publish=can_publish, can_subscribe=can_subscribe, can_publish_data=can_publish_data
    )
    request = api.UpdateParticipantRequest(room=room, identity=identity, permission=permission)
    return _participant(_call(lambda c: c.room.update_participant(request)))


# Bulk operations (mute all, remove a guest's connections) run this many LiveKit calls at once.
BULK_CONCURRENCY = 16


def _for_each(items: list[Item], call: Callable[[api.LiveKitAPI, Item], Awaitable[object]]) -> int:
    """Run one call per item concurrently (bounded) on one client; returns how many succeeded.
    Participants or tracks already gone are skipped; any other failure raises LiveKitError at the end."""

    async def run_all(client: api.LiveKitAPI) -> int:
        gate = asyncio.Semaphore(BULK_CONCURRENCY)

        async def one(item: Item) -> bool:
            async with gate:
                try:
                    await asyncio.wait_for(call(client, item), API_TIMEOUT_SECONDS)
                except api.TwirpError as exc:
                    if exc.code == api.TwirpErrorCode.NOT_FOUND:
                        return False
                    raise
                return True

        return sum(await asyncio.gather(*(one(item) for item in items)))

    return _call(run_all, timeout=None) if items else 0  # each call is bounded, not the whole run


def set_publish_many(*, room: str, identities: list[str], can_publish: bool, can_publish_data: bool = False) -> int:
    """Set publish rights of many participants at once (the panic button); returns how many changed."""
    permission = api.ParticipantPermission(
        can_publish=can_publish, can_subscribe=True, can_publish_data=can_publish_data
    )
    return _for_each(
        identities,
        lambda c, identity: c.room.update_participant(
            api.UpdateParticipantRequest(room=room, identity=identity, permission=permission)
        ),
    )


def mute_tracks(*, room: str, tracks: list[tuple[str, str]]) -> int:
    """Mute many published tracks at once, (identity, track sid) each; their publishers may unmute."""

    def mute(client: api.LiveKitAPI, track: tuple[str, str]) -> Awaitable[object]:
        identity, sid = track
        request = api.MuteRoomTrackRequest(room=room, identity=identity, track_sid=sid, muted=True)
        return client.room.mute_published_track(request)

    return _for_each(tracks, mute)


def remove_many(*, room: str, identities: list[str]) -> int:
    """Remove many connections at once (all of a guest's); returns how many were there."""
    return _for_each(
        identities,
        lambda c, identity: c.room.remove_participant(api.RoomParticipantIdentity(room=room, identity=identity)),
    )


def update_attributes(*, room: str, identity: str, attributes: dict[str, str]) -> LiveKitParticipant:
    request = api.UpdateParticipantRequest(room=room, identity=identity, attributes=attributes)
    return _participant(_call(lambda c: c.room.update_participant(request)))


def send_data(*, room: str, topic: str, payload: Mapping[str, object], to_identities: list[str] | None = None) -> None:
    """Send a reliable data message from the server (clients see no sender participant) to everyone,
    or only to `to_identities` (an empty list sends nothing)."""
    if to_identities is not None and not to_identities:
        return
    request = api.SendDataRequest(
        room=room,
        data=json.dumps(payload).encode(),
        kind=api.DataPacket.Kind.RELIABLE,
        destination_identities=to_identities or [],
        topic=topic,
        nonce=os.urandom(16),
    )
    try:
        _call(lambda c: c.room.send_data(request))
    except LiveKitNotFound:
        logger.info("data for %s not sent: the LiveKit room is gone", room)


def mint_token(
    *,
    room: str,
    identity: str,
    name: str,
    can_publish: bool,
    can_subscribe: bool = True,
    can_publish_data: bool = True,
    attributes: dict[str, str] | None = None,
    ttl_seconds: int | None = None,
) -> Credentials:
    """A join token for one room with every grant spelled out (the SDK's defaults allow publishing)."""
    grants = api.VideoGrants(
        room_join=True,
        room=room,
        room_create=False,
        room_list=False,
        room_record=False,
        room_admin=False,
        can_publish=can_publish,
        can_subscribe=can_subscribe,
        can_publish_data=can_publish_data,
        can_update_own_metadata=False,
        hidden=False,
        recorder=False,
        agent=False,
    )
    ttl = timedelta(seconds=ttl_seconds or settings.LIVEKIT_TOKEN_TTL)
    token = (
        api.AccessToken(settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET)
        .with_identity(identity)
        .with_name(name)
        .with_grants(grants)
        .with_attributes(attributes or {})
        .with_ttl(ttl)
        .to_jwt()
    )
    return Credentials(livekit_url=settings.LIVEKIT_URL, token=token, identity=identity)


TRACK_SOURCES = ("camera", "microphone", "screen_share", "screen_share_audio")


@dataclass(frozen=True)
class SandboxGrants:
    """What a token from the admins' sandbox allows, every grant chosen explicitly."""

    publish_sources: tuple[str, ...] = ()
    can_subscribe: bool = True
    can_publish_data: bool = False
    hidden: bool = False


def mint_sandbox_token(
    *, room: str, identity: str, name: str, ttl_seconds: int, grants: SandboxGrants, metadata: str = ""
) -> Credentials:
    """A join token an admin asked for by hand: never room admin, publishing only the chosen sources."""
    video = api.VideoGrants(
        room_join=True,
        room=room,
        room_create=False,
        room_list=False,
        room_record=False,
        room_admin=False,
        can_publish=bool(grants.publish_sources),
        can_publish_sources=list(grants.publish_sources),
        can_subscribe=grants.can_subscribe,
        can_publish_data=grants.can_publish_data,
        can_update_own_metadata=False,
        hidden=grants.hidden,
        recorder=False,
        agent=False,
    )
    token = (
        api.AccessToken(settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET)
        .with_identity(identity)
        .with_name(name)
        .with_grants(video)
        .with_metadata(metadata)
        .with_attributes({"role": "sandbox"})
        .with_ttl(timedelta(seconds=ttl_seconds))
        .to_jwt()
    )
    return Credentials(livekit_url=settings.LIVEKIT_URL, token=token, identity=identity)


def decode_token(token: str) -> dict[str, object]:
    """The claims of a token we signed (checked against our secret), as LiveKit will read them."""
    try:
        claims: dict[str, object] = jwt.decode(
            token, settings.LIVEKIT_API_SECRET, algorithms=["HS256"], options={"verify_aud": False}
        )
    except jwt.PyJWTError as exc:
        raise LiveKitError(f"not a token of ours: {exc}") from exc
    return claims


def verify_webhook(*, body: bytes, authorization: str) -> WebhookEvent:
    """Check the JWT in Authorization (our key, the sha256 of this exact body) and parse the event."""
    if not authorization:
        raise WebhookInvalid("missing Authorization header")
    receiver = api.WebhookReceiver(api.TokenVerifier(settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET))
    try:
        text = body.decode("utf-8")
        event = receiver.receive(text, authorization)
    except Exception as exc:  # the SDK raises bare Exception for hash mismatches
        raise WebhookInvalid(str(exc) or exc.__class__.__name__) from exc
    if not event.id or not event.event:
        raise WebhookInvalid("webhook without an id or event type")
    return WebhookEvent(
        id=event.id,
        event=event.event,
        room_name=event.room.name,
        room_sid=event.room.sid,
        participant_identity=event.participant.identity,
        participant_sid=event.participant.sid,
        created_at=event.created_at,
        participant_name=event.participant.name,
        participant_role=event.participant.attributes.get("role", ""),
        participant_is_agent=event.participant.kind == api.ParticipantInfo.Kind.AGENT,
        participant_is_service=event.participant.kind in SERVICE_KINDS,
    )


def sign_webhook(*, body: bytes) -> str:
    """The Authorization value LiveKit would send with this body (used by tests and benchmarks)."""
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    return (
        api.AccessToken(settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET)
        .with_sha256(digest)
        .with_ttl(timedelta(minutes=5))
        .to_jwt()
    )


def ping() -> None:
    """Raise LiveKitError unless the server answers an authenticated request."""
    list_rooms()


# --- Egress (recordings) ---------------------------------------------------------------------
# Self-contained on purpose: the recordings app calls only these, with our own dataclasses.

EGRESS_STATUSES = {
    "EGRESS_STARTING": "starting",
    "EGRESS_ACTIVE": "active",
    "EGRESS_ENDING": "ending",
    "EGRESS_COMPLETE": "complete",
    "EGRESS_FAILED": "failed",
    "EGRESS_ABORTED": "aborted",
    "EGRESS_LIMIT_REACHED": "limit_reached",
}


@dataclass(frozen=True)
class EgressFile:
    """A file an egress wrote: where (a path on the egress host, or an object key) and how long."""

    filename: str
    location: str
    duration_seconds: float
    size: int


@dataclass(frozen=True)
class Egress:
    """One egress job as LiveKit reports it; `status` is starting, active, ending, complete, failed,
    aborted or limit_reached; times are Unix nanoseconds (0 while unknown)."""

    egress_id: str
    room_name: str
    status: str
    kind: str
    started_at: int = 0
    ended_at: int = 0
    updated_at: int = 0
    error: str = ""
    files: tuple[EgressFile, ...] = ()

    @property
    def is_finished(self) -> bool:
        return self.status in ("complete", "failed", "aborted", "limit_reached")


@dataclass(frozen=True)
class EgressWebhook:
    """An egress_started / egress_updated / egress_ended webhook, with the egress it reports."""

    id: str
    event: str
    created_at: int
    egress: Egress


def _egress(info: api.EgressInfo) -> Egress:
    files = tuple(
        EgressFile(
            filename=f.filename,
            location=f.location,
            duration_seconds=f.duration / 1e9 if f.duration else 0.0,
            size=int(f.size),
        )
        for f in info.file_results
    )
    kind = info.WhichOneof("request") or ""
    return Egress(
        egress_id=info.egress_id,
        room_name=info.room_name,
        status=EGRESS_STATUSES.get(api.EgressStatus.Name(info.status), "failed"),
        kind=kind,
        started_at=info.started_at,
        ended_at=info.ended_at,
        updated_at=info.updated_at,
        error=info.error,
        files=files,
    )


def start_room_recording(
    *,
    room: str,
    filepath: str,
    layout_url: str,
    audio_only: bool = False,
    width: int = 1280,
    height: int = 720,
    framerate: int = 30,
) -> Egress:
    """Record a room through our own lecture layout (`layout_url`, opened by egress's Chromium) to one
    file at `filepath` (a path on the egress host, or an object key when egress uploads to S3).

    Video recordings are MP4 with H.264 and Opus audio (Debian's GStreamer has no AAC encoder);
    audio-only recordings are Ogg Opus.
    """
    if audio_only:
        output = api.EncodedFileOutput(file_type=api.EncodedFileType.OGG, filepath=filepath)
        options = api.EncodingOptions(audio_codec=api.AudioCodec.OPUS, audio_bitrate=64)
    else:
        output = api.EncodedFileOutput(file_type=api.EncodedFileType.MP4, filepath=filepath)
        options = api.EncodingOptions(
            width=width,
            height=height,
            framerate=framerate,
            audio_codec=api.AudioCodec.OPUS,
            audio_bitrate=96,
            video_codec=api.VideoCodec.H264_MAIN,
            video_bitrate=2500,
            key_frame_interval=2,
        )
    request = api.RoomCompositeEgressRequest(
        room_name=room,
        layout="lecture",
        audio_only=audio_only,
        custom_base_url=layout_url,
        file_outputs=[output],
        advanced=options,
    )
    started = _call(lambda c: c.egress.start_room_composite_egress(request), timeout=EGRESS_START_TIMEOUT_SECONDS)
    return _egress(started)


def stop_egress(*, egress_id: str) -> Egress:
    """Ask egress to finish the job; the file is complete once `egress_ended` arrives."""
    return _egress(_call(lambda c: c.egress.stop_egress(api.StopEgressRequest(egress_id=egress_id))))


def list_egress(*, room: str = "", active: bool = False) -> list[Egress]:
    """The egress jobs LiveKit knows of (of one room, or all; only the running ones with `active`)."""
    request = api.ListEgressRequest(room_name=room, active=active)
    response = _call(lambda c: c.egress.list_egress(request))
    return [_egress(info) for info in response.items]


def parse_egress_webhook(*, body: bytes) -> EgressWebhook | None:
    """The egress a webhook body reports (call only after verify_webhook accepted it); None when the
    event is not about an egress."""
    from google.protobuf import json_format

    event = json_format.Parse(body.decode("utf-8"), api.WebhookEvent(), ignore_unknown_fields=True)
    if not event.event.startswith("egress_") or not event.egress_info.egress_id:
        return None
    return EgressWebhook(id=event.id, event=event.event, created_at=event.created_at, egress=_egress(event.egress_info))


def mint_egress_webhook_body(*, event: str, egress: Egress, event_id: str) -> bytes:
    """The JSON body LiveKit would send for this egress event (tests and benchmarks sign it)."""
    from google.protobuf import json_format

    status = {v: k for k, v in EGRESS_STATUSES.items()}[egress.status]
    info = api.EgressInfo(
        egress_id=egress.egress_id,
        room_name=egress.room_name,
        status=status,  # type: ignore[arg-type]  # the enum name, as protobuf accepts it
        started_at=egress.started_at,
        ended_at=egress.ended_at,
        updated_at=egress.updated_at,
        error=egress.error,
        file_results=[
            api.FileInfo(filename=f.filename, location=f.location, duration=int(f.duration_seconds * 1e9), size=f.size)
            for f in egress.files
        ],
    )
    created_at = int(egress.updated_at // 1_000_000_000)
    webhook = api.WebhookEvent(event=event, id=event_id, created_at=created_at, egress_info=info)
    return json_format.MessageToJson(webhook).encode()
