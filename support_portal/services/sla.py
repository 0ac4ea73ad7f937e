"""SLA targets on a ticket: set at creation, moved by status, priority and public updates.

The rules live in `domain.sla` and `domain.business_calendar`; this module builds them from
settings, copies a ticket row into the rules' terms and stores the answers on the row
(`*_due_at` for screens, `sla_check_at` for the job's indexed sweep).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete
from sqlalchemy.orm import object_session
from sqlmodel import Session

from support_portal.clock import as_utc
from support_portal.domain import sla as rules
from support_portal.domain.business_calendar import (
    BusinessCalendar,
    holiday_test,
    parse_dates,
    parse_weekdays,
)
from support_portal.domain.lifecycle import (
    OPEN_STATUSES,
    PAUSING,
    Clocks,
    Status,
    Transition,
    effects_of,
)
from support_portal.models import SlaResult, Ticket
from support_portal.settings import Settings, get_settings


@lru_cache(maxsize=8)
def _calendar(
    timezone: str, days: str, start: str, end: str, closed: str, country: str
) -> BusinessCalendar:
    from datetime import time

    return BusinessCalendar(
        timezone=timezone,
        weekdays=parse_weekdays(days),
        start=time.fromisoformat(start),
        end=time.fromisoformat(end),
        closed_dates=parse_dates(closed),
        is_holiday=holiday_test(country),
        holidays_name=country,
    )


def calendar(settings: Settings | None = None) -> BusinessCalendar:
    s = settings or get_settings()
    return _calendar(
        s.agency_timezone,
        s.business_days,
        s.business_start,
        s.business_end,
        s.closed_dates,
        s.holiday_country,
    )


def policy(settings: Settings | None = None) -> rules.SlaPolicy:
    s = settings or get_settings()
    return rules.SlaPolicy(
        first_response_hours=dict(s.sla_first_response_hours),
        resolution_hours=dict(s.sla_resolution_hours),
        update_interval_hours=s.update_interval_hours,
        warning_fraction=s.sla_warning_fraction,
    )


def _opt(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def clock_of(ticket: Ticket) -> rules.SlaClock:
    return rules.SlaClock(
        priority=ticket.priority,
        status=ticket.status,
        created_at=as_utc(ticket.created_at),
        first_response_at=_opt(ticket.first_response_at),
        last_public_update_at=_opt(ticket.last_public_update_at),
        paused_at=_opt(ticket.sla_paused_at),
        paused_seconds=ticket.sla_paused_seconds or 0.0,
    )


def plan_of(ticket: Ticket) -> rules.Plan:
    """The ticket's deadlines and next check, from its row (`domain.sla.plan`)."""
    s = get_settings()
    return rules.plan(
        policy(s),
        calendar(s),
        clock_of(ticket),
        resolved_at=_opt(ticket.resolved_at),
        auto_close_reminder_days=s.auto_close_reminder_days,
        auto_close_days=s.auto_close_days,
    )


def refresh(ticket: Ticket, now: datetime) -> None:
    """Store the due times and the next check moment the plan gives for this ticket: the
    board's badges and the client's "next update due" read them, the sweep's index finds
    `sla_check_at`."""
    planned = plan_of(ticket)
    ticket.first_response_due_at = planned.due(rules.Target.FIRST_RESPONSE)
    ticket.resolution_due_at = planned.due(rules.Target.RESOLUTION)
    ticket.next_update_due_at = planned.due(rules.Target.UPDATE)
    ticket.sla_check_at = planned.check_at


def set_initial_targets(session: Session, ticket: Ticket, now: datetime) -> None:
    refresh(ticket, now)


def _judged_at(ticket: Ticket, now: datetime) -> datetime:
    """The moment a business-hour target is judged: a paused clock stopped when the pause began."""
    return min(now, as_utc(ticket.sla_paused_at)) if ticket.sla_paused_at is not None else now


def _update_clock_runs(ticket: Ticket) -> bool:
    return (
        ticket.status in OPEN_STATUSES
        and ticket.status != Status.WAITING_ON_CLIENT
        and ticket.sla_paused_at is None
    )


def _end_update_stretch(session: Session, ticket: Ticket, now: datetime) -> None:
    """The team's stretch since the last public update ends (an update, a pause, a resolve):
    keep how long it ran against the update promise, and who held the ticket."""
    if not _update_clock_runs(ticket) or ticket.id is None:
        return
    start = as_utc(ticket.last_public_update_at or ticket.created_at)
    if now <= start:
        return
    due = start + timedelta(hours=get_settings().update_interval_hours)
    session.add(
        SlaResult(
            ticket_id=ticket.id,
            target=rules.Target.UPDATE.value,
            assignee_id=ticket.assignee_id,
            started_at=start,
            due_at=due,
            decided_at=now,
            met=now <= due,
            breached_at=due if now > due else None,
        )
    )


def _decided(ticket: Ticket, target: rules.Target, due_at: datetime, now: datetime) -> SlaResult:
    """A target the ticket has just met or missed, judged on its (pause-aware) clock."""
    due = as_utc(due_at)
    met = _judged_at(ticket, now) <= due
    return SlaResult(
        ticket_id=ticket.id,
        target=target.value,
        assignee_id=ticket.assignee_id,
        started_at=as_utc(ticket.created_at),
        due_at=due,
        decided_at=now,
        met=met,
        breached_at=None if met else due,
    )


def record_public_response(ticket: Ticket, now: datetime) -> None:
    """Before a public message is marked: the first one decides the first-response target,
    and every one ends the stretch the update promise measures."""
    session = object_session(ticket)
    if session is None or ticket.id is None:
        return
    if ticket.first_response_at is None and ticket.first_response_due_at is not None:
        session.add(
            _decided(ticket, rules.Target.FIRST_RESPONSE, ticket.first_response_due_at, now)
        )
    _end_update_stretch(session, ticket, now)  # type: ignore[arg-type]


def _record_status_change(session: Session, ticket: Ticket, old: str, new: str, now: datetime):
    if new in PAUSING or new not in OPEN_STATUSES:
        _end_update_stretch(session, ticket, now)
    if old in (Status.RESOLVED, Status.CLOSED) and new in OPEN_STATUSES and ticket.id is not None:
        # Reopened: the resolution is not decided after all.
        session.execute(
            delete(SlaResult).where(
                SlaResult.ticket_id == ticket.id,  # type: ignore[arg-type]
                SlaResult.target == rules.Target.RESOLUTION.value,  # type: ignore[arg-type]
            )
        )
    if new == Status.RESOLVED and ticket.resolution_due_at is not None and ticket.id is not None:
        session.add(_decided(ticket, rules.Target.RESOLUTION, ticket.resolution_due_at, now))


def apply_status_change(
    session: Session, ticket: Ticket, transition: Transition, now: datetime
) -> None:
    """Keep what the promises came to, store the clocks the move sets
    (`domain.lifecycle.effects_of`) and the new status, then re-plan the targets."""
    _record_status_change(session, ticket, transition.old, transition.new, now)
    clocks = effects_of(
        transition,
        Clocks(
            resolved_at=_opt(ticket.resolved_at),
            closed_at=_opt(ticket.closed_at),
            sla_paused_at=_opt(ticket.sla_paused_at),
            sla_paused_seconds=ticket.sla_paused_seconds or 0.0,
            last_public_update_at=_opt(ticket.last_public_update_at),
        ),
        now=now,
        cal=calendar(),
    )
    ticket.status = transition.new.value
    ticket.resolved_at = clocks.resolved_at
    ticket.closed_at = clocks.closed_at
    ticket.sla_paused_at = clocks.sla_paused_at
    ticket.sla_paused_seconds = clocks.sla_paused_seconds
    ticket.last_public_update_at = clocks.last_public_update_at
    refresh(ticket, now)


def on_priority_change(session: Session, ticket: Ticket, now: datetime) -> None:
    refresh(ticket, now)


def on_public_update(ticket: Ticket, now: datetime) -> None:
    refresh(ticket, now)
