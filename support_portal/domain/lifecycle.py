"""The ticket lifecycle: statuses, the allowed transitions, and who may make each.

A transition not in `TRANSITIONS` is forbidden for everyone; one that is, is allowed only
for the actors listed. Services call `check_transition` before changing anything, so a
forbidden change raises and leaves the ticket as it was, then apply `effects_of` (the
timestamps and SLA clock a move sets).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from support_portal.domain.business_calendar import BusinessCalendar
from support_portal.domain.roles import Actor


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CLIENT = "waiting_on_client"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = frozenset({Status.NEW, Status.IN_PROGRESS, Status.WAITING_ON_CLIENT})

STATUS_LABELS: dict[str, str] = {
    Status.NEW: "New",
    Status.IN_PROGRESS: "In progress",
    Status.WAITING_ON_CLIENT: "Waiting on client",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}

# What a client reads: plain words about what happens next.
CLIENT_STATUS_WORDS: dict[str, str] = {
    Status.NEW: "Received, waiting for the team",
    Status.IN_PROGRESS: "The team is working on it",
    Status.WAITING_ON_CLIENT: "Waiting for your reply",
    Status.RESOLVED: "Fixed: please confirm",
    Status.CLOSED: "Closed",
}

_TEAM = frozenset({Actor.AGENT, Actor.MANAGER})

TRANSITIONS: dict[tuple[Status, Status], frozenset[Actor]] = {
    (Status.NEW, Status.IN_PROGRESS): _TEAM,
    (Status.NEW, Status.WAITING_ON_CLIENT): _TEAM,
    (Status.NEW, Status.RESOLVED): _TEAM,
    (Status.IN_PROGRESS, Status.NEW): frozenset({Actor.MANAGER}),
    (Status.IN_PROGRESS, Status.WAITING_ON_CLIENT): _TEAM,
    (Status.IN_PROGRESS, Status.RESOLVED): _TEAM,
    # A client's answer puts a waiting ticket back in the team's hands.
    (Status.WAITING_ON_CLIENT, Status.IN_PROGRESS): _TEAM | {Actor.CLIENT},
    (Status.WAITING_ON_CLIENT, Status.RESOLVED): _TEAM,
    # Only the client's confirmation, a manager, or the auto-close job closes a resolved ticket.
    (Status.RESOLVED, Status.CLOSED): frozenset({Actor.CLIENT, Actor.MANAGER, Actor.SYSTEM}),
    # A reopen always goes back to in progress.
    (Status.RESOLVED, Status.IN_PROGRESS): _TEAM | {Actor.CLIENT},
    (Status.CLOSED, Status.IN_PROGRESS): frozenset({Actor.CLIENT, Actor.MANAGER}),
}


# What each move does, in the words of the button that makes it: the team sees the
# consequence (who is told, what happens next), not just the status it lands on.
MOVE_LABELS: dict[tuple[Status, Status], str] = {
    (Status.NEW, Status.IN_PROGRESS): "Start work on it",
    (Status.NEW, Status.WAITING_ON_CLIENT): "Wait for the client's answer",
    (Status.NEW, Status.RESOLVED): "Resolve and ask the client to confirm",
    (Status.IN_PROGRESS, Status.NEW): "Put it back in New",
    (Status.IN_PROGRESS, Status.WAITING_ON_CLIENT): "Wait for the client's answer",
    (Status.IN_PROGRESS, Status.RESOLVED): "Resolve and ask the client to confirm",
    (Status.WAITING_ON_CLIENT, Status.IN_PROGRESS): "Take it back in progress",
    (Status.WAITING_ON_CLIENT, Status.RESOLVED): "Resolve and ask the client to confirm",
    (Status.RESOLVED, Status.CLOSED): "Close it for good",
    (Status.RESOLVED, Status.IN_PROGRESS): "Reopen",
    (Status.CLOSED, Status.IN_PROGRESS): "Reopen",
}


class TransitionNotAllowed(Exception):
    """A change of status that the lifecycle forbids; the message is shown to the user."""


@dataclass(frozen=True)
class Transition:
    old: Status
    new: Status
    actor: Actor

    @property
    def is_reopen(self) -> bool:
        return self.old in (Status.RESOLVED, Status.CLOSED) and self.new == Status.IN_PROGRESS


def allowed_targets(current: Status | str, actor: Actor | str) -> list[Status]:
    """The statuses `actor` may move a ticket in `current` to, in lifecycle order."""
    current, actor = Status(current), Actor(actor)
    return [new for (old, new), who in TRANSITIONS.items() if old == current and actor in who]


def check_transition(current: Status | str, target: Status | str, actor: Actor | str) -> Transition:
    current, target, actor = Status(current), Status(target), Actor(actor)
    if current == target:
        raise TransitionNotAllowed(f"The ticket is already {STATUS_LABELS[current].lower()}.")
    who = TRANSITIONS.get((current, target))
    if who is None:
        raise TransitionNotAllowed(
            f"A ticket cannot go from {STATUS_LABELS[current].lower()} "
            f"to {STATUS_LABELS[target].lower()}."
        )
    if actor not in who:
        raise TransitionNotAllowed(
            f"A {actor.value} cannot move a ticket from {STATUS_LABELS[current].lower()} "
            f"to {STATUS_LABELS[target].lower()}."
        )
    return Transition(current, target, actor)


# While the ball is with the client (waiting on them, or asked to confirm a fix) the business
# clocks stop: a reopened ticket picks up with the time it had left, it does not breach at once.
PAUSING = frozenset({Status.WAITING_ON_CLIENT, Status.RESOLVED})


@dataclass(frozen=True)
class Clocks:
    """The timestamps a change of status may set, as stored on the ticket."""

    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    sla_paused_at: datetime | None = None
    sla_paused_seconds: float = 0.0
    last_public_update_at: datetime | None = None


def effects_of(
    transition: Transition, clocks: Clocks, *, now: datetime, cal: BusinessCalendar
) -> Clocks:
    """The ticket's clocks after `transition`, for the service to store.

    Resolving stamps `resolved_at`, closing `closed_at`, a reopen clears both. Entering a
    status where the ball is with the client pauses the SLA; coming back to the team adds
    the working seconds spent waiting to `sla_paused_seconds` and restarts the update clock
    in full (a reply from the client, or a reopened fix).
    """
    out = clocks
    if transition.new == Status.RESOLVED:
        out = replace(out, resolved_at=now)
    if transition.new == Status.CLOSED:
        out = replace(out, closed_at=now)
    if transition.is_reopen:
        out = replace(out, resolved_at=None, closed_at=None)
    if transition.new in PAUSING and out.sla_paused_at is None:
        out = replace(out, sla_paused_at=now)
    elif transition.new in OPEN_STATUSES - PAUSING and out.sla_paused_at is not None:
        # From waiting, from resolved, and from closed too (a closed ticket keeps the pause
        # its fix began): the clock runs again once the team holds the ticket.
        waited = max(0.0, cal.seconds_between(out.sla_paused_at, now))
        out = replace(
            out,
            sla_paused_at=None,
            sla_paused_seconds=out.sla_paused_seconds + waited,
            last_public_update_at=now,
        )
    return out


def replay(status_changes: Iterable[tuple[str, str]]) -> Status:
    """The status a ticket's history leads to: start at new, apply each (old, new) in order.

    Raises if the history is inconsistent (a change that starts from a status the ticket
    was not in), which is how tests prove the event log is the truth.
    """
    status = Status.NEW
    for old, new in status_changes:
        if Status(old) != status:
            raise ValueError(f"history breaks: at {status} but event moves from {old}")
        status = Status(new)
    return status
