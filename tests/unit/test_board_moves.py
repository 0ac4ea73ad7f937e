"""A board move shows at once: the dropped card stands in its new column before the move is
saved, and a move the server refuses puts it back with the reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import reflex as rx

from support_portal.models import Ticket
from support_portal.services import auth
from support_portal.state import board as board_module
from support_portal.state.board import BoardState
from support_portal.testkit.factories import PASSWORD, make_ticket, make_user, principal
from tests.session_cookie import with_session_cookie


@pytest.fixture(autouse=True)
def _no_snapshot_from_another_test(monkeypatch) -> None:
    monkeypatch.setattr(board_module, "_CACHE", {"revision": None, "at": 0.0, "data": None})


async def _manager_board(session) -> tuple[BoardState, Ticket]:
    manager = make_user(session, "manager")
    ticket = make_ticket(session, title="The workflow bug that moves")
    session.commit()
    token, _ = auth.sign_in(
        session=session, email=manager.email, password=PASSWORD, now=datetime.now(UTC)
    )
    root = rx.State(_reflex_internal_init=True)
    board = root.get_substate(BoardState.get_full_name().split("."))
    with_session_cookie(board, token)
    board._principal = principal(manager)
    await board._reload()
    return board, ticket


def _status(session, ticket: Ticket) -> str:
    session.expire_all()
    return session.get(Ticket, ticket.id).status


def _in(board: BoardState, column: str, ticket: Ticket) -> bool:
    return any(c.id == ticket.id for c in getattr(board, column))


async def test_a_dropped_card_stands_in_its_new_column_before_the_move_is_saved(session):
    board, ticket = await _manager_board(session)
    BoardState.drag_start.fn(board, ticket.id, ticket.version, "new")

    steps = BoardState.drop_on.fn(board, "in_progress")
    await anext(steps)  # what the browser is sent first

    assert _in(board, "in_progress", ticket) and not _in(board, "new", ticket)
    assert board.totals["in_progress"] == 1 and board.totals["new"] == 0
    assert _status(session, ticket) == "new"  # not saved yet

    async for _ in steps:
        pass
    assert _status(session, ticket) == "in_progress"
    assert _in(board, "in_progress", ticket)


async def test_a_refused_move_puts_the_card_back_and_says_why(session):
    board, ticket = await _manager_board(session)
    BoardState.drag_start.fn(board, ticket.id, ticket.version, "new")

    steps = BoardState.drop_on.fn(board, "closed")
    await anext(steps)
    assert _in(board, "closed", ticket)

    rest = [step async for step in steps]

    assert _in(board, "new", ticket) and not _in(board, "closed", ticket)
    assert board.totals["new"] == 1 and board.totals["closed"] == 0
    assert "A ticket cannot go from new to closed." in str(rest)
    assert _status(session, ticket) == "new"


async def test_a_move_with_a_stale_version_puts_the_card_where_it_really_is(session):
    board, ticket = await _manager_board(session)
    steps = BoardState.move_to.fn(board, ticket.id, ticket.version - 1, "waiting_on_client")
    await anext(steps)
    assert _in(board, "waiting_on_client", ticket)

    rest = [step async for step in steps]

    assert _in(board, "new", ticket) and not _in(board, "waiting_on_client", ticket)
    assert "changed while you were looking at it" in str(rest)
