"""Factories with overrides: make_x(session, **changes) builds a valid x and saves it.

Rows are made through the services, as the app makes them, so a test starts from a state the
app can reach: a ticket "in progress" got there by a status change, with its event and its SLA
clocks, not by writing the column. The one set for unit, integration, security and browser tests
and for the benchmarks.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlmodel import Session

from support_portal.clock import utcnow
from support_portal.domain.lifecycle import Status
from support_portal.domain.ticket_quality import TicketDraft
from support_portal.models import ChatSession, Organization, Ticket, User
from support_portal.services import chat, tickets
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


# The moves that take a new ticket to each status, as the lifecycle allows them.
_PATH_TO: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (),
    Status.IN_PROGRESS: (Status.IN_PROGRESS,),
    Status.WAITING_ON_CLIENT: (Status.WAITING_ON_CLIENT,),
    Status.RESOLVED: (Status.RESOLVED,),
    Status.CLOSED: (Status.RESOLVED, Status.CLOSED),
}


def make_ticket(
    session: Session,
    *,
    requester: User | None = None,
    agent: User | None = None,
    org: Organization | None = None,
    assignee: User | None = None,
    status: Status | str = Status.NEW,
    priority: str | None = None,
    now: datetime | None = None,
    **draft_kw: Any,
) -> Ticket:
    """A ticket created by `agent` for `requester` (a client of `org`), then moved to `status`.

    `assignee` is set at creation; `priority` is the one the ticket is filed with; the rest of
    the keywords change the draft. A closed ticket is resolved first and closed by a manager,
    as the lifecycle asks.
    """
    now = now or utcnow()
    if requester is None:
        requester = make_user(session, "client", organization=org or make_org(session))
    agent = agent or make_user(session, "agent")
    if priority is not None:
        draft_kw["priority"] = priority
    ticket = tickets.create_ticket(
        session=session,
        principal=principal(agent),
        draft=good_draft(**draft_kw),
        organization_id=requester.organization_id,  # type: ignore[arg-type]
        requester_id=requester.id,  # type: ignore[arg-type]
        assignee_id=assignee.id if assignee is not None else None,
        now=now,
    )
    for step in _PATH_TO[Status(status)]:
        mover = agent
        if step == Status.CLOSED and agent.role != "manager":
            mover = make_user(session, "manager")
        tickets.change_status(
            session=session, principal=principal(mover), ticket=ticket, to=step, now=now
        )
    return ticket


def make_chat(
    session: Session,
    *,
    client: User | None = None,
    agent: User | None = None,
    message: str | None = None,
    now: datetime | None = None,
) -> ChatSession:
    """A chat `client` started (saying `message` if given), held by `agent` if given."""
    now = now or utcnow()
    client = client or make_user(session, "client")
    room = chat.start_chat(session=session, principal=principal(client), now=now)
    if message is not None:
        chat.post_message(
            session=session, principal=principal(client), chat_id=room.id, body=message, now=now
        )
    if agent is not None:
        room = chat.accept_chat(
            session=session, principal=principal(agent), chat_id=room.id, now=now
        )
    return room


def make_people(
    session: Session, sfx: str, *, password: str = PASSWORD, **names: str
) -> dict[str, User]:
    """make_people(s, sfx, client_a="Name", agent_x="Name"): a role read from each key's start
    (client/agent/manager); clients with the same last part share an organization."""
    orgs: dict[str, Organization] = {}
    people = {}
    for key, name in names.items():
        role = key.split("_", 1)[0]
        org = None
        if role == "client":
            org_key = key.rsplit("_", 1)[-1]
            if org_key not in orgs:
                orgs[org_key] = make_org(session, name=f"Org {org_key} {sfx}")
            org = orgs[org_key]
        people[key] = make_user(
            session,
            role,
            email=f"{key.replace('_', '-')}-{sfx}@example.com",
            name=name,
            password=password,
            organization=org,
        )
    return people
