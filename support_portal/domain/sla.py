"""The SLA policy: targets per priority, when each is due, how much is left, and breaches.

Three targets:
- first response: business hours from creation (urgent 1, high 4, normal and low 24);
- resolution: business hours from creation (urgent 8, high 24, normal 40, low 80: one, three,
  five and ten working days of eight hours);
- public update: wall-clock hours since the last public update (48), while the team holds
  the ticket.
The business-hour clocks stop while the ticket waits on the client: `paused_seconds` counts the
working seconds spent waiting, and pushes both due times back by that much. The update clock
is suspended while waiting and restarts in full when the ticket comes back.

Pure: `now` is always passed in; the calendar is built by the caller from settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from support_portal.domain import lifecycle
from support_portal.domain.business_calendar import BusinessCalendar
from support_portal.domain.lifecycle import OPEN_STATUSES, Status
from support_portal.domain.timeline import EventKind

# The statuses the clocks treat specially, as the lifecycle defines them (PAUSING: the ball is
# with the client, so business clocks stop).
OPEN = OPEN_STATUSES
WAITING = Status.WAITING_ON_CLIENT
RESOLVED = Status.RESOLVED
PAUSING = lifecycle.PAUSING


class Target(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"
    UPDATE = "update"


TARGET_LABELS = {
    Target.FIRST_RESPONSE: "First response",
    Target.RESOLUTION: "Resolution",
    Target.UPDATE: "Public update",
}


@dataclass(frozen=True)
class SlaPolicy:
    first_response_hours: dict[str, float] = field(
        default_factory=lambda: {"urgent": 1, "high": 4, "normal": 24, "low": 24}
    )
    resolution_hours: dict[str, float] = field(
        default_factory=lambda: {"urgent": 8, "high": 24, "normal": 40, "low": 80}
    )
    update_interval_hours: float = 48.0
    warning_fraction: float = 0.75


@dataclass(frozen=True)
class SlaClock:
    """What the SLA needs to know about a ticket (copied from the row by the service)."""

    priority: str
    status: str
    created_at: datetime
    first_response_at: datetime | None = None
    last_public_update_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: float = 0.0


@dataclass(frozen=True)
class Deadline:
    target: Target
    starts_at: datetime
    warn_at: datetime
    due_at: datetime
    business_time: bool


def deadlines(policy: SlaPolicy, cal: BusinessCalendar, clock: SlaClock) -> list[Deadline]:
    """The targets still running for this ticket, with their warning and due moments.

    While the ticket is paused the business-hour targets keep the due times they had when the
    pause began (they are frozen, not running), and the update target does not run.
    """
    if clock.status not in OPEN:
        return []
    out: list[Deadline] = []
    start = clock.created_at
    spent = clock.paused_seconds
    business = [(Target.RESOLUTION, policy.resolution_hours[clock.priority])]
    if clock.first_response_at is None:
        business.insert(0, (Target.FIRST_RESPONSE, policy.first_response_hours[clock.priority]))
    for target, hours in business:
        seconds = hours * 3600
        out.append(
            Deadline(
                target=target,
                starts_at=start,
                warn_at=cal.add(start, seconds * policy.warning_fraction + spent),
                due_at=cal.add(start, seconds + spent),
                business_time=True,
            )
        )
    if clock.paused_at is None and clock.status != WAITING:
        since = clock.last_public_update_at or clock.created_at
        interval = timedelta(hours=policy.update_interval_hours)
        out.append(
            Deadline(
                target=Target.UPDATE,
                starts_at=since,
                warn_at=since + interval * policy.warning_fraction,
                due_at=since + interval,
                business_time=False,
            )
        )
    return out


class Step(StrEnum):
    """What the SLA job does when a checkpoint passes; each is also the timeline event kind
    the job records for it."""

    WARNING = EventKind.SLA_WARNING.value
    BREACH = EventKind.SLA_BREACH.value
    UPDATE_REMINDER = EventKind.UPDATE_REMINDER.value
    AUTO_CLOSE_WARNING = EventKind.AUTO_CLOSE_WARNING.value
    AUTO_CLOSE = EventKind.AUTO_CLOSE.value


@dataclass(frozen=True)
class Checkpoint:
    step: Step
    at: datetime
    # What the step is about: the target's due time, or the moment the ticket was resolved.
    # Part of the once-only key, so a moved due time (new priority) can warn again.
    anchor: datetime
    target: Target | None = None


@dataclass(frozen=True)
class Plan:
    """A ticket's SLA at one moment: the targets running, with their due times, and every
    moment the sweep has something to do."""

    deadlines: tuple[Deadline, ...]
    checkpoints: tuple[Checkpoint, ...]

    def due(self, target: Target) -> datetime | None:
        return next((d.due_at for d in self.deadlines if d.target == target), None)

    @property
    def check_at(self) -> datetime | None:
        """When the sweep next looks at the ticket. A checkpoint already passed stays due:
        the sweep's once-only keys make repeats harmless."""
        return min((c.at for c in self.checkpoints), default=None)

    def next_check(self, now: datetime) -> datetime | None:
        """The first checkpoint after `now`, once the sweep has acted on those up to it."""
        return min((c.at for c in self.checkpoints if c.at > now), default=None)


def plan(
    policy: SlaPolicy,
    cal: BusinessCalendar,
    clock: SlaClock,
    *,
    resolved_at: datetime | None,
    auto_close_reminder_days: float,
    auto_close_days: float,
) -> Plan:
    """The one answer to "what is due on this ticket, and when must someone look again".

    Frozen (paused) business-hour targets have no checkpoint: nothing can fall due while the
    clock is stopped. A resolved ticket has the close reminder and the auto-close.
    """
    running = deadlines(policy, cal, clock)
    out: list[Checkpoint] = []
    for d in running:
        if d.business_time and clock.paused_at is not None:
            continue
        warn = Step.UPDATE_REMINDER if d.target == Target.UPDATE else Step.WARNING
        out.append(Checkpoint(warn, d.warn_at, d.due_at, d.target))
        out.append(Checkpoint(Step.BREACH, d.due_at, d.due_at, d.target))
    if clock.status == RESOLVED and resolved_at is not None:
        out.append(
            Checkpoint(
                Step.AUTO_CLOSE_WARNING,
                resolved_at + timedelta(days=auto_close_reminder_days),
                resolved_at,
            )
        )
        out.append(
            Checkpoint(Step.AUTO_CLOSE, resolved_at + timedelta(days=auto_close_days), resolved_at)
        )
    return Plan(deadlines=tuple(running), checkpoints=tuple(sorted(out, key=lambda c: c.at)))


def due_now(points: Iterable[Checkpoint], now: datetime) -> list[Checkpoint]:
    """The checkpoints that have passed; a warning whose target is already breached is
    skipped (the breach says more), as is the close reminder once closing is due."""
    passed = [c for c in points if c.at <= now]
    breached = {c.target for c in passed if c.step == Step.BREACH}
    closing = any(c.step == Step.AUTO_CLOSE for c in passed)
    return [
        c
        for c in passed
        if not (c.step in (Step.WARNING, Step.UPDATE_REMINDER) and c.target in breached)
        and not (c.step == Step.AUTO_CLOSE_WARNING and closing)
    ]


def badge(
    *,
    status: str,
    first_response_due: datetime | None,
    update_due: datetime | None,
    resolution_due: datetime | None,
    paused_at: datetime | None,
    now: datetime,
    warn_within: timedelta = timedelta(hours=4),
) -> tuple[str, str, datetime | None]:
    """A board badge from the stored due times, cheap enough for thousands of cards:
    (text, tone, the due time it shows). Tones: breached, warning, ok, paused, none.

    Shows wall-clock time until the most pressing due time (what a manager plans with);
    the once-only warnings themselves follow the business-hour rules in `plan`.
    """
    if status not in OPEN:
        return ("", "none", None)
    business = [d for d in (first_response_due or resolution_due,) if d is not None]
    if paused_at is not None:
        frozen = min(business, default=None)
        if frozen is not None and paused_at > frozen:
            return ("Breached", "breached", frozen)
        return ("Paused: waiting on client", "paused", frozen)
    dues = business + ([update_due] if update_due is not None else [])
    if not dues:
        return ("No SLA", "none", None)
    due = min(dues)
    left = (due - now).total_seconds()
    if left < 0:
        return ("Breached", "breached", due)
    days, rest = divmod(int(left), 86400)
    hours, rest = divmod(rest, 3600)
    text = f"{days}d {hours}h left" if days else f"{hours}h {rest // 60:02d}m left"
    return (text, "warning" if due - now <= warn_within else "ok", due)
