"""Factories with overrides: make_x(session, **changes) builds a valid x and saves it."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlmodel import Session

from support_portal.clock import utcnow
from support_portal.domain.ticket_quality import TicketDraft
from support_portal.models import Organization, Ticket, User
from support_portal.services import tickets
from support_portal.services.accounts import create_organization, create_user
from support_portal.services.authz import Principal

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def make_org(session: Session, **kw: Any) -> Organization:
    n = next(_seq)
    return create_organization(
        session=session,
        name=kw.pop("name", f"Client {n}"),
        timezone=kw.pop("timezone", "UTC"),
        **kw,
    )


def make_user(session: Session, role: str = "client", **kw: Any) -> User:
    n = next(_seq)
    org = kw.pop("organization", None)
    if role == "client" and org is None:
        org = make_org(session)
    return create_user(
        session=session,
        email=kw.pop("email", f"{role}{n}@example.com"),
        name=kw.pop("name", f"{role.title()} {n}"),
        role=role,
        password=kw.pop("password", PASSWORD),
        organization=org,
        **kw,
    )


def principal(user: User) -> Principal:
    return Principal.of(user)


def good_draft(**kw: Any) -> TicketDraft:
    values = dict(
        title="Appointment reminder workflow skips SMS step",
        tried_to_do="send the 24-hour appointment reminder SMS from the reminders workflow",
        happened_instead="workflow history shows the SMS step skipped for every contact",
        started_when="Monday morning",
        steps_to_reproduce="Book a test appointment for tomorrow, open workflow history",
        error_messages="Action skipped: no valid phone number",
        category="Bug",
        affected_area="Workflows",
        priority="normal",
    )
    values.update(kw)
    return TicketDraft(**values)


def make_ticket(
    session: Session,
    *,
    requester: User | None = None,
    agent: User | None = None,
    now: datetime | None = None,
    **draft_kw: Any,
) -> Ticket:
    requester = requester or make_user(session, "client")
    agent = agent or make_user(session, "agent")
    return tickets.create_ticket(
        session=session,
        principal=principal(agent),
        draft=good_draft(**draft_kw),
        organization_id=requester.organization_id,  # type: ignore[arg-type]
        requester_id=requester.id,  # type: ignore[arg-type]
        now=now or utcnow(),
    )
