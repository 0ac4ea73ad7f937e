"""The live channels around a ticket: Loom walkthrough links and Zoom escalation calls."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from support_portal.clock import as_utc
from support_portal.domain.lifecycle import Status
from support_portal.domain.links import LinkRefused, check_zoom_url, classify
from support_portal.domain.roles import Role
from support_portal.domain.timeline import EventKind
from support_portal.domain.zones import viewer_zone
from support_portal.models import ChatSession, Organization, Ticket, User, ZoomEscalation
from support_portal.services import notifications, tickets
from support_portal.services.authz import (
    Principal,
    can_see_ticket,
    ensure_can_see_ticket,
    require_team,
)
from support_portal.services.errors import Conflict, NotFound, ValidationFailed
from support_portal.services.timeline import append_event
from support_portal.settings import get_settings

MAX_TITLE = 200


def add_link(
    *,
    session: Session,
    principal: Principal,
    ticket: Ticket,
    url: str,
    title: str = "",
    now: datetime,
) -> str:
    """Add a Loom walkthrough or another link to a ticket's timeline; returns its kind."""
    ensure_can_see_ticket(principal, ticket)
    try:
        link = classify(url)
    except LinkRefused as exc:
        raise ValidationFailed({"url": str(exc)}, str(exc)) from exc
    title = title.strip()[:MAX_TITLE]
    if link.kind == "loom" and not title:
        raise ValidationFailed({"title": "Give the walkthrough a title."})
    append_event(
        session,
        ticket=ticket,
        kind=EventKind.WALKTHROUGH if link.kind == "loom" else EventKind.LINK,
        actor=principal,
        now=now,
        data={"url": link.url, "title": title or link.url, "author": principal.name},
    )
    ticket.updated_at = now
    ticket.version += 1
    if principal.role == Role.CLIENT:
        notifications.queue_for_team(
            session,
            kind="client_details",
            ticket=ticket,
            now=now,
            extra={"body": f"{title or 'A link'}: {link.url}", "actor_name": principal.name},
        )
    return link.kind


def _client_and_tz(session: Session, *, ticket: Ticket | None, chat: ChatSession | None):
    client_id = ticket.requester_id if ticket else chat.client_id  # type: ignore[union-attr]
    org_id = ticket.organization_id if ticket else chat.organization_id  # type: ignore[union-attr]
    client = session.get(User, client_id)
    org = session.get(Organization, org_id)
    tz = viewer_zone(client.timezone if client else None, org.timezone if org else None)
    return client, tz


def schedule_zoom(
    *,
    session: Session,
    principal: Principal,
    meeting_url: str,
    local_time: datetime,
    attendees: str,
    ticket: Ticket | None = None,
    chat_id: int | None = None,
    now: datetime,
) -> ZoomEscalation:
    """Record a Zoom escalation. `local_time` is naive, in the client's time zone, as typed."""
    require_team(principal)
    chat = None
    if ticket is None:
        chat = session.get(ChatSession, chat_id) if chat_id is not None else None
        if chat is None:
            raise NotFound("Chat not found.")
        if principal.role == Role.AGENT and chat.agent_id not in (None, principal.user_id):
            raise NotFound("Chat not found.")
    errors: dict[str, str] = {}
    try:
        meeting_url = check_zoom_url(meeting_url)
    except LinkRefused as exc:
        errors["meeting_url"] = str(exc)
    client, tz = _client_and_tz(session, ticket=ticket, chat=chat)
    if local_time.tzinfo is None:
        local_time = local_time.replace(tzinfo=ZoneInfo(tz))
    scheduled = local_time.astimezone(UTC)
    if scheduled <= now:
        errors["scheduled_at"] = "Choose a time in the future."
    if not attendees.strip():
        errors["attendees"] = "Say who attends the call."
    if errors:
        raise ValidationFailed(errors)
    esc = ZoomEscalation(
        ticket_id=ticket.id if ticket else None,
        chat_id=chat.id if chat else (ticket.source_chat_id if ticket else None),
        meeting_url=meeting_url,
        scheduled_at=scheduled,
        attendees=attendees.strip()[:500],
        created_by_id=principal.user_id,
        created_at=now,
    )
    session.add(esc)
    session.flush()
    local = notifications.format_local(scheduled, tz)
    if ticket is not None:
        append_event(
            session,
            ticket=ticket,
            kind=EventKind.ZOOM_SCHEDULED,
            actor=principal,
            now=now,
            data={
                "escalation_id": esc.id,
                "meeting_url": meeting_url,
                "scheduled_at": scheduled.isoformat(),
                "attendees": esc.attendees,
            },
        )
    if client is not None:
        notifications.queue_for_user(
            session,
            kind="zoom_scheduled",
            user=client,
            ticket=ticket,
            now=now,
            extra={
                "meeting_url": meeting_url,
                "when": local,
                "attendees": esc.attendees,
                "number": ticket.number if ticket else None,
                "link": notifications.ticket_link(ticket, for_client=True) if ticket else "",
            },
            dedupe_key=f"zoom_scheduled:{esc.id}",
        )
    return esc


def record_zoom_outcome(
    *,
    session: Session,
    principal: Principal,
    escalation_id: int,
    outcome: str,
    resolved_on_call: bool,
    resolve_ticket: bool = False,
    now: datetime,
) -> ZoomEscalation:
    """Record what the call achieved, once. A call that solved it may resolve the ticket,
    which then still waits for the client's confirmation."""
    require_team(principal)
    esc = session.get(ZoomEscalation, escalation_id)
    if esc is None or not _may_handle(session, principal, esc):
        raise NotFound("Zoom escalation not found.")
    if esc.outcome_at is not None:
        raise Conflict("The outcome of this call is already recorded.")
    if not outcome.strip():
        raise ValidationFailed({"outcome": "Say what the call achieved or what follows."})
    esc.outcome = outcome.strip()
    esc.resolved_on_call = resolved_on_call
    esc.outcome_at = now
    ticket = session.get(Ticket, esc.ticket_id) if esc.ticket_id else None
    if ticket is not None:
        append_event(
            session,
            ticket=ticket,
            kind=EventKind.ZOOM_OUTCOME,
            actor=principal,
            now=now,
            data={
                "escalation_id": esc.id,
                "outcome": esc.outcome,
                "resolved_on_call": resolved_on_call,
            },
            dedupe_key=f"zoom_outcome:{esc.id}",
        )
        if (
            resolved_on_call
            and resolve_ticket
            and ticket.status not in (Status.RESOLVED.value, Status.CLOSED.value)
        ):
            tickets.change_status(
                session=session,
                principal=principal,
                ticket=ticket,
                to=Status.RESOLVED,
                reason=f"Resolved on the Zoom call: {esc.outcome}",
                now=now,
            )
    return esc


def _may_handle(session: Session, principal: Principal, esc: ZoomEscalation) -> bool:
    """The team member may record this call's outcome: any ticket's call, or a chat's call
    only by the agent holding that chat (managers: any)."""
    if esc.ticket_id is not None:
        ticket = session.get(Ticket, esc.ticket_id)
        return ticket is not None and can_see_ticket(principal, ticket)
    chat = session.get(ChatSession, esc.chat_id) if esc.chat_id is not None else None
    if chat is None:
        return False
    return principal.role == Role.MANAGER or chat.agent_id == principal.user_id


def escalations_for_ticket(
    *, session: Session, principal: Principal, ticket: Ticket
) -> list[ZoomEscalation]:
    from sqlmodel import select

    ensure_can_see_ticket(principal, ticket)
    q = select(ZoomEscalation).where(ZoomEscalation.ticket_id == ticket.id)
    return list(session.exec(q.order_by(ZoomEscalation.scheduled_at)).all())


def client_timezone(
    *,
    session: Session,
    principal: Principal,
    ticket: Ticket | None = None,
    chat_id: int | None = None,
) -> str:
    """The time zone a Zoom time is typed and shown in: the client's, else their organization's."""
    chat = None
    if ticket is not None:
        ensure_can_see_ticket(principal, ticket)
    else:
        require_team(principal)
        chat = session.get(ChatSession, chat_id) if chat_id is not None else None
        if chat is None:
            raise NotFound("Chat not found.")
    return _client_and_tz(session, ticket=ticket, chat=chat)[1]


def escalation_views(
    *, session: Session, principal: Principal, ticket: Ticket
) -> list[dict[str, str | bool]]:
    """A ticket's Zoom calls as plain view data: times in the client's and the agency's zone."""
    tz = client_timezone(session=session, principal=principal, ticket=ticket)
    agency_tz = get_settings().agency_timezone
    views: list[dict[str, str | bool]] = []
    for esc in escalations_for_ticket(session=session, principal=principal, ticket=ticket):
        when = as_utc(esc.scheduled_at)
        views.append(
            {
                "id": str(esc.id),
                "meeting_url": esc.meeting_url,
                "attendees": esc.attendees,
                "client_time": notifications.format_local(when, tz),
                "agency_time": notifications.format_local(when, agency_tz),
                "has_outcome": esc.outcome_at is not None,
                "outcome": esc.outcome or "",
                "resolved_on_call": bool(esc.resolved_on_call),
            }
        )
    return views
