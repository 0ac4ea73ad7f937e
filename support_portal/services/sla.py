"""SLA targets on a ticket: set at creation, moved by status, priority and public updates.

Wall-clock placeholder until the business calendar lands; the hooks are the contract the
ticket service relies on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from support_portal.models import Ticket
from support_portal.settings import get_settings

_FIRST_RESPONSE_HOURS = {"urgent": 1, "high": 4, "normal": 24, "low": 24}


def set_initial_targets(session: Session, ticket: Ticket, now: datetime) -> None:
    ticket.first_response_due_at = now + timedelta(hours=_FIRST_RESPONSE_HOURS[ticket.priority])
    ticket.next_update_due_at = now + timedelta(hours=get_settings().update_interval_hours)


def on_status_change(session: Session, ticket: Ticket, old: str, new: str, now: datetime) -> None:
    return None


def on_priority_change(session: Session, ticket: Ticket, now: datetime) -> None:
    if ticket.first_response_at is None:
        set_initial_targets(session, ticket, ticket.created_at)


def on_public_update(ticket: Ticket, now: datetime) -> None:
    ticket.next_update_due_at = now + timedelta(hours=get_settings().update_interval_hours)
