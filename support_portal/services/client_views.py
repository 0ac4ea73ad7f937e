"""What a client may see of their tickets, as plain view data for the browser.

Everything a client's page shows is built here, never from raw rows in the state: only
public events of known kinds are used, and of each event only the data keys listed for its
kind are copied. Internal notes, internal data and unknown kinds never leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from support_portal.clock import as_utc
from support_portal.domain.lifecycle import CLIENT_STATUS_WORDS, OPEN_STATUSES, Status
from support_portal.domain.links import split_links
from support_portal.domain.roles import Role
from support_portal.domain.timeline import CLIENT_KEYS, EventKind, client_entry, is_prose
from support_portal.domain.zones import viewer_zone
from support_portal.models import Attachment, Notification, Organization, Ticket, TicketEvent, User
from support_portal.services import tickets as ticket_service
from support_portal.services.authz import Principal, require_role

NOT_ASSIGNED = "Not assigned yet"

CHANNEL_WORDS = {"email": "Email", "sms": "Text message"}
DELIVERY_WORDS = {
    "pending": "sending",
    "sending": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "failed": "not delivered",
    "undelivered": "not delivered",
    "skipped": "not sent",
}


@dataclass
class FileLink:
    name: str = ""
    url: str = ""


@dataclass
class TextPart:
    """A piece of a body: plain text, a Loom walkthrough address or another web link."""

    kind: str = "text"
    text: str = ""


@dataclass
class TimelineItem:
    key: str = ""
    kind: str = ""
    icon: str = "circle"
    headline: str = ""
    body: str = ""
    exact: str = ""
    relative: str = ""
    # The instant (ISO 8601, UTC), from which the page keeps `relative` true while open.
    at: str = ""
    files: list[FileLink] = field(default_factory=list)
    # The body cut into text and links (checked http(s) only), so the page never parses it.
    parts: list[TextPart] = field(default_factory=list)
    # A walkthrough, a link or a Zoom meeting: opened in a new tab, never fetched.
    link_url: str = ""
    link_title: str = ""


@dataclass
class TicketRow:
    """One line of "My tickets"."""

    ticket_number: int = 0
    title: str = ""
    status: str = ""
    status_words: str = ""
    is_open: bool = True
    assignee: str = NOT_ASSIGNED
    last_update: str = ""
    last_update_exact: str = ""
    last_update_at: str = ""
    due: str = ""
    url: str = ""


@dataclass
class TicketView:
    """One ticket's page: its summary line and its public timeline, oldest first."""

    row: TicketRow = field(default_factory=TicketRow)
    can_confirm: bool = False
    can_reopen: bool = False
    items: list[TimelineItem] = field(default_factory=list)


def viewer_timezone(session: Session, principal: Principal) -> ZoneInfo:
    """The viewer's own time zone, else their organization's, else UTC."""
    user = session.get(User, principal.user_id)
    org = (
        session.get(Organization, principal.organization_id) if principal.organization_id else None
    )
    return ZoneInfo(viewer_zone(user.timezone if user else None, org.timezone if org else None))


def exact_time(when: datetime, tz: ZoneInfo) -> str:
    local = as_utc(when).astimezone(tz)
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or "")


def iso_instant(when: datetime) -> str:
    return as_utc(when).isoformat(timespec="seconds")


def relative_time(when: datetime, now: datetime) -> str:
    """ "3 hours ago" / "in 2 days": coarse on purpose, the exact time is on hover.

    assets/relative_time.js words past times the same way in the browser, so an open page
    keeps them true: change both together."""
    seconds = (as_utc(when) - as_utc(now)).total_seconds()
    future = seconds > 0
    s = abs(seconds)
    if s < 60:
        return "just now" if not future else "in under a minute"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if s >= size:
            n = int(s // size)
            text = f"{n} {unit}{'s' if n != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"  # pragma: no cover


def _name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id else None
    return user.name if user else None


def _due_text(ticket: Ticket, tz: ZoneInfo, now: datetime) -> str:
    if Status(ticket.status) not in OPEN_STATUSES:
        return ""
    if ticket.status == Status.WAITING_ON_CLIENT.value:
        return "The team is waiting for your reply"
    if ticket.first_response_at is None and ticket.first_response_due_at is not None:
        when = ticket.first_response_due_at
        label = "First response due"
    elif ticket.next_update_due_at is not None:
        when = ticket.next_update_due_at
        label = "Next update due"
    else:
        return ""
    late = " (late)" if as_utc(when) < as_utc(now) else ""
    return f"{label} {relative_time(when, now)}{late} · {exact_time(when, tz)}"


def _row(session: Session, ticket: Ticket, tz: ZoneInfo, now: datetime) -> TicketRow:
    last = ticket.last_public_update_at or ticket.created_at
    return TicketRow(
        ticket_number=ticket.number or 0,
        title=ticket.title,
        status=ticket.status,
        status_words=CLIENT_STATUS_WORDS[Status(ticket.status)],
        is_open=Status(ticket.status) in OPEN_STATUSES,
        assignee=_name(session, ticket.assignee_id) or NOT_ASSIGNED,
        last_update=relative_time(last, now),
        last_update_exact=exact_time(last, tz),
        last_update_at=iso_instant(last),
        due=_due_text(ticket, tz, now),
        url=f"/client/tickets/{ticket.number}",
    )


def list_my_tickets(*, session: Session, principal: Principal, now: datetime) -> list[TicketRow]:
    """Every ticket of the client's organization: open ones first, most recent first."""
    require_role(principal, Role.CLIENT)
    tz = viewer_timezone(session, principal)
    found = session.exec(
        select(Ticket)
        .where(Ticket.organization_id == principal.organization_id)
        .order_by(col(Ticket.updated_at).desc(), col(Ticket.id).desc())
    ).all()
    rows = [_row(session, t, tz, now) for t in found]
    return sorted(rows, key=lambda r: not r.is_open)  # stable: keeps recency within groups


def _files(session: Session, ticket: Ticket, ids: Any) -> list[FileLink]:
    if not isinstance(ids, list) or not ids:
        return []
    wanted = [i for i in ids if isinstance(i, int)]
    rows = session.exec(
        select(Attachment).where(
            col(Attachment.id).in_(wanted),
            Attachment.ticket_id == ticket.id,
            Attachment.is_public == True,  # noqa: E712
        )
    ).all()
    return [FileLink(name=a.original_name, url=f"/files/{a.id}") for a in rows]


def _parts(text: str) -> list[TextPart]:
    return [TextPart(kind=s.kind, text=s.text) for s in split_links(text)]


def _scheduled(value: Any, tz: ZoneInfo) -> str:
    try:
        return exact_time(datetime.fromisoformat(str(value)), tz)
    except ValueError:
        return ""


def _event_item(
    session: Session, ticket: Ticket, event: TicketEvent, principal: Principal, tz: ZoneInfo
) -> TimelineItem:
    data = event.data or {}
    when = (
        _scheduled(data.get("scheduled_at"), tz) if event.kind == EventKind.ZOOM_SCHEDULED else ""
    )
    entry = client_entry(event.kind, data, by_viewer=event.actor_id == principal.user_id, when=when)
    item = TimelineItem(key=f"e{event.id}", kind=event.kind)
    if entry is None:  # the query selects only kinds the client sees
        return item
    item.icon = entry.icon
    item.headline = entry.headline
    item.body = entry.body
    item.link_url = entry.link_url
    item.link_title = entry.link_title
    item.files = _files(session, ticket, list(entry.attachment_ids))
    if is_prose(event.kind):
        item.parts = _parts(item.body)
    return item


def _notification_item(note: Notification) -> TimelineItem:
    channel = CHANNEL_WORDS.get(note.channel, note.channel.title())
    status = DELIVERY_WORDS.get(note.status, note.status)
    return TimelineItem(
        key=f"n{note.id}",
        kind="notification",
        icon="mail" if note.channel == "email" else "smartphone",
        headline=f"{channel} sent to you: {status}",
        # Undelivered reasons are written for people ("phone unreachable"); other errors are
        # provider internals and stay on the team's side.
        body=(
            f"Reason: {note.last_error}"
            if note.status == "undelivered" and note.last_error
            else (note.subject if note.channel == "email" else "")
        ),
    )


def ticket_view(
    *, session: Session, principal: Principal, number: str | int, now: datetime
) -> TicketView:
    """One ticket as its client sees it; NotFound for other organizations' tickets."""
    require_role(principal, Role.CLIENT)
    ticket = ticket_service.get_ticket(session=session, principal=principal, number=number)
    return build_ticket_view(session=session, principal=principal, ticket=ticket, now=now)


def build_ticket_view(
    *, session: Session, principal: Principal, ticket: Ticket, now: datetime
) -> TicketView:
    require_role(principal, Role.CLIENT)
    ticket = ticket_service.get_ticket_by_id(
        session=session, principal=principal, ticket_id=ticket.id or 0
    )
    tz = viewer_timezone(session, principal)
    events = session.exec(
        select(TicketEvent)
        .where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.is_public == True,  # noqa: E712
            col(TicketEvent.kind).in_([k.value for k in CLIENT_KEYS]),
        )
        .order_by(col(TicketEvent.created_at), col(TicketEvent.id))
    ).all()
    notes = session.exec(
        select(Notification)
        .where(
            Notification.ticket_id == ticket.id,
            Notification.recipient_user_id == principal.user_id,
        )
        .order_by(col(Notification.created_at), col(Notification.id))
    ).all()
    dated: list[tuple[datetime, int, TimelineItem]] = [
        (e.created_at, 0, _event_item(session, ticket, e, principal, tz)) for e in events
    ] + [(n.created_at, 1, _notification_item(n)) for n in notes]
    dated.sort(key=lambda x: (as_utc(x[0]), x[1]))
    items = []
    for when, _, item in dated:
        item.exact = exact_time(when, tz)
        item.relative = relative_time(when, now)
        item.at = iso_instant(when)
        items.append(item)
    status = Status(ticket.status)
    return TicketView(
        row=_row(session, ticket, tz, now),
        can_confirm=status == Status.RESOLVED,
        can_reopen=status in (Status.RESOLVED, Status.CLOSED),
        items=items,
    )


def client_viewers(*, session: Session, ticket_id: int) -> list[Principal]:
    """The clients who may have this ticket open: everyone in its organization."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return []
    users = session.exec(
        select(User).where(
            User.organization_id == ticket.organization_id,
            User.role == Role.CLIENT.value,
            User.is_active == True,  # noqa: E712
        )
    ).all()
    return [Principal.of(u) for u in users]


def views_for_open_pages(
    *, session: Session, ticket_id: int, now: datetime, skip_user_id: int | None = None
) -> list[tuple[int, TicketView]]:
    """(user id, their view of the ticket) for each client who may have it open: what the
    system pushes to their pages after a change. Each view is built as that client."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return []
    return [
        (p.user_id, build_ticket_view(session=session, principal=p, ticket=ticket, now=now))  # type: ignore[misc]
        for p in client_viewers(session=session, ticket_id=ticket_id)
        if p.user_id != skip_user_id
    ]
