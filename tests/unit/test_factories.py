"""The shared factories start tests from states the app reaches: a ticket in a status got there
through the lifecycle (its events and timestamps are those the app writes), an assignee is on
the timeline, a client belongs to the organization asked for."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.models import TicketEvent
from support_portal.testkit.factories import (
    make_chat,
    make_org,
    make_people,
    make_ticket,
    make_user,
)


def _kinds(session, ticket) -> list[str]:
    rows = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    return [e.kind for e in sorted(rows, key=lambda e: e.id)]


def test_a_closed_ticket_was_resolved_then_closed(session, clock) -> None:
    ticket = make_ticket(session, status="closed", now=clock())
    assert ticket.status == "closed"
    assert ticket.resolved_at is not None and ticket.closed_at is not None
    moves = session.exec(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "status_changed"
        )
    ).all()
    assert [(e.data["from"], e.data["to"]) for e in sorted(moves, key=lambda e: e.id)] == [
        ("new", "resolved"),
        ("resolved", "closed"),
    ]


@pytest.mark.parametrize("status", ["in_progress", "waiting_on_client", "resolved"])
def test_each_open_or_resolved_status_is_one_move_from_new(session, clock, status) -> None:
    ticket = make_ticket(session, status=status, now=clock())
    assert ticket.status == status
    assert _kinds(session, ticket).count("status_changed") == 1


def test_assignee_priority_and_org_are_set_as_the_app_sets_them(session, clock) -> None:
    org = make_org(session, name="Riverside Dental")
    agent = make_user(session, "agent", name="Ada Agent")
    ticket = make_ticket(session, org=org, assignee=agent, priority="urgent", now=clock())
    assert ticket.organization_id == org.id
    assert ticket.assignee_id == agent.id
    assert ticket.priority == "urgent"
    assert "assigned" in _kinds(session, ticket)


def test_people_of_one_org_key_share_an_organization(session) -> None:
    people = make_people(
        session, "x1", client_a="Ann", client_also_a="Al", client_b="Ben", agent_x="Ada"
    )
    assert people["client_a"].organization_id == people["client_also_a"].organization_id
    assert people["client_a"].organization_id != people["client_b"].organization_id
    assert people["agent_x"].role == "agent" and people["agent_x"].organization_id is None


def test_a_chat_held_by_an_agent_is_active_with_the_clients_first_words(session, clock) -> None:
    client, agent = make_user(session, "client"), make_user(session, "agent")
    room = make_chat(session, client=client, agent=agent, message="Hello", now=clock())
    assert room.agent_id == agent.id
    assert room.status == "active"
