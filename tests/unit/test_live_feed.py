"""Changes made outside any page (an inbound SMS, the SLA job in the worker process) reach
the pages that show them: the change feed is written with the change, and a web worker
following it pushes to every open tab of the ticket."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from support_portal.jobs.sla_jobs import run_sla_sweep
from support_portal.models import LiveChange
from support_portal.realtime import feed, topics
from support_portal.realtime.ticket_live import TicketLive, live_topic
from support_portal.services import auth, inbound, live_feed, tickets
from support_portal.services.live_feed import Change
from support_portal.state.agent_ticket import AgentTicketState, team_topic
from support_portal.state.client import ClientState, list_topic
from support_portal.testkit.factories import PASSWORD, make_ticket, make_user, principal
from tests.fake_tabs import fake_tabs
from tests.session_cookie import with_session_cookie

PHONE = "+14155552671"
REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _wall() -> datetime:
    """Sign-in sessions and feed rows carry the real time: the pages read it too."""
    return datetime.now(UTC)


async def _open_ticket_pages(tabs, session, ticket, client, agent) -> None:
    """The client's ticket page and an agent's ticket page, each in its own tab."""
    token, _ = auth.sign_in(session=session, email=agent.email, password=PASSWORD, now=_wall())
    until = time.time() + 600
    tabs.open("client-tab")
    tabs.state("client-tab", TicketLive)._ticket_id = ticket.id
    await topics.registry().join(
        live_topic(ticket.id, client.id), "client-tab", until=until, owner="c"
    )
    tabs.open("agent-tab")
    page = tabs.state("agent-tab", AgentTicketState)
    with_session_cookie(page, token)
    page._ticket_id, page._number_shown = ticket.id, str(ticket.number)
    await topics.registry().join(team_topic(ticket.id), "agent-tab", until=until, owner="a")


def _shown(tabs, token: str, cls) -> str:
    return json.dumps(tabs.state(token, cls).dict(), default=str)


async def test_an_sms_reply_reaches_the_open_client_and_agent_pages_of_its_ticket(
    session, clock, monkeypatch
):
    client = make_user(session, "client", phone=PHONE, notify_sms=True)
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    session.commit()
    with fake_tabs(monkeypatch) as tabs:
        await _open_ticket_pages(tabs, session, ticket, client, agent)
        assert await feed.follow_once(now=_wall()) == 0  # starts from the present

        # As the Twilio webhook does, in whichever process receives it: no push from here.
        inbound.inbound_sms(
            session, from_phone=PHONE, body="The reminders still skip the SMS step", now=clock()
        )
        session.commit()
        assert "reminders still skip" not in _shown(tabs, "client-tab", TicketLive)

        assert await feed.follow_once(now=_wall()) == 1
        assert "The reminders still skip the SMS step" in _shown(tabs, "client-tab", TicketLive)
        assert "The reminders still skip the SMS step" in _shown(
            tabs, "agent-tab", AgentTicketState
        )
        assert await feed.follow_once(now=_wall()) == 0  # each change is pushed once


async def test_an_sla_step_of_the_worker_reaches_the_open_agent_page(
    session, clock, monkeypatch, settings_env
):
    client = make_user(session, "client")
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock(), priority="urgent")
    session.commit()
    with fake_tabs(monkeypatch) as tabs:
        await _open_ticket_pages(tabs, session, ticket, client, agent)
        await feed.follow_once(now=_wall())
        before = tabs.state("agent-tab", AgentTicketState).events

        # The worker process runs the sweep two business hours later: the urgent ticket's
        # first response (one business hour) has breached.
        assert run_sla_sweep(session, clock.advance(hours=2)) > 0

        assert await feed.follow_once(now=_wall()) == 1
        after = tabs.state("agent-tab", AgentTicketState).events
        assert len(after) > len(before)
        assert any("breach" in e["summary"].lower() for e in after)


async def test_a_status_change_made_by_another_process_reaches_the_clients_ticket_list(
    session, clock, monkeypatch
):
    org_client = make_user(session, "client")
    stranger = make_user(session, "client")  # of another organization
    manager = make_user(session, "manager")
    ticket = make_ticket(session, requester=org_client, now=clock())
    session.commit()
    with fake_tabs(monkeypatch) as tabs:
        for tab, user in (("list-tab", org_client), ("stranger-tab", stranger)):
            token, _ = auth.sign_in(
                session=session, email=user.email, password=PASSWORD, now=_wall()
            )
            tabs.open(tab)
            page = tabs.state(tab, ClientState)
            with_session_cookie(page, token)
            assert await ClientState.on_load.fn(page) is None
            await topics.registry().join(
                list_topic(user.id), tab, until=time.time() + 600, owner=tab
            )
        [row] = tabs.state("list-tab", ClientState).tickets
        assert row.status == "new"
        await feed.follow_once(now=_wall())

        # The REST API or the worker (here, straight through the service) moves the ticket.
        tickets.change_status(
            session=session,
            principal=principal(manager),
            ticket=ticket,
            to="in_progress",
            now=clock(),
        )
        session.commit()

        assert await feed.follow_once(now=_wall()) == 1
        [row] = tabs.state("list-tab", ClientState).tickets
        assert row.status == "in_progress"
        assert tabs.state("stranger-tab", ClientState).tickets == []


def test_a_rolled_back_change_leaves_nothing_in_the_feed(session, clock):
    client = make_user(session, "client")
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    session.commit()
    before = session.exec(select(func.count()).select_from(LiveChange)).one()
    tickets.post_update(
        session=session, principal=principal(agent), ticket=ticket, body="Not sent", now=clock()
    )
    session.rollback()
    assert session.exec(select(func.count()).select_from(LiveChange)).one() == before


def test_the_cursor_waits_at_a_fresh_gap_and_gives_up_an_old_one():
    now = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)

    def change(id_: int, age_s: float) -> Change:
        return Change(id_, 1, "ticket", now - timedelta(seconds=age_s))

    patience = timedelta(seconds=5)
    # 12 is not visible yet (its transaction has not committed): read up to 11, come back.
    assert (
        live_feed.next_cursor(10, [change(11, 1), change(13, 1)], now=now, patience=patience) == 11
    )
    # 12 never came (rolled back) and 13 is old: move on.
    assert (
        live_feed.next_cursor(10, [change(11, 9), change(13, 9)], now=now, patience=patience) == 13
    )
    assert live_feed.next_cursor(10, [], now=now, patience=patience) == 10


def test_old_changes_are_pruned(session, clock):
    client = make_user(session, "client")
    ticket = make_ticket(session, requester=client, now=clock())
    session.commit()
    assert live_feed.latest_id(session=session) > 0
    assert live_feed.prune(session=session, now=_wall() + timedelta(hours=1)) > 0
    assert live_feed.latest_id(session=session) == 0
    assert ticket.id is not None


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
async def test_two_web_workers_on_redis_push_each_change_once(
    session, clock, monkeypatch, settings_env
):
    from redis.asyncio import Redis

    settings_env(LIVE_POLL_SECONDS="0.2")
    run = uuid.uuid4().hex
    for name in ("_PREFIX", "_TAB_PREFIX", "_OWNER_PREFIX", "_CLAIM_PREFIX", "_MARK_PREFIX"):
        monkeypatch.setattr(topics, name, f"test-{run}:{name}:")
    client = make_user(session, "client", phone=PHONE, notify_sms=True)
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    session.commit()
    # Two worker processes: each its own connection to the same Redis.
    redis_a, redis_b = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    worker_a, worker_b = topics.RedisRegistry(redis_a), topics.RedisRegistry(redis_b)
    try:
        with fake_tabs(monkeypatch) as tabs:
            topics.use_registry(worker_a)
            await _open_ticket_pages(tabs, session, ticket, client, agent)
            assert await feed.follow_once(now=_wall()) == 0  # worker A starts the shared mark
            inbound.inbound_sms(session, from_phone=PHONE, body="Seen twice today", now=clock())
            session.commit()
            await asyncio.sleep(0.25)  # A's turn is over

            topics.use_registry(worker_b)
            assert await feed.follow_once(now=_wall()) == 1
            topics.use_registry(worker_a)
            assert await feed.follow_once(now=_wall()) == 0  # B's turn
            await asyncio.sleep(0.25)
            assert await feed.follow_once(now=_wall()) == 0  # already pushed, by B

            assert "Seen twice today" in _shown(tabs, "client-tab", TicketLive)
            assert "Seen twice today" in _shown(tabs, "agent-tab", AgentTicketState)
    finally:
        await redis_a.aclose()
        await redis_b.aclose()
