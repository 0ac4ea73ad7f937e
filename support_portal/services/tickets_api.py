"""Tickets through the REST API: the integration path into the ticket use cases.

An outside chat tool authenticates with an API key; the key acts as the manager who created it,
so `create_ticket` runs with a team principal exactly as for a chat converted in the console,
and the "created" event also names the key. The client is identified by email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from support_portal.domain.roles import Role
from support_portal.domain.ticket_quality import TicketDraft, check_quality
from support_portal.domain.timeline import api_text
from support_portal.models import ApiKey, Organization, Ticket, TicketEvent, User
from support_portal.services import tickets
from support_portal.services.api_keys import principal_for_key
from support_portal.services.auth import normalize_email
from support_portal.services.errors import NotFound, ValidationFailed

SOURCE = "api"
# Ticket numbers are stored as 32-bit integers; a larger one cannot exist.
MAX_TICKET_NUMBER = 2**31 - 1

UNKNOWN_CLIENT = (
    "No client with this email. The client must already have an account in one of the "
    "agency's client organizations."
)


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    at: datetime
    summary: str


@dataclass(frozen=True)
class TicketStatusView:
    ticket: Ticket
    organization: str
    timeline: list[TimelineEntry]


def find_client(session: Session, email: str) -> User | None:
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if (
        user is None
        or user.role != Role.CLIENT.value
        or not user.is_active
        or user.organization_id is None
    ):
        return None
    return user


def create_ticket_via_api(
    *,
    session: Session,
    api_key: ApiKey,
    client_email: str,
    draft: TicketDraft,
    transcript: list[dict[str, Any]],
    now: datetime,
) -> Ticket:
    """Create a ticket for a client from an outside chat; every problem is reported at once."""
    client = find_client(session, client_email)
    errors = check_quality(draft)
    if client is None:
        errors = {"client_email": UNKNOWN_CLIENT, **errors}
    if errors:
        raise ValidationFailed(errors, "The ticket cannot be created; see the field errors.")
    assert client is not None
    ticket = tickets.create_ticket(
        session=session,
        principal=principal_for_key(session, api_key),
        draft=draft,
        organization_id=client.organization_id,  # type: ignore[arg-type]
        requester_id=client.id,  # type: ignore[arg-type]
        source=SOURCE,
        transcript=transcript,
        now=now,
        event_data={"api_key": {"name": api_key.name, "prefix": api_key.prefix}},
    )
    session.commit()
    return ticket


def ticket_status(*, session: Session, api_key: ApiKey, number: str | int) -> TicketStatusView:
    """A ticket's status and public timeline. Keys are agency-wide, so any ticket may be read."""
    parsed = tickets.parse_ticket_number(number)
    if parsed is None or parsed > MAX_TICKET_NUMBER:
        raise NotFound("Ticket not found.")
    ticket = tickets.get_ticket(
        session=session, principal=principal_for_key(session, api_key), number=parsed
    )
    org = session.get(Organization, ticket.organization_id)
    events = session.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, col(TicketEvent.is_public).is_(True))
        .order_by(col(TicketEvent.created_at), col(TicketEvent.id))
    ).all()
    return TicketStatusView(
        ticket=ticket,
        organization=org.name if org else "",
        timeline=[TimelineEntry(e.kind, e.created_at, summarize(e)) for e in events],
    )


def summarize(event: TicketEvent) -> str:
    """One line a person can read, from the public data of an event."""
    return api_text(event.kind, event.data or {}) or event.kind.replace("_", " ").capitalize() + "."
