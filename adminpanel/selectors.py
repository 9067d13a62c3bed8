"""What the admin pages read: rooms (ours and LiveKit-only), who is in a live room, accounts, audit."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from lectures.attendance import idle_since, is_stale
from participants.models import MintedIdentity
from rooms import livekit_server
from rooms.livekit_server import LiveKitError, LiveKitParticipant, LiveKitRoom, LiveKitTrack
from rooms.models import Lecture, Room

ROLE_LABELS = {"host": "host", "cohost": "co-host", "guest": "student"}


@dataclass(frozen=True)
class RoomRow:
    room: Room
    lecture: Lecture | None
    connected: int | None  # None: LiveKit did not answer
    stale: bool
    idle_since: datetime | None


@dataclass(frozen=True)
class RoomListing:
    rows: list[RoomRow]
    livekit_only: list[LiveKitRoom]
    livekit_error: str


def search_rooms(*, query: str = "", status: str = "") -> QuerySet[Room]:
    """Every room, newest first; `query` matches title, code or the host's e-mail or name."""
    rooms = Room.objects.select_related("host")
    if query:
        rooms = rooms.filter(
            Q(title__icontains=query)
            | Q(code__icontains=query)
            | Q(host__email__icontains=query)
            | Q(host__name__icontains=query)
            | Q(host__first_name__icontains=query)
            | Q(host__last_name__icontains=query)
        )
    if status == "live":
        rooms = rooms.filter(status=Room.Status.LIVE)
    elif status == "idle":
        rooms = rooms.exclude(status=Room.Status.LIVE)
    return rooms


def room_listing(*, rooms: list[Room], with_livekit_only: bool) -> RoomListing:
    """Rows for a page of rooms: who is connected (LiveKit), stale lectures, and LiveKit's own rooms."""
    try:
        on_server = livekit_server.list_rooms()
        livekit_error = ""
    except LiveKitError as exc:
        on_server, livekit_error = [], exc.detail
    connected = {r.name: r.num_participants for r in on_server}
    lectures = {
        lecture.room_id: lecture
        for lecture in Lecture.objects.filter(room__in=rooms, status=Lecture.Status.LIVE).order_by("started_at")
    }
    rows = []
    for room in rooms:
        lecture = lectures.get(room.pk)
        rows.append(
            RoomRow(
                room=room,
                lecture=lecture,
                connected=(connected.get(lecture.livekit_room, 0) if not livekit_error else None) if lecture else 0,
                stale=is_stale(lecture=lecture) if lecture else False,
                idle_since=idle_since(lecture=lecture) if lecture else None,
            )
        )
    livekit_only: list[LiveKitRoom] = []
    if with_livekit_only and on_server:
        ours = set(
            Lecture.objects.filter(livekit_room__in=[r.name for r in on_server]).values_list("livekit_room", flat=True)
        )
        livekit_only = [r for r in on_server if r.name not in ours]
    return RoomListing(rows=rows, livekit_only=livekit_only, livekit_error=livekit_error)


@dataclass(frozen=True)
class ParticipantRow:
    identity: str
    name: str  # ours (the minted identity's account or guest session); LiveKit's only for strangers
    role: str  # host, co-host, student, agent, service or "not ours"
    state: str
    joined_at: datetime | None
    tracks: tuple[LiveKitTrack, ...]
    ours: bool
    kickable: bool


def _row(participant: LiveKitParticipant, minted: dict[str, MintedIdentity]) -> ParticipantRow:
    row = minted.get(participant.identity)
    joined = datetime.fromtimestamp(participant.joined_at, tz=UTC) if participant.joined_at else None
    if row is not None:
        if row.guest is not None:
            name = row.guest.display_name
        else:
            name = row.user.display_name if row.user is not None else participant.identity
        role = ROLE_LABELS.get(row.role, row.role)
    elif participant.is_agent:
        name, role = "AI assistant", "agent"
    elif participant.is_service:
        name, role = "LiveKit service", "service"
    else:
        name, role = "", "not ours"
    return ParticipantRow(
        identity=participant.identity,
        name=name,
        role=role,
        state=participant.state.lower(),
        joined_at=joined,
        tracks=participant.tracks,
        ours=row is not None,
        kickable=row is not None and row.guest is not None and row.role == "guest",
    )


def participants_of(*, livekit_room: str, lecture: Lecture | None) -> list[ParticipantRow]:
    """Who is connected to a LiveKit room right now, named from our records, never from LiveKit."""
    present = livekit_server.list_participants(room=livekit_room)
    minted: dict[str, MintedIdentity] = {}
    if lecture is not None:
        rows = MintedIdentity.objects.select_related("guest", "user").filter(
            lecture=lecture, identity__in=[p.identity for p in present]
        )
        minted = {row.identity: row for row in rows}
    return [_row(p, minted) for p in present]


def search_accounts(*, query: str = "") -> QuerySet[User]:
    """Accounts with how many rooms each hosts; `query` matches e-mail and names."""
    users = User.objects.annotate(rooms_count=Count("rooms")).order_by("email")
    if query:
        users = users.filter(Q(email__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query))
    return users


def search_audit_events(
    *, room: str = "", actor: str = "", action: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, narrowed by room (title or code), actor (name, e-mail or label),
    type and dates (`until` included, in the site's time zone)."""
    events = AuditEvent.objects.select_related("room", "actor")
    if room:
        events = events.filter(Q(room__title__icontains=room) | Q(room__code__iexact=room))
    if actor:
        events = events.filter(
            Q(actor__email__icontains=actor)
            | Q(actor__name__icontains=actor)
            | Q(actor__first_name__icontains=actor)
            | Q(actor__last_name__icontains=actor)
            | Q(actor_label__icontains=actor)
        )
    if action:
        events = events.filter(action=action)
    zone = timezone.get_current_timezone()
    if since:
        events = events.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        events = events.filter(created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone))
    return events


def live_rooms_json() -> list[dict[str, object]]:
    """The overview's live rooms as its socket sends them (text only; the page renders it as text)."""
    listing = room_listing(rooms=list(Room.objects.live().select_related("host")), with_livekit_only=False)
    rows: list[dict[str, object]] = []
    for row in listing.rows:
        if row.stale and row.idle_since is not None:
            state = f"stale — nobody connected since {timezone.localtime(row.idle_since):%H:%M}"
        elif row.lecture is not None:
            state = f"live since {timezone.localtime(row.lecture.started_at):%Y-%m-%d %H:%M}"
        else:
            state = row.room.get_status_display()
        rows.append(
            {
                "code": row.room.code,
                "title": row.room.title,
                "url": reverse("adminpanel:room", kwargs={"code": row.room.code}),
                "host": row.room.host.display_name,
                "host_email": row.room.host.email,
                "state": state,
                "connected": row.connected,
            }
        )
    return rows
