"""The agent console's "My tickets" and team queue follow the change feed: a ticket that
becomes unassigned, or whose due time moves, shows on every open console without a reload,
whichever process made the change."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from support_portal.realtime import feed, topics
from support_portal.services import auth, tickets
from support_portal.state.agent_console import LISTS_TOPIC, AgentConsoleState
from support_portal.testkit.factories import PASSWORD, make_ticket, make_user, principal
from tests.fake_tabs import fake_tabs
from tests.session_cookie import with_session_cookie


def _wall() -> datetime:
    """Sign-in sessions and feed rows carry the real time: the pages read it too."""
    return datetime.now(UTC)


async def _open_console(tabs, session, tab: str, user) -> AgentConsoleState:
    """An agent console as its page load leaves it: lists read, the lists topic joined."""
    token, _ = auth.sign_in(session=session, email=user.email, password=PASSWORD, now=_wall())
    tabs.open(tab)
    page = tabs.state(tab, AgentConsoleState)
    with_session_cookie(page, token)
    await page._refresh_lists(principal(user))
    await topics.registry().join(LISTS_TOPIC, tab, until=time.time() + 600, owner=tab)
    return page


def _row(rows: list[dict], number: int) -> dict | None:
    return next((r for r in rows if r["number"] == number), None)


async def test_an_unassigned_ticket_and_a_moved_due_time_reach_the_open_consoles(
    session, clock, monkeypatch
):
    alex, sam = make_user(session, "agent"), make_user(session, "agent")
    manager = make_user(session, "manager")
    client = make_user(session, "client")
    sams = make_ticket(session, requester=client, assignee=sam, now=clock(), priority="low")
    alexs = make_ticket(session, requester=client, assignee=alex, now=clock(), priority="low")
    session.commit()
    with fake_tabs(monkeypatch) as tabs:
        console = await _open_console(tabs, session, "alex-console", alex)
        assert _row(console.team_queue, sams.number) is None  # Sam holds it
        due_before = _row(console.team_queue, alexs.number)["next_due_at"]
        assert _row(console.my_tickets, alexs.number)["priority"] == "low"
        assert await feed.follow_once(now=_wall()) == 0  # starts from the present

        # The REST API or another worker (here, straight through the services): Sam's
        # ticket is put back to the team, and Alex's becomes urgent, so it falls due sooner.
        tickets.assign(
            session=session,
            principal=principal(manager),
            ticket=sams,
            assignee_id=None,
            now=clock(),
        )
        tickets.set_priority(
            session=session,
            principal=principal(manager),
            ticket=alexs,
            priority="urgent",
            now=clock(),
        )
        session.commit()
        assert _row(console.team_queue, sams.number) is None  # nothing pushed yet

        assert await feed.follow_once(now=_wall()) == 2
        console = tabs.state("alex-console", AgentConsoleState)
        unheld = _row(console.team_queue, sams.number)
        assert unheld is not None and unheld["assignee"] == "" and not unheld["mine"]
        assert _row(console.team_queue, alexs.number)["next_due_at"] < due_before
        assert _row(console.my_tickets, alexs.number)["priority"] == "urgent"


async def test_a_console_whose_sign_in_ended_gets_no_lists(session, clock, monkeypatch):
    alex = make_user(session, "agent")
    manager = make_user(session, "manager")
    ticket = make_ticket(session, now=clock())
    session.commit()
    with fake_tabs(monkeypatch) as tabs:
        console = await _open_console(tabs, session, "alex-console", alex)
        assert _row(console.team_queue, ticket.number) is not None
        await feed.follow_once(now=_wall())
        auth.sign_out(session=session, token=console._session_token(), now=_wall())
        session.commit()
        console.team_queue = []

        tickets.set_priority(
            session=session,
            principal=principal(manager),
            ticket=ticket,
            priority="urgent",
            now=clock(),
        )
        session.commit()
        await feed.follow_once(now=_wall())
        assert tabs.state("alex-console", AgentConsoleState).team_queue == []
