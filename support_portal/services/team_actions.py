"""What the team does on a ticket's page and in the agent console: each one use case that
checks the team member, changes the rows, writes events and notifications, and commits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from support_portal.domain.roles import Role
from support_portal.domain.ticket_quality import TicketDraft
from support_portal.models import Ticket
from support_portal.services import attachments, escalations, problems, tickets
from support_portal.services import chat as chat_service
from support_portal.services.authz import Principal, require_team
from support_portal.services.errors import NotFound, ValidationFailed
from support_portal.services.unit_of_work import on_ticket

TEAM = (Role.AGENT, Role.MANAGER)


def _teams_ticket(session: Session, principal: Principal, number: str) -> Ticket:
    require_team(principal)
    return tickets.get_ticket(session=session, principal=principal, number=number)


def post_update(
    *, session: Session, principal: Principal, number: str, body: str, internal: bool, now: datetime
) -> int:
    """A public update (the client is told) or an internal note; returns the ticket's id."""
    return on_ticket(
        tickets.post_update,
        roles=TEAM,
        session=session,
        principal=principal,
        number=number,
        body=body,
        internal=internal,
        now=now,
    )


def change_status(
    *,
    session: Session,
    principal: Principal,
    number: str,
    to: str,
    reason: str,
    expected_version: int,
    now: datetime,
) -> int:
    return on_ticket(
        tickets.change_status,
        roles=TEAM,
        session=session,
        principal=principal,
        number=number,
        to=to,
        reason=reason,
        expected_version=expected_version,
        now=now,
    )


def add_link(
    *, session: Session, principal: Principal, number: str, url: str, title: str, now: datetime
) -> int:
    return on_ticket(
        escalations.add_link,
        roles=TEAM,
        session=session,
        principal=principal,
        number=number,
        url=url,
        title=title,
        now=now,
    )


def schedule_zoom(
    *,
    session: Session,
    principal: Principal,
    meeting_url: str,
    local_time: datetime,
    attendees: str,
    now: datetime,
    number: str | None = None,
    chat_id: int | None = None,
) -> int | None:
    """A Zoom call for the ticket `number` or the chat `chat_id`; the client is told.
    Returns the ticket's id (None for a chat)."""
    ticket = _teams_ticket(session, principal, number) if number is not None else None
    escalations.schedule_zoom(
        session=session,
        principal=principal,
        meeting_url=meeting_url,
        local_time=local_time,
        attendees=attendees,
        ticket=ticket,
        chat_id=None if ticket is not None else chat_id,
        now=now,
    )
    session.commit()
    return ticket.id if ticket is not None else None


def record_zoom_outcome(
    *,
    session: Session,
    principal: Principal,
    number: str,
    escalation_id: str,
    outcome: str,
    resolved_on_call: bool,
    resolve_ticket: bool,
    now: datetime,
) -> int:
    """What a call of this ticket achieved. The id comes from the browser: it must be one
    of this ticket's calls."""
    ticket = _teams_ticket(session, principal, number)
    mine = escalations.escalations_for_ticket(session=session, principal=principal, ticket=ticket)
    if escalation_id not in {str(e.id) for e in mine}:
        raise NotFound("Zoom escalation not found.")
    escalations.record_zoom_outcome(
        session=session,
        principal=principal,
        escalation_id=int(escalation_id),
        outcome=outcome,
        resolved_on_call=resolved_on_call,
        resolve_ticket=resolve_ticket,
        now=now,
    )
    session.commit()
    return ticket.id  # type: ignore[return-value]


def add_screenshot(
    *,
    session: Session,
    principal: Principal,
    chat_id: int,
    filename: str,
    data: bytes,
    now: datetime,
) -> tuple[int, str]:
    """A file for the ticket being written from a chat, kept privately; (id, stored name)."""
    require_team(principal)
    att = attachments.store_attachment(
        session=session, principal=principal, filename=filename, data=data, chat_id=chat_id, now=now
    )
    session.commit()
    return att.id, att.original_name  # type: ignore[return-value]


def convert_chat(
    *,
    session: Session,
    principal: Principal,
    chat_id: int,
    draft: TicketDraft,
    attachment_ids: list[int],
    link_choice: str,
    now: datetime,
) -> int:
    """The chat becomes a ticket, with the screenshots uploaded while writing it, linked to
    the similar ticket or problem the agent chose ("ticket:<id>" or "problem:<id>"), all in
    one transaction. Returns the new ticket's number."""
    require_team(principal)
    ticket = chat_service.convert_to_ticket(
        session=session, principal=principal, chat_id=chat_id, draft=draft, now=now
    )
    if attachment_ids:
        attachments.attach_to_ticket(
            session=session, principal=principal, attachment_ids=attachment_ids, ticket=ticket
        )
    if link_choice:
        _link(session, principal, link_choice, ticket, now)
    session.commit()
    return ticket.number  # type: ignore[return-value]


def _link(session: Session, principal: Principal, choice: str, ticket: Ticket, now: datetime):
    kind, _, raw_id = choice.partition(":")
    if kind not in ("problem", "ticket") or not raw_id.isdigit():
        raise ValidationFailed({"link": "Choose a similar ticket or problem from the list."})
    if kind == "problem":
        problems.link_ticket_to_problem(
            session=session,
            principal=principal,
            problem_id=int(raw_id),
            ticket_id=ticket.id,  # type: ignore[arg-type]
            now=now,
        )
    else:
        problems.link_related_ticket(
            session=session,
            principal=principal,
            ticket_id=ticket.id,  # type: ignore[arg-type]
            related_ticket_id=int(raw_id),
            now=now,
        )


def link_ticket_to_problem(
    *, session: Session, principal: Principal, problem_id: int, ticket_id: int, now: datetime
) -> bool:
    """Link a ticket to an open problem; False if it already was."""
    linked = problems.link_ticket_to_problem(
        session=session, principal=principal, problem_id=problem_id, ticket_id=ticket_id, now=now
    )
    session.commit()
    return linked
