"""The team's view of tickets in the agent console: their own queue and a full timeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from support_portal.clock import as_utc
from support_portal.domain.lifecycle import OPEN_STATUSES, STATUS_LABELS
from support_portal.models import Organization, Ticket, TicketEvent, User
from support_portal.services import attachments, escalations, tickets
from support_portal.services.authz import Principal, ensure_can_see_ticket, require_team
from support_portal.services.errors import Conflict


def list_assigned(
    *, session: Session, principal: Principal, include_closed: bool = False
) -> list[dict[str, Any]]:
    """Tickets assigned to the acting team member, the most recently changed first."""
    require_team(principal)
    query = select(Ticket, Organization).join(
        Organization, col(Organization.id) == col(Ticket.organization_id)
    )
    query = query.where(Ticket.assignee_id == principal.user_id)
    if not include_closed:
        query = query.where(col(Ticket.status).in_([s.value for s in OPEN_STATUSES]))
    rows = session.exec(query.order_by(col(Ticket.updated_at).desc())).all()
    return [
        {
            "number": t.number,
            "title": t.title,
            "status": STATUS_LABELS[t.status],
            "priority": t.priority,
            "organization": o.name,
        }
        for t, o in rows
    ]


def team_timeline(
    *, session: Session, principal: Principal, ticket: Ticket
) -> list[dict[str, Any]]:
    """Every event of the ticket, internal notes included: this view is for the team only."""
    require_team(principal)
    ensure_can_see_ticket(principal, ticket)
    rows = session.exec(
        select(TicketEvent, User)
        .join(User, col(User.id) == col(TicketEvent.actor_id), isouter=True)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(col(TicketEvent.created_at), col(TicketEvent.id))
    ).all()
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "is_public": e.is_public,
            "actor": u.name if u else "System",
            "at": as_utc(e.created_at).strftime("%Y-%m-%d %H:%M UTC"),
            "data": e.data,
        }
        for e, u in rows
    ]


@dataclass
class TeamTicketPage:
    """What the team's page of one ticket shows, read in one unit of work."""

    ticket: Ticket
    organization: str
    crm_subaccount: str
    requester: str
    events: list[dict[str, Any]]
    files: list[dict[str, str]]
    escalations: list[dict[str, Any]]
    client_tz: str


def ticket_page(*, session: Session, principal: Principal, number: str) -> TeamTicketPage:
    """The ticket `number` as the team sees it, internal notes and files included."""
    require_team(principal)
    ticket = tickets.get_ticket(session=session, principal=principal, number=number)
    org = session.get(Organization, ticket.organization_id)
    requester = session.get(User, ticket.requester_id)
    return TeamTicketPage(
        ticket=ticket,
        organization=org.name if org else "",
        crm_subaccount=(org.crm_subaccount_id if org else None) or "",
        requester=requester.name if requester else "",
        events=team_timeline(session=session, principal=principal, ticket=ticket),
        files=[
            {"name": a.original_name, "url": attachments.download_url(a.id)}  # type: ignore[arg-type]
            for a in attachments.ticket_attachments(
                session=session, principal=principal, ticket=ticket
            )
        ],
        escalations=escalations.escalation_views(
            session=session, principal=principal, ticket=ticket
        ),
        client_tz=escalations.client_timezone(session=session, principal=principal, ticket=ticket),
    )


# A ticket whose next public update falls due this soon is marked in the team queue.
UPDATE_DUE_SOON = timedelta(hours=4)

_DUE_LABELS = (
    ("first_response_due_at", "First response"),
    ("next_update_due_at", "Next update"),
    ("resolution_due_at", "Resolution"),
)


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def due_text(label: str, due: datetime, now: datetime) -> str:
    left = (due - now).total_seconds()
    if left < 0:
        return f"{label} overdue by {_span(left)}"
    return f"{label} due in {_span(left)}"


@dataclass(frozen=True)
class QueueRow:
    number: int
    title: str
    status: str
    priority: str
    organization: str
    assignee: str
    mine: bool
    version: int
    # The earliest of the due times below, in words and as an ISO instant (for sorting and
    # for the exact time on hover); empty while the clocks are paused (waiting on the client).
    next_due: str
    next_due_at: str
    dues: list[str]
    update_due_soon: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def team_queue(*, session: Session, principal: Principal, now: datetime) -> list[QueueRow]:
    """The work nobody holds plus the acting member's own open tickets, what falls due
    first at the top. A paused ticket (waiting on the client) has nothing running and
    comes last."""
    require_team(principal)
    holder = aliased(User)
    rows = session.exec(
        select(Ticket, Organization, holder)
        .join(Organization, col(Organization.id) == col(Ticket.organization_id))
        .join(holder, col(holder.id) == col(Ticket.assignee_id), isouter=True)
        .where(
            col(Ticket.status).in_([s.value for s in OPEN_STATUSES]),
            or_(
                col(Ticket.assignee_id).is_(None),
                col(Ticket.assignee_id) == principal.user_id,
            ),
        )
    ).all()
    out: list[tuple[tuple[int, datetime, int], QueueRow]] = []
    for t, org, user in rows:
        paused = t.sla_paused_at is not None
        dues = [
            (as_utc(getattr(t, name)), label)
            for name, label in _DUE_LABELS
            if getattr(t, name) is not None
        ]
        first = None if paused else min(dues, default=None)
        update_due = as_utc(t.next_update_due_at) if t.next_update_due_at else None
        row = QueueRow(
            number=t.number or 0,
            title=t.title,
            status=STATUS_LABELS[t.status],
            priority=t.priority,
            organization=org.name,
            assignee=user.name if user else "",
            mine=t.assignee_id is not None and t.assignee_id == principal.user_id,
            version=t.version,
            next_due=due_text(first[1], first[0], now) if first else "Paused: waiting on client",
            next_due_at=first[0].isoformat() if first else "",
            dues=[] if paused else [due_text(label, due, now) for due, label in dues],
            update_due_soon=update_due is not None and update_due - now <= UPDATE_DUE_SOON,
        )
        key = (1, datetime.max.replace(tzinfo=now.tzinfo), row.number)
        if first:
            key = (0, first[0], row.number)
        out.append((key, row))
    return [row for _, row in sorted(out, key=lambda pair: pair[0])]


def take_ticket(
    *,
    session: Session,
    principal: Principal,
    number: int,
    expected_version: int,
    now: datetime,
) -> Ticket:
    """The acting member takes a ticket from the queue for themselves. A ticket that changed
    since the queue was read is refused, saying who holds it now if someone took it."""
    require_team(principal)
    ticket = tickets.get_ticket(session=session, principal=principal, number=number)
    if ticket.assignee_id == principal.user_id:
        return ticket
    if ticket.assignee_id is not None or ticket.version != expected_version:
        raise Conflict(taken_message(session=session, principal=principal, number=number))
    return tickets.assign(
        session=session,
        principal=principal,
        ticket=ticket,
        assignee_id=principal.user_id,
        expected_version=expected_version,
        now=now,
    )


def taken_message(*, session: Session, principal: Principal, number: int) -> str:
    """Why a take failed, in words: who holds the ticket now, or that it changed."""
    require_team(principal)
    ticket = tickets.get_ticket(session=session, principal=principal, number=number)
    holder = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    if holder is not None and holder.id != principal.user_id:
        return f"Ticket #{ticket.number} was just taken by {holder.name}."
    return f"Ticket #{ticket.number} changed while you were looking at it; the queue is updated."
