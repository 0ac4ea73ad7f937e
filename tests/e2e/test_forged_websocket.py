"""Forged events sent over a real websocket to the running app, as a tampered browser would.

A client of org B, signed in with a real session, speaks Reflex's socket.io protocol directly
(testkit/live_app.py) and calls handlers of pages that are not theirs with org A's ids. The app
answers with a refusal; nothing of org A arrives in any state delta or event, and nothing
changes in the database.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlmodel import func, select

from support_portal.clock import utcnow
from support_portal.db import session_scope
from support_portal.models import ChatMessage, TicketEvent
from support_portal.services import auth, chat, tickets
from support_portal.services.authz import Principal

# Imported here, in the main thread: Reflex registers state classes in a context variable.
from support_portal.state.agent_console import AgentConsoleState
from support_portal.state.board import BoardState
from support_portal.state.chat import ClientChatState
from support_portal.testkit import live_app
from support_portal.testkit.factories import good_draft
from tests.e2e.app_world import AppWorld, app_database, make_people, tag
from tests.e2e.conftest import DEMO_PASSWORD


@pytest.fixture(scope="module")
def world(app_env, app_url) -> AppWorld:
    sfx = tag()
    w = AppWorld()
    with app_database(app_env), session_scope() as s:
        people = make_people(s, sfx, client_a=f"Wire Ann {sfx}", client_b=f"Wire Ben {sfx}")
        ann = Principal.of(people["client_a"])
        manager = Principal.of(make_people(s, sfx, manager_x=f"Wire Manager {sfx}")["manager_x"])
        live = chat.start_chat(session=s, principal=ann, now=utcnow())
        chat.post_message(
            session=s, principal=ann, chat_id=live.id, body=f"wire secret {sfx}", now=utcnow()
        )
        ticket = tickets.create_ticket(
            session=s,
            principal=manager,
            draft=good_draft(title=f"Wire secret ticket {sfx}"),
            organization_id=people["client_a"].organization_id,
            requester_id=people["client_a"].id,
            now=utcnow(),
        )
        s.commit()
        token, _ = auth.sign_in(
            session=s, email=people["client_b"].email, password=DEMO_PASSWORD, now=utcnow()
        )
        w.ids = {"chat_a": live.id, "ticket_a": ticket.id, "version": ticket.version}
        w.names = {"secret": sfx, "token": token}
    return w


def _counts(app_env) -> tuple[int, int]:
    with app_database(app_env), session_scope() as s:
        return (
            s.exec(select(func.count()).select_from(ChatMessage)).one(),
            s.exec(select(func.count()).select_from(TicketEvent)).one(),
        )


async def _forge(url: str, token: str, calls: list[tuple[str, str, dict[str, Any]]]):
    names = {
        "console": AgentConsoleState.get_full_name(),
        "board": BoardState.get_full_name(),
        "client_chat": ClientChatState.get_full_name(),
    }
    tab = live_app.ReflexClient(url, token, "/client")
    updates: list[float] = []
    tab.listeners.append(lambda delta, at: updates.append(at))
    await tab.connect()
    try:
        for state, handler, payload in calls:
            seen = len(updates)
            await tab.emit(names[state], handler, **payload)
            # The server answers every event with an update, once the handler has finished.
            await tab.wait_for(lambda seen=seen: len(updates) > seen, timeout=30)
        await asyncio.sleep(0)
        return json.dumps(tab.state, default=str) + json.dumps(tab.events, default=str)
    finally:
        await tab.close()


def test_forged_events_over_the_websocket_reach_nothing_of_another_org(world, app_url, app_env):
    before = _counts(app_env)
    calls = [
        ("console", "open_chat", {"chat_id": world.ids["chat_a"]}),
        ("console", "accept", {"chat_id": world.ids["chat_a"]}),
        ("board", "set_f_search", {"value": ""}),
        (
            "board",
            "move_to",
            {
                "ticket_id": world.ids["ticket_a"],
                "version": world.ids["version"],
                "target": "resolved",
            },
        ),
        (
            "client_chat",
            "send",
            {"form_data": {"message": "forged", "chat_id": world.ids["chat_a"]}},
        ),
    ]
    # Playwright's sync API keeps an event loop running in this thread: use a thread of our own,
    # in this thread's context (Reflex registers state classes in a context variable).
    coro = _forge(app_url, world.names["token"], calls)
    with ThreadPoolExecutor(1) as pool:
        received = pool.submit(contextvars.copy_context().run, asyncio.run, coro).result()
    for secret in ("wire secret", "Wire secret ticket", "Wire Ann"):
        assert secret not in received, secret
    assert _counts(app_env) == before
