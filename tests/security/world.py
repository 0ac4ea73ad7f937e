"""A small world with two client organizations, built from the shared factories and the
services, as the app would build it.

Org A is the one everybody reaches for; org B is the other organization. The people:

- ``client``: org A's client who asked for help (requester of ticket A, owner of chat A)
- ``colleague``: another client of org A (same org, not the chat's owner)
- ``outsider``: a client of org B
- ``agent``: holds chat A and is assigned ticket A
- ``other_agent``: an agent who does not hold chat A
- ``manager``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from support_portal.clock import utcnow
from support_portal.models import (
    ApiKey,
    Attachment,
    ChatSession,
    Organization,
    Problem,
    SystemicCandidate,
    Ticket,
    User,
    ZoomEscalation,
)
from support_portal.services import api_keys, attachments, escalations, problems, tickets
from support_portal.services.authz import Principal
from support_portal.testkit.factories import make_chat, make_org, make_ticket, make_user, principal
from support_portal.testkit.files import PNG

ROLES = ("client", "colleague", "outsider", "agent", "other_agent", "manager")
LOOM = "https://www.loom.com/share/0123456789abcdef0123456789abcdef"


@dataclass
class World:
    org_a: Organization
    org_b: Organization
    users: dict[str, User]
    client_b: User
    ticket_a: Ticket
    ticket_b: Ticket
    chat_a: ChatSession
    chat_b: ChatSession
    waiting_a: ChatSession
    public_file_a: Attachment
    internal_file_a: Attachment
    chat_file_a: Attachment
    unlinked_file_a: Attachment
    file_b: Attachment
    zoom_a: ZoomEscalation
    api_key: ApiKey
    api_key_plain: str
    ticket_a2: Ticket
    problem: Problem
    candidate: SystemicCandidate
    extra: dict[str, Any] = field(default_factory=dict)

    def p(self, role: str) -> Principal:
        return principal(self.users[role])


def build_world(session: Session) -> World:
    now = utcnow()
    org_a = make_org(session, name="Org A Dental")
    org_b = make_org(session, name="Org B Fitness")
    users = {
        "client": make_user(session, "client", organization=org_a, name="Alice of A"),
        "colleague": make_user(session, "client", organization=org_a, name="Carl of A"),
        "outsider": make_user(session, "client", organization=org_b, name="Olga of B"),
        "agent": make_user(session, "agent", name="Agent Holder"),
        "other_agent": make_user(session, "agent", name="Agent Other"),
        "manager": make_user(session, "manager", name="Manager Mo"),
    }
    client_b = make_user(session, "client", organization=org_b, name="Bob of B")
    agent, manager = principal(users["agent"]), principal(users["manager"])

    def ticket_for(requester: User, title: str) -> Ticket:
        return make_ticket(
            session,
            requester=requester,
            agent=users["manager"],
            assignee=users["agent"],
            title=title,
            now=now,
        )

    ticket_a = ticket_for(users["client"], "Org A secret workflow failure")
    ticket_b = ticket_for(client_b, "Org B secret billing failure")
    tickets.post_update(
        session=session,
        principal=agent,
        ticket=ticket_a,
        body="Internal A note",
        internal=True,
        now=utcnow(),
    )
    tickets.post_update(
        session=session, principal=agent, ticket=ticket_b, body="B public news", now=utcnow()
    )

    chat_a = make_chat(
        session, client=users["client"], agent=users["agent"], message="A hello", now=now
    )
    chat_b = make_chat(session, client=client_b, message="B private words", now=now)
    waiting_a = make_chat(session, client=users["colleague"], now=now)

    def store(who: Principal, **kw: Any) -> Attachment:
        return attachments.store_attachment(
            session=session, principal=who, filename="shot.png", data=PNG, now=now, **kw
        )

    public_file_a = store(principal(users["client"]), ticket_id=ticket_a.id)
    internal_file_a = store(agent, ticket_id=ticket_a.id, is_public=False)
    chat_file_a = store(agent, chat_id=chat_a.id)
    unlinked_file_a = store(principal(users["client"]))
    file_b = store(principal(client_b), ticket_id=ticket_b.id)

    zoom_a = escalations.schedule_zoom(
        session=session,
        principal=agent,
        ticket=ticket_a,
        meeting_url="https://zoom.us/j/1234567890",
        local_time=(now + timedelta(days=1)).replace(tzinfo=None),
        attendees="Alice, Agent Holder",
        now=now,
    )
    zoom_chat_a = escalations.schedule_zoom(
        session=session,
        principal=agent,
        chat_id=chat_a.id,
        meeting_url="https://zoom.us/j/1234567891",
        local_time=(now + timedelta(days=2)).replace(tzinfo=None),
        attendees="Alice, Agent Holder",
        now=now,
    )
    plain, key = api_keys.create_api_key(
        session=session, principal=manager, name="Chat tool", now=utcnow()
    )
    ticket_a2 = ticket_for(users["colleague"], "Org A second workflow failure")
    problem = problems.declare_problem(
        session=session,
        principal=manager,
        title="Workflow engine outage",
        ticket_ids=[ticket_a.id, ticket_b.id],  # type: ignore[list-item]
        now=now,
    )
    candidate = SystemicCandidate(
        signature="workflow-sms",
        ticket_ids=[ticket_a.id, ticket_b.id],
        organization_ids=[org_a.id, org_b.id],
        affected_area="Workflows",
        shared_terms=["workflow", "sms"],
    )
    session.add(candidate)
    session.commit()
    return World(
        org_a=org_a,
        org_b=org_b,
        users=users,
        client_b=client_b,
        ticket_a=ticket_a,
        ticket_b=ticket_b,
        chat_a=chat_a,
        chat_b=chat_b,
        waiting_a=waiting_a,
        public_file_a=public_file_a,
        internal_file_a=internal_file_a,
        chat_file_a=chat_file_a,
        unlinked_file_a=unlinked_file_a,
        file_b=file_b,
        zoom_a=zoom_a,
        api_key=key,
        api_key_plain=plain,
        ticket_a2=ticket_a2,
        problem=problem,
        candidate=candidate,
        extra={"zoom_chat_a": zoom_chat_a},
    )


def snapshot(session: Session) -> dict[str, list[str]]:
    """Every row of every table, as text: equal snapshots mean nothing changed."""
    session.flush()
    out: dict[str, list[str]] = {}
    for table in SQLModel.metadata.sorted_tables:
        rows = session.execute(sa_select(table)).all()
        out[table.name] = sorted(repr(tuple(r)) for r in rows)
    return out


def changed_tables(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def later(hours: float = 1) -> datetime:
    return utcnow() + timedelta(hours=hours)
