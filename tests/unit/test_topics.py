"""Live topics: a push reaches exactly the tabs that joined, on one process or through Redis."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import pytest

from support_portal.realtime import topics
from support_portal.state.chat import (
    AgentsQueueState,
    ChatRoomState,
    append_message_later,
    chat_topic,
)
from tests.fake_tabs import fake_tabs

REDIS_URL = os.environ.get("TEST_REDIS_URL")
LATER = time.time() + 3600


@pytest.fixture(params=["memory", "redis"])
async def registry(request, monkeypatch):
    if request.param == "memory":
        yield topics.MemoryRegistry()
        return
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL not set")
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    # Keys of this run only, so parallel runs and old keys cannot interfere.
    monkeypatch.setattr(topics, "_PREFIX", f"test-{uuid.uuid4().hex}:topic:")
    monkeypatch.setattr(topics, "_TAB_PREFIX", f"test-{uuid.uuid4().hex}:tab:")
    monkeypatch.setattr(topics, "_OWNER_PREFIX", f"test-{uuid.uuid4().hex}:owner:")
    yield topics.RedisRegistry(redis)
    await redis.aclose()


async def test_members_are_the_tabs_that_joined_and_did_not_leave(registry):
    await registry.join("chat:1", "tab-a", until=LATER, owner="session-1")
    await registry.join("chat:1", "tab-b", until=LATER, owner="session-1")
    await registry.join("chat:2", "tab-a", until=LATER, owner="session-1")
    await registry.leave("chat:1", "tab-b")
    assert sorted(await registry.members("chat:1")) == ["tab-a"]
    assert await registry.members("chat:3") == []


async def test_signing_out_leaves_every_topic_of_the_tab(registry):
    for topic in ("chat:1", "agents-queue", "board"):
        await registry.join(topic, "tab-a", until=LATER, owner="session-1")
    await registry.join("board", "tab-b", until=LATER, owner="session-1")
    await registry.leave_all("tab-a")
    assert await registry.members("chat:1") == []
    assert await registry.members("agents-queue") == []
    assert await registry.members("board") == ["tab-b"]


async def test_a_member_whose_sign_in_expired_gets_no_more_pushes(registry):
    await registry.join("board", "tab-expired", until=time.time() - 1, owner="session-1")
    await registry.join("board", "tab-live", until=LATER, owner="session-2")
    assert await registry.members("board") == ["tab-live"]


async def test_signing_out_removes_every_tab_of_that_sign_in_from_every_topic(registry):
    await registry.join("board", "tab-1", until=LATER, owner="session-1")
    await registry.join("chat:4", "tab-2", until=LATER, owner="session-1")
    await registry.join("board", "tab-3", until=LATER, owner="session-2")
    await registry.leave_owner("session-1")
    assert await registry.members("board") == ["tab-3"]
    assert await registry.members("chat:4") == []


async def test_a_push_reaches_connected_members_only_and_drops_closed_tabs(monkeypatch):
    with fake_tabs(monkeypatch) as tabs:
        for tab in ("console-1", "console-2", "closed-console"):
            await topics.registry().join("agents-queue", tab, until=LATER, owner="session-1")
        tabs.open("console-1")
        tabs.open("console-2")
        tabs.open("not-a-member")
        waiting = [{"id": 7, "client": "Dana"}]

        def show(queue: AgentsQueueState) -> None:
            queue.chats = waiting

        assert await topics.publish("agents-queue", AgentsQueueState, show) == 2
        assert tabs.state("console-1", AgentsQueueState).chats == waiting
        assert tabs.state("console-2", AgentsQueueState).chats == waiting
        assert ("not-a-member", AgentsQueueState) not in tabs.states
        assert ("closed-console", AgentsQueueState) not in tabs.states
        assert sorted(await topics.registry().members("agents-queue")) == [
            "console-1",
            "console-2",
        ]


async def test_a_message_reaches_the_other_tab_of_its_chat_in_order(monkeypatch):
    with fake_tabs(monkeypatch) as tabs:
        for tab, chat_id in (("client-tab", 5), ("agent-tab", 5), ("agent-elsewhere", 6)):
            tabs.open(tab)
            tabs.state(tab, ChatRoomState).chat_id = chat_id
            await topics.registry().join(chat_topic(5), tab, until=LATER, owner="session-1")
        second = {"id": "12", "body": "second"}
        first = {"id": "11", "body": "first"}
        # Pushes may land out of order; the sender already shows its own message.
        append_message_later(5, second)
        await _drain()
        append_message_later(5, first, skip="client-tab")
        await _drain()

        assert [m["body"] for m in tabs.state("agent-tab", ChatRoomState).messages] == [
            "first",
            "second",
        ]
        assert [m["body"] for m in tabs.state("client-tab", ChatRoomState).messages] == ["second"]
        # A tab that has since opened another chat keeps showing that one.
        assert tabs.state("agent-elsewhere", ChatRoomState).messages == []


async def _drain() -> None:
    while topics._TASKS:
        await asyncio.gather(*list(topics._TASKS))
