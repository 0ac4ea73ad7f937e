"""The manager board's view data: every open ticket and the recently closed, in one query."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from support_portal.clock import as_utc
from support_portal.domain.lifecycle import STATUS_LABELS, Status, allowed_targets
from support_portal.domain.roles import Actor, Role
from support_portal.domain.sla import badge
from support_portal.domain.ticket_fields import PRIORITY_ORDER
from support_portal.models import Organization, Ticket, User
from support_portal.services import tickets
from support_portal.services.authz import Principal, require_role
from support_portal.settings import get_settings

COLUMNS: tuple[Status, ...] = tuple(Status)


@dataclass
class BoardCard:
    """A card as the browser gets it: only what the card shows or sends back. Every visible
    card travels in the page's first message, so each field here costs load time."""

    id: int
    number: int
    title: str
    organization: str
    workflow: str
    priority: str
    assignee_id: str
    assignee: str
    version: int
    sla_text: str
    sla_tone: str


@dataclass
class Card:
    """A ticket on the board as the server sorts and filters it; `view()` is its browser part."""

    id: int
    number: int
    title: str
    organization: str
    organization_id: str
    priority: str
    assignee_id: str
    assignee: str
    status: str
    version: int
    sla_text: str
    sla_tone: str
    breached: bool
    # Lower-cased number, title and organization, for the search box.
    haystack: str
    # The client's workflow or automation the ticket is about, so the team sees it at a glance.
    workflow: str = ""

    def view(self) -> BoardCard:
        # Built per shown card, not per ticket: a tab shows about eighty of a thousand.
        return BoardCard(
            id=self.id,
            number=self.number,
            title=self.title,
            organization=self.organization,
            workflow=self.workflow,
            priority=self.priority,
            assignee_id=self.assignee_id,
            assignee=self.assignee,
            version=self.version,
            sla_text=self.sla_text,
            sla_tone=self.sla_tone,
        )


@dataclass
class Option:
    value: str
    label: str


@dataclass
class BoardData:
    columns: dict[str, list[Card]]
    staff: list[Option]
    organizations: list[Option]


def _opt(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def board_data(*, session: Session, principal: Principal, now: datetime) -> BoardData:
    require_role(principal, Role.MANAGER)
    return managers_board(session=session, now=now)


def managers_board(*, session: Session, now: datetime) -> BoardData:
    """The board as every manager sees it (it is the same for all of them).

    For the system's own rebuild of open boards, where nobody acts: a tab joins the board's
    topic only once the user is confirmed to be a manager, so what it is pushed was allowed.
    """
    closed_since = now - timedelta(days=get_settings().board_closed_days)
    assignee = aliased(User)
    rows = session.exec(
        select(
            Ticket.id,
            Ticket.number,
            Ticket.title,
            Ticket.organization_id,
            Organization.name,
            Ticket.priority,
            Ticket.assignee_id,
            assignee.name,
            Ticket.status,
            Ticket.version,
            Ticket.first_response_due_at,
            Ticket.next_update_due_at,
            Ticket.resolution_due_at,
            Ticket.sla_paused_at,
            Ticket.affected_workflow_name,
        )
        .join(Organization, Organization.id == Ticket.organization_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .where(
            or_(
                Ticket.status != Status.CLOSED.value,
                and_(Ticket.status == Status.CLOSED.value, Ticket.closed_at >= closed_since),
            )
        )
    ).all()
    columns: dict[str, list[Card]] = {s.value: [] for s in COLUMNS}
    keyed: dict[str, list[tuple[tuple, Card]]] = {s.value: [] for s in COLUMNS}
    for r in rows:
        (tid, number, title, org_id, org, prio, a_id, a_name, status, version) = r[:10]
        text, tone, due = badge(
            status=status,
            first_response_due=_opt(r[10]),
            update_due=_opt(r[11]),
            resolution_due=_opt(r[12]),
            paused_at=_opt(r[13]),
            now=now,
        )
        card = Card(
            id=tid,
            number=number or 0,
            title=title,
            organization=org,
            organization_id=str(org_id),
            priority=prio,
            assignee_id=str(a_id) if a_id else "-",
            assignee=a_name or "Unassigned",
            status=status,
            version=version,
            sla_text=text,
            sla_tone=tone,
            breached=tone == "breached",
            haystack=f"#{number} {title} {org}".lower(),
            workflow=r[14] or "",
        )
        # Most pressing first: breached, then soonest due, then priority.
        sort_key = (
            tone != "breached",
            due or datetime.max.replace(tzinfo=now.tzinfo),
            PRIORITY_ORDER.get(prio, 9),
            number or 0,
        )
        keyed.setdefault(status, []).append((sort_key, card))
    for status, items in keyed.items():
        items.sort(key=lambda x: x[0])
        columns[status] = [c for _, c in items]
    staff = session.exec(
        select(User.id, User.name)
        .where(User.role.in_([Role.AGENT.value, Role.MANAGER.value]), User.is_active == True)  # noqa: E712
        .order_by(User.name)
    ).all()
    orgs = session.exec(
        select(Organization.id, Organization.name).order_by(Organization.name)
    ).all()
    return BoardData(
        columns=columns,
        staff=[Option(str(i), n) for i, n in staff],
        organizations=[Option(str(i), n) for i, n in orgs],
    )


COLUMN_LABELS = {s.value: STATUS_LABELS[s] for s in COLUMNS}
# Per column, the (status, label) a manager may move its cards to, in lifecycle order.
MOVE_CHOICES: dict[str, list[tuple[str, str]]] = {
    s.value: [(t.value, STATUS_LABELS[t]) for t in allowed_targets(s, Actor.MANAGER)]
    for s in COLUMNS
}


# What a manager may change on a card: the ticket service that does it, and its argument.
CARD_CHANGES: dict[str, tuple[Callable[..., object], str]] = {
    "status": (tickets.change_status, "to"),
    "assignee": (tickets.assign, "assignee_id"),
    "priority": (tickets.set_priority, "priority"),
}


def change_card(
    *,
    session: Session,
    principal: Principal,
    ticket_id: int,
    field: str,
    value: Any,
    expected_version: int,
    now: datetime,
) -> None:
    """A manager drops a card on another column, assigns it or sets its priority: the
    change, its event and its notifications commit together."""
    require_role(principal, Role.MANAGER)
    step, argument = CARD_CHANGES[field]
    ticket = tickets.get_ticket_by_id(session=session, principal=principal, ticket_id=ticket_id)
    step(
        session=session,
        principal=principal,
        ticket=ticket,
        expected_version=expected_version,
        now=now,
        **{argument: value},
    )
    session.commit()
