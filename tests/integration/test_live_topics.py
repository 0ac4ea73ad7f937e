"""Live updates follow the sign-in, not the tab: once a person signs out, none of the tabs
of that sign-in receives another push, while everyone else's boards stay live. And an open
board catches up by itself with changes made outside the web app (the job worker's).

One real backend (in-memory state, SQLite), tabs as socket clients speaking Reflex's protocol.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.testkit import live_app
from tests.integration.test_scale_out import _seed_board


@pytest.fixture(scope="module")
def backend(tmp_path_factory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("topics")
    db_url = f"sqlite:///{tmp / 'app.db'}"
    # The board clock every second instead of every minute, so the test need not wait.
    env = live_app.app_env(db_url, DATA_DIR=str(tmp / "data"), BOARD_REFRESH_SECONDS="1")
    live_app.migrate(env)
    with live_app.backend(env, tmp / "backend.log") as url:
        yield url, db_url


def test_after_signing_out_no_tab_of_that_sign_in_gets_board_changes(backend):
    from support_portal.state.session import SessionState

    url, db_url = backend
    (leaving, staying), ticket_id = _seed_board(db_url, f"out{uuid.uuid4().hex[:6]}")

    def in_column(tab: live_app.ReflexClient, status: str) -> bool:
        return any(c["id"] == ticket_id for c in tab.get("board", status, []))

    async def scenario() -> None:
        # Two tabs of the person who signs out, and one of a colleague who stays.
        tabs = [live_app.ReflexClient(url, token, "/manager") for token in (leaving, leaving)]
        colleague = live_app.ReflexClient(url, staying, "/manager")
        for tab in (*tabs, colleague):
            await tab.connect()
            await tab.emit("board", "on_load")
            await tab.wait_for(lambda t=tab: in_column(t, "new"))
        other_tab = tabs[1]
        card = next(c for c in colleague.get("board", "new") if c["id"] == ticket_id)

        await tabs[0].emit(SessionState.get_full_name(), "sign_out")
        await tabs[0].wait_for(lambda: any("location.replace" in str(e) for e in tabs[0].events))
        await colleague.emit(
            "board", "move_to", ticket_id=ticket_id, version=card["version"], target="in_progress"
        )
        await colleague.wait_for(lambda: in_column(colleague, "in_progress"))
        # Give a push to the signed-out tab every chance to arrive: it must not.
        await asyncio.sleep(2)
        assert in_column(other_tab, "new")
        assert not in_column(other_tab, "in_progress")
        for tab in (*tabs, colleague):
            await tab.close()

    asyncio.run(scenario())


def test_an_open_board_shows_a_change_made_outside_the_web_app_without_a_reload(backend):
    from sqlmodel import Session

    from support_portal.db import get_engine
    from support_portal.models import Ticket, User
    from support_portal.services import tickets
    from support_portal.services.authz import Principal

    url, db_url = backend
    (token, _), ticket_id = _seed_board(db_url, f"clock{uuid.uuid4().hex[:6]}")

    def in_column(tab: live_app.ReflexClient, status: str) -> bool:
        return any(c["id"] == ticket_id for c in tab.get("board", status, []))

    async def scenario() -> None:
        tab = live_app.ReflexClient(url, token, "/manager")
        await tab.connect()  # hydrating runs the page's on_load: nothing else is asked
        await tab.wait_for(lambda: in_column(tab, "new"))

        # As the separate job worker would: straight to the database, no push from here.
        with Session(get_engine(db_url)) as s:
            manager = s.exec(select(User).where(User.role == "manager")).first()
            ticket = s.get(Ticket, ticket_id)
            tickets.change_status(
                session=s,
                principal=Principal.of(manager),
                ticket=ticket,
                to="in_progress",
                now=utcnow(),
            )
            s.commit()

        await tab.wait_for(lambda: in_column(tab, "in_progress"), timeout=15)
        assert not in_column(tab, "new")
        await tab.close()

    asyncio.run(scenario())
