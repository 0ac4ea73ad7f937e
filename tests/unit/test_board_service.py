"""The board's data and the version check that keeps two managers from losing a change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support_portal.services import board, tickets
from support_portal.services.errors import Conflict, Forbidden
from support_portal.state.board import CHANGED
from support_portal.testkit.factories import make_ticket, make_user, principal


def test_the_board_shows_open_tickets_and_only_recently_closed_ones(session, clock):
    manager = make_user(session, "manager")
    agent = make_user(session, "agent")
    open_one = make_ticket(session, now=clock.now, agent=agent, title="Open workflow bug here")
    old = make_ticket(session, now=clock.now, agent=agent)
    for status in ("resolved", "closed"):
        tickets.change_status(
            session=session, principal=principal(manager), ticket=old, to=status, now=clock.now
        )
    session.commit()
    data = board.board_data(
        session=session, principal=principal(manager), now=clock.now + timedelta(days=1)
    )
    assert [c.number for c in data.columns["new"]] == [open_one.number]
    assert [c.number for c in data.columns["closed"]] == [old.number]
    later = board.board_data(
        session=session, principal=principal(manager), now=clock.now + timedelta(days=8)
    )
    assert later.columns["closed"] == []
    card = data.columns["new"][0]
    assert card.assignee == "Unassigned" and card.sla_tone in ("ok", "warning")
    assert "open workflow bug" in card.haystack


def test_a_card_past_its_due_time_says_breached(session, clock):
    manager = make_user(session, "manager")
    make_ticket(session, now=clock.now, priority="urgent")
    session.commit()
    data = board.board_data(
        session=session, principal=principal(manager), now=clock.now + timedelta(hours=2)
    )
    card = data.columns["new"][0]
    assert (card.sla_text, card.sla_tone, card.breached) == ("Breached", "breached", True)


def test_only_managers_get_the_board(session, clock):
    agent = make_user(session, "agent")
    with pytest.raises(Forbidden):
        board.board_data(session=session, principal=principal(agent), now=clock.now)


def test_the_second_of_two_managers_changing_a_ticket_is_told_it_changed(session, clock):
    first, second = make_user(session, "manager"), make_user(session, "manager")
    ticket = make_ticket(session, now=clock.now)
    session.commit()
    seen = ticket.version  # both boards show this version
    tickets.set_priority(
        session=session,
        principal=principal(first),
        ticket=ticket,
        priority="high",
        expected_version=seen,
        now=clock.now,
    )
    session.commit()
    with pytest.raises(Conflict):
        tickets.change_status(
            session=session,
            principal=principal(second),
            ticket=ticket,
            to="in_progress",
            expected_version=seen,
            now=clock.now,
        )
    assert ticket.status == "new" and ticket.priority == "high"
    assert CHANGED.startswith("This ticket changed")
