"""Appending to a ticket's timeline, the append-only record of everything that happened."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from support_portal.domain.timeline import EventKind
from support_portal.models import Ticket, TicketEvent
from support_portal.services.authz import Principal


def append_event(
    session: Session,
    *,
    ticket: Ticket,
    kind: EventKind,
    actor: Principal | None,
    now: datetime,
    is_public: bool = True,
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id,  # type: ignore[arg-type]
        # A kind outside the vocabulary would be read by no audience: refuse it here.
        kind=EventKind(kind).value,
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role.value if actor else "system",
        is_public=is_public,
        data=data or {},
        created_at=now,
        dedupe_key=dedupe_key,
    )
    session.add(event)
    return event
