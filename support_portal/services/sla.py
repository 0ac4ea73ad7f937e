"""SLA targets on a ticket: set at creation, moved by status, priority and public updates.

The rules live in `domain.sla` and `domain.business_calendar`; this module builds them from
settings, copies a ticket row into the rules' terms and stores the answers on the row
(`*_due_at` for screens, `sla_check_at` for the job's indexed sweep).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlmodel import Session

from support_portal.clock import as_utc
from support_portal.domain import sla as rules
from support_portal.domain.business_calendar import (
    BusinessCalendar,
    holiday_test,
    parse_dates,
    parse_weekdays,
)
from support_portal.domain.lifecycle import Clocks, Transition, effects_of
from support_portal.models import Ticket
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


def apply_status_change(
    session: Session, ticket: Ticket, transition: Transition, now: datetime
) -> None:
    """Store the clocks the move sets (`domain.lifecycle.effects_of`) and the new status,
    then re-plan the targets."""
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
