"""The team's view of tickets in the agent console: their own queue and a full timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from support_portal.clock import as_utc
from support_portal.domain.lifecycle import OPEN_STATUSES, STATUS_LABELS
from support_portal.models import Organization, Ticket, TicketEvent, User
from support_portal.services import attachments, escalations, tickets
from support_portal.services.authz import Principal, ensure_can_see_ticket, require_team


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
