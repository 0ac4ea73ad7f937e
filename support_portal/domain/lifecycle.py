"""The ticket lifecycle: statuses, the allowed transitions, and who may make each.

A transition not in `TRANSITIONS` is forbidden for everyone; one that is, is allowed only
for the actors listed. Services call `check_transition` before changing anything, so a
forbidden change raises and leaves the ticket as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

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
