"""A board tab sends the browser only what it shows, and only what changed."""

from __future__ import annotations

import json

import reflex as rx

from support_portal.clock import utcnow
from support_portal.services import auth, tickets
from support_portal.state.board import PAGE, BoardState
from support_portal.testkit.factories import PASSWORD, make_ticket, make_user, principal
from tests.session_cookie import with_session_cookie


def _board_tab() -> tuple[rx.State, BoardState]:
    root = rx.State(_reflex_internal_init=True)
    return root, root.get_substate(BoardState.get_full_name().split("."))


async def test_a_page_load_with_nothing_changed_resends_no_cards(session):
    make_ticket(session, title="First workflow bug on the board")
    make_ticket(session, title="Second workflow bug on the board")
    session.commit()
    root, board = _board_tab()
    await board._reload()
    assert len(board.new) == 2
    root._clean()

    await board._reload()

    assert not board.dirty_vars


async def test_a_change_to_one_card_resends_only_its_columns(session):
    manager = make_user(session, "manager")
    moved = make_ticket(session, title="The workflow bug that moves")
    make_ticket(session, title="The workflow bug that stays")
    session.commit()
    root, board = _board_tab()
    await board._reload()
    root._clean()

    tickets.change_status(
        session=session, principal=principal(manager), ticket=moved, to="in_progress", now=utcnow()
    )
    session.commit()
    await board._reload()

    assert {"new", "in_progress", "totals"} <= board.dirty_vars
    assert not {"waiting_on_client", "resolved", "closed", "staff"} & board.dirty_vars


async def test_cards_reach_the_browser_without_the_servers_filter_fields(session):
    make_ticket(session, title="A workflow bug with a visible title")
    session.commit()
    root, board = _board_tab()
    await board._reload()

    sent = json.dumps(root.dict(), default=str)

    assert "A workflow bug with a visible title" in sent
    assert "haystack" not in sent and "organization_id" not in sent


async def test_show_more_reveals_the_rest_of_a_column(session):
    manager = make_user(session, "manager")
    agent = make_user(session, "agent")
    for i in range(PAGE + 1):
        make_ticket(session, agent=agent, title=f"Workflow bug number {i} on the board")
    session.commit()
    root, board = _board_tab()
    token, _ = auth.sign_in(session=session, email=manager.email, password=PASSWORD, now=utcnow())
    with_session_cookie(board, token)
    await board._reload()
    assert (len(board.new), board.hidden_counts["new"]) == (PAGE, 1)
    root._clean()

    await BoardState.show_more.fn(board, "new")

    assert (len(board.new), board.hidden_counts["new"]) == (PAGE + 1, 0)
    assert {"new", "hidden_counts"} <= board.dirty_vars
