"""The SLA sweep: warnings, breaches, update reminders, auto-close reminders and auto-close.

Reads only tickets whose `sla_check_at` has passed (an indexed column), a batch at a time.
Every step is recorded as a ticket event with a unique `dedupe_key`, inserted with
ON CONFLICT DO NOTHING: when two workers race for the same step, the second insert waits for
the first transaction and then does nothing, so the event and its notifications happen once.
On PostgreSQL the batch is also claimed with FOR UPDATE SKIP LOCKED, so workers split the work.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from support_portal.db import is_postgres
from support_portal.domain import sla as rules
from support_portal.domain.lifecycle import Status
from support_portal.domain.roles import Role
from support_portal.models import Ticket, TicketEvent, User
from support_portal.services import notifications, sla, tickets
from support_portal.services.authz import SYSTEM
from support_portal.settings import get_settings

log = logging.getLogger(__name__)

BATCH = 500


def _claim(session: Session, now: datetime) -> list[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.sla_check_at != None, Ticket.sla_check_at <= now)  # noqa: E711
        .order_by(Ticket.sla_check_at)
        .limit(BATCH)
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query).all())


def _record_once(
    session: Session, ticket: Ticket, kind: str, key: str, data: dict[str, Any], now: datetime
) -> bool:
    """Insert the event unless one with this key exists; True if this call inserted it."""
    dialect = postgresql if is_postgres(session) else sqlite
    stmt = (
        dialect.insert(TicketEvent)
        .values(
            ticket_id=ticket.id,
            kind=kind,
            actor_id=None,
            actor_role="system",
            is_public=False,
            data=data,
            created_at=now,
            dedupe_key=key,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(TicketEvent.id)
    )
    return session.execute(stmt).first() is not None


def _managers(session: Session) -> list[User]:
    return list(
        session.exec(
            select(User).where(User.role == Role.MANAGER.value, User.is_active == True)  # noqa: E712
        ).all()
    )


def _notify_team(
    session: Session,
    ticket: Ticket,
    kind: str,
    key: str,
    extra: dict[str, Any],
    now: datetime,
    managers: list[User],
) -> None:
    """The assignee (or the team address) and every manager, each once."""
    notifications.queue_for_team(
        session, kind=kind, ticket=ticket, now=now, extra=extra, dedupe_key=key
    )
    for manager in managers:
        if manager.id != ticket.assignee_id:
            notifications.queue_for_user(
                session,
                kind=kind,
                user=manager,
                ticket=ticket,
                now=now,
                extra=extra,
                dedupe_key=key,
            )


def _key(step: rules.Step, c: rules.Checkpoint, ticket: Ticket) -> str:
    target = c.target.value if c.target else "ticket"
    return f"{step.value}:{target}:{ticket.id}:{c.anchor.isoformat()}"


def _run_step(
    session: Session, ticket: Ticket, c: rules.Checkpoint, now: datetime, managers: list[User]
) -> bool:
    settings = get_settings()
    key = _key(c.step, c, ticket)
    tz = settings.agency_timezone
    data: dict[str, Any] = {
        "target": c.target.value if c.target else None,
        "target_label": rules.TARGET_LABELS[c.target] if c.target else "",
        "due_at": c.anchor.isoformat(),
    }
    if not _record_once(session, ticket, c.step.value, key, data, now):
        return False
    extra = {
        "target_label": data["target_label"],
        "due": notifications.format_local(c.anchor, tz),
    }
    if c.step in (rules.Step.WARNING, rules.Step.BREACH):
        _notify_team(session, ticket, c.step.value, key, extra, now, managers)
    elif c.step == rules.Step.UPDATE_REMINDER:
        notifications.queue_for_team(
            session, kind="update_reminder", ticket=ticket, now=now, extra=extra, dedupe_key=key
        )
    elif c.step == rules.Step.AUTO_CLOSE_WARNING:
        closes = c.anchor + timedelta(days=settings.auto_close_days)
        notifications.queue_for_client(
            session,
            kind="auto_close_warning",
            ticket=ticket,
            now=now,
            extra={**extra, "closes_on": notifications.format_local(closes, tz)},
            dedupe_key=key,
        )
    elif c.step == rules.Step.AUTO_CLOSE and ticket.status == Status.RESOLVED.value:
        days = settings.auto_close_days
        tickets.change_status(
            session=session,
            principal=SYSTEM,
            ticket=ticket,
            to=Status.CLOSED,
            reason=f"Closed automatically: no answer {days:g} days after the fix.",
            now=now,
        )
    return True


def run_sla_sweep(session: Session, now: datetime) -> int:
    """One pass; returns how many steps were taken. Commits after each batch."""
    done = 0
    managers: list[User] | None = None
    while True:
        batch = _claim(session, now)
        if not batch:
            return done
        for ticket in batch:
            planned = sla.plan_of(ticket)
            status = ticket.status
            for c in rules.due_now(planned.checkpoints, now):
                if managers is None:
                    managers = _managers(session)
                done += _run_step(session, ticket, c, now, managers)
            if ticket.status != status:  # auto-closed: plan from the ticket as it is now
                planned = sla.plan_of(ticket)
            ticket.sla_check_at = planned.next_check(now)
            session.add(ticket)
        session.commit()
        if len(batch) < BATCH:
            return done
