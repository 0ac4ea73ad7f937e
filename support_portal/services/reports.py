"""The manager's reports: each chart's rows, computed by SQL aggregates over a date range.

Days and weeks are the agency's calendar days (`settings.agency_timezone`; weeks start on
Monday there), so a ticket opened at 21:00 in New York counts on that New York day, and a
range runs from the agency's midnight before its start date to the midnight after its end
date. A day on which the clocks change is 23 or 25 hours long.

One code path serves PostgreSQL and SQLite (which has no time zones): Python's zoneinfo gives
the agency's UTC offset over the range (one value, or a few when the clocks change inside it),
and SQL shifts each timestamp by the offset in force at that instant before taking its date.
Durations (first response, chat length, backlog age) are elapsed time and need no zone.

The rows returned are the rows behind each chart, and what its CSV download contains.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Interval, case, func, literal
from sqlmodel import Session, select

from support_portal.db import is_postgres
from support_portal.db.types import UtcDateTime
from support_portal.domain.lifecycle import OPEN_STATUSES, Status
from support_portal.domain.roles import Role
from support_portal.models import ChatSession, Organization, SlaResult, Ticket, User
from support_portal.services.authz import Principal, require_role
from support_portal.services.errors import ValidationFailed
from support_portal.settings import get_settings

_OPEN = [s.value for s in OPEN_STATUSES]
MAX_DAYS = 366

# Backlog age buckets: (label, upper bound in days); the last one has no bound.
AGE_BUCKETS: tuple[tuple[str, float | None], ...] = (
    ("Under 1 day", 1),
    ("1-3 days", 3),
    ("3-7 days", 7),
    ("7-14 days", 14),
    ("Over 14 days", None),
)

CHARTS: dict[str, str] = {
    "volume": "Tickets opened and closed per day",
    "first_response": "First response and SLA compliance by week",
    "resolution": "Resolution and SLA compliance by week",
    "update_promise": "Updates at least every 48 hours, per agent",
    "backlog": "Backlog by age",
    "by_category": "Tickets by category",
    "by_area": "Tickets by affected area",
    "by_organization": "Tickets by organization",
    "agent_load": "Agent load",
    "chats": "Chats per day",
}


@dataclass
class Report:
    start: date
    end: date
    charts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def agency_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().agency_timezone)


def default_range(now: datetime) -> tuple[date, date]:
    """The last 30 agency days, today included (at 21:00 in New York, UTC is already on
    tomorrow)."""
    today = now.astimezone(agency_zone()).date()
    return today - timedelta(days=29), today


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant the agency's `day` begins, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    if end < start:
        raise ValidationFailed({"end": "The end date is before the start date."})
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed({"start": f"Pick at most {MAX_DAYS} days."})
    return _midnight(start, zone), _midnight(end + timedelta(days=1), zone)


_DAY_SECONDS = 86_400


def _offsets(zone: ZoneInfo, lo: datetime, hi: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offset in seconds over [lo, hi): (instant it takes effect, offset), the
    first at `lo`, one more after each change of the clocks inside the range."""

    def offset_at(second: int) -> int:
        delta = datetime.fromtimestamp(second, zone).utcoffset() or timedelta()
        return int(delta.total_seconds())

    first, last = int(lo.timestamp()), int(hi.timestamp()) - 1
    spans = [(first, offset_at(first))]
    # Clocks change months apart, so looking once a day finds every change; bisecting then
    # finds the exact second (changes fall on whole seconds).
    for day_start in range(first, last, _DAY_SECONDS):
        before, after = day_start, min(day_start + _DAY_SECONDS, last)
        if offset_at(after) == spans[-1][1]:
            continue
        while after - before > 1:
            mid = (before + after) // 2
            if offset_at(mid) == spans[-1][1]:
                before = mid
            else:
                after = mid
        spans.append((after, offset_at(after)))
    return [(datetime.fromtimestamp(at, UTC), offset) for at, offset in spans]


class _Sql:
    """Agency-day expressions, and the few date expressions that differ between PostgreSQL
    and SQLite.

    Valid for timestamps inside the report's range only: the offsets are those of that range.
    """

    def __init__(self, session: Session, offsets: list[tuple[datetime, int]]) -> None:
        self.pg = is_postgres(session)
        self.offsets = offsets

    def _shift_by(self, seconds: int):
        # What moves a UTC timestamp by `seconds`: an interval on PostgreSQL, a date
        # modifier on SQLite (whose date functions then read the shifted text).
        if self.pg:
            return literal(timedelta(seconds=seconds), Interval())
        return literal(f"{seconds:+d} seconds")

    def local(self, col):
        """`col` as the agency's wall-clock time (a naive timestamp)."""
        (_, offset), *changes = self.offsets
        shift = self._shift_by(offset)
        if changes:
            # Before each change, the offset in force until then.
            whens = []
            for at, new_offset in changes:
                whens.append((col < _ts(at), self._shift_by(offset)))
                offset = new_offset
            shift = case(*whens, else_=self._shift_by(offset))
        if self.pg:
            return func.timezone("UTC", col) + shift
        return func.datetime(col, shift)

    def day(self, col):
        return func.date(self.local(col))

    def week(self, col):
        """The Monday of the agency week `col` falls in."""
        if self.pg:
            return func.date(func.date_trunc("week", self.local(col)))
        return func.date(self.local(col), "weekday 0", "-6 days")

    def seconds(self, later, earlier):
        if self.pg:
            return func.extract("epoch", later - earlier)
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=k) for k in range((end - start).days + 1)]


def _ts(value: datetime):
    return literal(value, UtcDateTime)


def build_report(
    *,
    session: Session,
    principal: Principal,
    start: date,
    end: date,
    now: datetime,
) -> Report:
    require_role(principal, Role.MANAGER)
    zone = agency_zone()
    lo, hi = _bounds(start, end, zone)
    sql = _Sql(session, _offsets(zone, lo, hi))
    report = Report(start=start, end=end)
    report.charts["volume"] = _volume(session, sql, start, end, lo, hi)
    report.charts["first_response"] = _first_response(session, sql, lo, hi, now)
    report.charts["resolution"] = _resolution(session, sql, lo, hi, now)
    report.charts["update_promise"] = _update_promise(session, lo, hi, now)
    report.charts["backlog"] = _backlog(session, now)
    report.charts["by_category"] = _count_by(session, Ticket.category, lo, hi)
    report.charts["by_area"] = _count_by(session, Ticket.affected_area, lo, hi)
    report.charts["by_organization"] = _by_organization(session, lo, hi)
    report.charts["agent_load"] = _agent_load(session, lo, hi)
    report.charts["chats"] = _chats(session, sql, start, end, lo, hi, now)
    return report


def _in_range(col, lo: datetime, hi: datetime):
    return (col >= lo) & (col < hi)


def _volume(session, sql, start, end, lo, hi) -> list[dict[str, Any]]:
    day_opened = sql.day(Ticket.created_at).label("day")
    day_closed = sql.day(Ticket.closed_at).label("day")
    opened = {
        _as_date(d): n
        for d, n in session.exec(
            select(day_opened, func.count())
            .where(_in_range(Ticket.created_at, lo, hi))
            .group_by(day_opened)
        ).all()
    }
    closed = {
        _as_date(d): n
        for d, n in session.exec(
            select(day_closed, func.count())
            .where(Ticket.closed_at.is_not(None), _in_range(Ticket.closed_at, lo, hi))  # type: ignore[union-attr]
            .group_by(day_closed)
        ).all()
    }
    return [
        {"day": d.isoformat(), "opened": opened.get(d, 0), "closed": closed.get(d, 0)}
        for d in _days(start, end)
    ]


def _result(target: str):
    """The stored outcome of one target per ticket (outer-joined: a ticket may have none yet)."""
    return (
        select(SlaResult.ticket_id, SlaResult.met)
        .where(SlaResult.target == target)
        .subquery(f"{target}_result")
    )


def _still_running_breached(due_col, now):
    """Undecided and already late: due has passed (a paused clock stopped when it paused)."""
    return (
        Ticket.status.in_(_OPEN)  # type: ignore[attr-defined]
        & due_col.is_not(None)
        & (func.coalesce(Ticket.sla_paused_at, _ts(now)) > due_col)
    )


def _first_response(session, sql, lo, hi, now) -> list[dict[str, Any]]:
    """Met and breached come from what was stored when each ticket was first answered (the
    due time in force then), and for unanswered tickets from the due time still running."""
    result = _result("first_response")
    responded = Ticket.first_response_at.is_not(None)  # type: ignore[union-attr]
    met = result.c.met.is_(True)
    breached = result.c.met.is_(False) | (
        result.c.met.is_(None)
        & Ticket.first_response_at.is_(None)  # type: ignore[union-attr]
        & _still_running_breached(Ticket.first_response_due_at, now)
    )
    week = sql.week(Ticket.created_at).label("week")
    rows = session.exec(
        select(
            week,
            func.count(),
            func.sum(case((responded, 1), else_=0)),
            func.avg(
                case(
                    (responded, sql.seconds(Ticket.first_response_at, Ticket.created_at)),
                    else_=None,
                )
            ),
            func.sum(case((met, 1), else_=0)),
            func.sum(case((breached, 1), else_=0)),
        )
        .select_from(Ticket)
        .join(result, result.c.ticket_id == Ticket.id, isouter=True)
        .where(_in_range(Ticket.created_at, lo, hi))
        .group_by(week)
        .order_by(week)
    ).all()
    out = []
    for wk, total, n_responded, avg_seconds, n_met, n_breached in rows:
        out.append(
            {
                "week": _as_date(wk).isoformat(),
                "tickets": int(total),
                "responded": int(n_responded or 0),
                "avg_first_response_hours": (
                    round(float(avg_seconds) / 3600, 2) if avg_seconds is not None else None
                ),
                **_compliance(n_met, n_breached),
            }
        )
    return out


def _compliance(n_met, n_breached) -> dict[str, Any]:
    met, breached = int(n_met or 0), int(n_breached or 0)
    decided = met + breached
    return {
        "sla_met": met,
        "sla_breached": breached,
        "sla_compliance_pct": round(100 * met / decided, 1) if decided else None,
    }


def _resolution(session, sql, lo, hi, now) -> list[dict[str, Any]]:
    """Per week of opening: tickets resolved, and the resolution target met or breached (as
    stored when resolved; an unresolved ticket past its running due time counts as breached)."""
    result = _result("resolution")
    resolved = Ticket.status.in_([Status.RESOLVED.value, Status.CLOSED.value])  # type: ignore[attr-defined]
    met = result.c.met.is_(True)
    breached = result.c.met.is_(False) | (
        result.c.met.is_(None) & _still_running_breached(Ticket.resolution_due_at, now)
    )
    week = sql.week(Ticket.created_at).label("week")
    rows = session.exec(
        select(
            week,
            func.count(),
            func.sum(case((resolved, 1), else_=0)),
            func.sum(case((met, 1), else_=0)),
            func.sum(case((breached, 1), else_=0)),
        )
        .select_from(Ticket)
        .join(result, result.c.ticket_id == Ticket.id, isouter=True)
        .where(_in_range(Ticket.created_at, lo, hi))
        .group_by(week)
        .order_by(week)
    ).all()
    return [
        {
            "week": _as_date(wk).isoformat(),
            "tickets": int(total),
            "resolved": int(n_resolved or 0),
            **_compliance(n_met, n_breached),
        }
        for wk, total, n_resolved, n_met, n_breached in rows
    ]


def _overlap(a: datetime, b: datetime, lo: datetime, hi: datetime) -> float:
    return max(0.0, (min(b, hi) - max(a, lo)).total_seconds())


def _update_promise(session, lo, hi, now) -> list[dict[str, Any]]:
    """The 48-hour promise, per agent: of the time they held open tickets (the update clock
    running: not waiting on the client, not resolved) inside the range, the share covered by
    a public update no older than the interval, and how many silences ran past it.

    Each stretch between updates is stored when it ends; the stretches still running are
    read from the open tickets. A stretch belongs to whoever held the ticket when it ended
    (or holds it now).
    """
    interval = timedelta(hours=get_settings().update_interval_hours)
    end = min(hi, now)
    stretches: list[tuple[int | None, datetime, datetime]] = [
        (who, started, decided)
        for who, started, decided in session.exec(
            select(SlaResult.assignee_id, SlaResult.started_at, SlaResult.decided_at).where(
                SlaResult.target == "update",
                SlaResult.decided_at > lo,
                SlaResult.started_at < end,
            )
        ).all()
    ]
    running = session.exec(
        select(
            Ticket.assignee_id,
            func.coalesce(Ticket.last_public_update_at, Ticket.created_at),
        ).where(
            Ticket.status.in_([Status.NEW.value, Status.IN_PROGRESS.value]),  # type: ignore[attr-defined]
            Ticket.sla_paused_at.is_(None),  # type: ignore[union-attr]
            func.coalesce(Ticket.last_public_update_at, Ticket.created_at) < _ts(end),
        )
    ).all()
    stretches += [(who, started, now) for who, started in running]
    totals: dict[int | None, list[float]] = {}
    for who, started, stopped in stretches:
        row = totals.setdefault(who, [0.0, 0.0, 0])
        row[0] += _overlap(started, stopped, lo, end)
        row[1] += _overlap(started, min(stopped, started + interval), lo, end)
        silent_from = started + interval
        if stopped > silent_from and lo <= silent_from < end:
            row[2] += 1
    names = dict(
        session.exec(
            select(User.id, User.name).where(
                User.id.in_([w for w in totals if w is not None])  # type: ignore[union-attr]
            )
        ).all()
    )
    rows = [
        {
            "agent": names.get(who, "Unassigned") if who is not None else "Unassigned",
            "open_hours": round(held / 3600, 1),
            "covered_hours": round(covered / 3600, 1),
            "covered_pct": round(100 * covered / held, 1) if held else None,
            "silences_over_48h": int(silences),
        }
        for who, (held, covered, silences) in totals.items()
    ]
    return sorted(rows, key=lambda r: r["agent"])


def _backlog(session, now) -> list[dict[str, Any]]:
    """Open tickets now, by how long ago they were opened.

    Ages are elapsed time (a day is 24 hours), not calendar days, so this chart depends on
    neither the date range nor the agency's zone.
    """
    whens = []
    for label, days in AGE_BUCKETS:
        if days is not None:
            whens.append((Ticket.created_at > _ts(now - timedelta(days=days)), label))
    bucket = case(*whens, else_=AGE_BUCKETS[-1][0]).label("age")
    counts = dict(
        session.exec(
            select(bucket, func.count())
            .where(Ticket.status.in_(_OPEN))  # type: ignore[attr-defined]
            .group_by(bucket)
        ).all()
    )
    return [{"age": label, "tickets": int(counts.get(label, 0))} for label, _ in AGE_BUCKETS]


def _count_by(session, col, lo, hi) -> list[dict[str, Any]]:
    rows = session.exec(
        select(col, func.count())
        .where(_in_range(Ticket.created_at, lo, hi))
        .group_by(col)
        .order_by(func.count().desc(), col)
    ).all()
    return [{"name": name, "tickets": int(n)} for name, n in rows]


def _by_organization(session, lo, hi) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Organization.name, func.count(Ticket.id))
        .join(Ticket, Ticket.organization_id == Organization.id)  # type: ignore[arg-type]
        .where(_in_range(Ticket.created_at, lo, hi))
        .group_by(Organization.name)
        .order_by(func.count(Ticket.id).desc(), Organization.name)
    ).all()
    return [{"name": name, "tickets": int(n)} for name, n in rows]


def _agent_load(session, lo, hi) -> list[dict[str, Any]]:
    """Open tickets each team member holds now, and how many they resolved in the range."""
    is_open = Ticket.status.in_(_OPEN)  # type: ignore[attr-defined]
    resolved = Ticket.resolved_at.is_not(None) & _in_range(Ticket.resolved_at, lo, hi)  # type: ignore[union-attr]
    rows = session.exec(
        select(
            User.name,
            User.role,
            func.sum(case((is_open, 1), else_=0)),
            func.sum(case((resolved, 1), else_=0)),
        )
        .select_from(User)
        .join(Ticket, Ticket.assignee_id == User.id, isouter=True)  # type: ignore[arg-type]
        .where(User.role.in_([Role.AGENT.value, Role.MANAGER.value]), User.is_active)  # type: ignore[attr-defined]
        .group_by(User.id, User.name, User.role)
        .order_by(User.name)
    ).all()
    return [
        {"agent": name, "open_tickets": int(n_open or 0), "resolved_in_range": int(n_res or 0)}
        for name, role, n_open, n_res in rows
        if role == Role.AGENT.value or (n_open or n_res)
    ]


def _chats(session, sql, start, end, lo, hi, now) -> list[dict[str, Any]]:
    """Chats started each day, how many became tickets, and how many ran past the threshold.

    The clock is the console's (domain.chat_rules): it starts when the client asks for help, so
    time waiting in the queue counts, and stops when the chat ends (or now, while it goes on).
    """
    threshold = get_settings().chat_escalation_minutes * 60
    started = ChatSession.created_at
    stopped = func.coalesce(ChatSession.ended_at, _ts(now))
    over = sql.seconds(stopped, started) > threshold
    day = sql.day(ChatSession.created_at).label("day")
    rows = {
        _as_date(d): (int(n), int(conv or 0), int(late or 0))
        for d, n, conv, late in session.exec(
            select(
                day,
                func.count(),
                func.sum(case((ChatSession.ticket_id.is_not(None), 1), else_=0)),  # type: ignore[union-attr]
                func.sum(case((over, 1), else_=0)),
            )
            .where(_in_range(ChatSession.created_at, lo, hi))
            .group_by(day)
        ).all()
    }
    return [
        {
            "day": d.isoformat(),
            "chats": rows.get(d, (0, 0, 0))[0],
            "converted_to_ticket": rows.get(d, (0, 0, 0))[1],
            "over_threshold": rows.get(d, (0, 0, 0))[2],
        }
        for d in _days(start, end)
    ]


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection):
# an organization named `=HYPERLINK(...)` would become a live link in the manager's sheet.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula, quoted so it stays text; numbers as is."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows({key: _csv_cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()
