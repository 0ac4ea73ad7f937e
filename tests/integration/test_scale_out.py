"""Scale-out: two backend processes sharing PostgreSQL and Redis behave as one app.

The client's tab is served by one backend process and the agent's by another (two
`reflex run --env prod --backend-only` processes on two ports, as two workers behind a load
balancer would be); the chat, its messages and the agents' queue must cross between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from support_portal.clock import utcnow
from support_portal.testkit import live_app

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        not (DATABASE_URL.startswith("postgres") and REDIS_URL),
        reason="needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL",
    ),
]


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A database of this test's own on the test server, dropped afterwards."""
    import psycopg

    name = f"sp_scale_{uuid.uuid4().hex[:10]}"
    admin = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def two_backends(tmp_path_factory) -> Iterator[tuple[str, str, str]]:
    tmp = tmp_path_factory.mktemp("scale")
    with fresh_database(DATABASE_URL) as db_url:
        env = live_app.app_env(db_url, REDIS_URL=REDIS_URL, DATA_DIR=str(tmp / "data"))
        live_app.migrate(env)
        # Started one after the other: both write the same compiled-state files at start.
        with (
            live_app.backend(env, tmp / "backend1.log") as one,
            live_app.backend(env, tmp / "backend2.log") as two,
        ):
            yield one, two, db_url


def test_a_chat_started_on_one_backend_reaches_an_agent_served_by_the_other(two_backends):
    one, two, db_url = two_backends
    assert one != two
    [pair] = live_app.seed_pairs(db_url, 1, prefix=f"scale{uuid.uuid4().hex[:6]}")

    async def scenario() -> None:
        agent = live_app.ReflexClient(two, pair.agent_token, "/agent")
        await agent.connect()
        await agent.emit("agent", "load")
        client = live_app.ReflexClient(one, pair.client_token, "/client")
        await client.connect()
        await client.emit("client", "load")
        await client.emit("client", "start_chat")
        chat_id = await client.wait_for(lambda: client.get("room", "chat_id"))

        # The queue changed on backend one; the console on backend two sees it live.
        queued = await agent.wait_for(
            lambda: [c for c in agent.get("queue", "chats", []) if c["id"] == chat_id]
        )
        assert queued[0]["client_name"] == pair.client_name

        await agent.emit("agent", "accept", chat_id=chat_id)
        await client.wait_for(lambda: client.get("room", "status") == "active")
        assert client.get("room", "agent_name").startswith("Agent scale")
        # Taken: gone from the queue on the agent's side too.
        await agent.wait_for(
            lambda: all(c["id"] != chat_id for c in agent.get("queue", "chats", []))
        )

        question = "The booking widget shows no free slots on Mondays"
        await client.emit("client", "send", form_data={"message": question})
        await agent.wait_for(
            lambda: any(m["body"] == question for m in agent.get("room", "messages", []))
        )
        answer = "Monday is marked closed in your calendar settings; open it there"
        await agent.emit("agent", "send", form_data={"message": answer})
        await client.wait_for(
            lambda: any(m["body"] == answer for m in client.get("room", "messages", []))
        )
        await client.close()
        await agent.close()

    asyncio.run(scenario())


def _seed_board(db_url: str, prefix: str) -> tuple[list[str], int]:
    """Two signed-in managers and one new ticket; returns their session tokens and its id."""
    from sqlmodel import Session

    from support_portal.db import get_engine
    from support_portal.services import auth
    from support_portal.testkit.factories import PASSWORD, make_ticket, make_user

    with Session(get_engine(db_url), expire_on_commit=False) as s:
        emails = [f"{prefix}-manager{i}@agency.example" for i in range(2)]
        for email in emails:
            make_user(s, "manager", email=email)
        ticket = make_ticket(s, title=f"{prefix}: calendar sync stops after an hour")
        s.commit()
        tokens = [
            auth.sign_in(session=s, email=e, password=PASSWORD, now=utcnow())[0] for e in emails
        ]
        s.commit()
        return tokens, ticket.id


def test_a_board_change_on_one_backend_shows_on_a_board_served_by_the_other(two_backends):
    one, two, db_url = two_backends
    tokens, ticket_id = _seed_board(db_url, f"board{uuid.uuid4().hex[:6]}")

    def column(tab: live_app.ReflexClient, status: str) -> list[dict]:
        return [c for c in tab.get("board", status, []) if c["id"] == ticket_id]

    async def scenario() -> None:
        tabs = [
            live_app.ReflexClient(url, token, "/manager")
            for url, token in zip((one, two), tokens, strict=True)
        ]
        for tab in tabs:
            await tab.connect()
            await tab.emit("board", "on_load")
        first, second = tabs
        [card] = await first.wait_for(lambda: column(first, "new"))
        await second.wait_for(lambda: column(second, "new"))

        await first.emit(
            "board", "move_to", ticket_id=ticket_id, version=card["version"], target="in_progress"
        )
        # Changed through backend one; the board on backend two follows without a reload.
        [moved] = await second.wait_for(lambda: column(second, "in_progress"))
        assert moved["version"] > card["version"]
        assert not column(second, "new")
        for tab in tabs:
            await tab.close()

    asyncio.run(scenario())


def test_chats_spread_over_both_backends_lose_no_message(two_backends):
    one, two, db_url = two_backends
    pairs = live_app.seed_pairs(db_url, 10, prefix=f"spread{uuid.uuid4().hex[:6]}")
    # Clients and agents alternate between the backends, so every chat crosses them.
    result = asyncio.run(live_app.run_chats(pairs, [one, two], [one, two], 8, think=(0.1, 0.3)))
    assert result.sent
    assert not result.undelivered
