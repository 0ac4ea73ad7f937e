"""Open boards keep their SLA badges current: once a minute, by one worker among all."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest

from support_portal.clock import utcnow
from support_portal.realtime import topics
from support_portal.realtime import updates as live_updates
from support_portal.state import board as board_module
from support_portal.state.board import BOARD_TOPIC, BoardState
from support_portal.testkit.factories import make_ticket
from tests.fake_tabs import fake_tabs

REDIS_URL = os.environ.get("TEST_REDIS_URL")


async def test_an_open_board_shows_less_time_left_a_minute_later_without_any_change(
    session, clock, monkeypatch
):
    ticket = make_ticket(session, now=clock(), priority="urgent")
    session.commit()
    with fake_tabs(monkeypatch) as tabs:
        tabs.open("manager-tab")
        board = tabs.state("manager-tab", BoardState)
        await board._reload(now=clock() + timedelta(minutes=5))
        await topics.registry().join(BOARD_TOPIC, "manager-tab", until=2e9, owner="s")
        [before] = [c.sla_text for c in board.new if c.id == ticket.id]

        assert await live_updates.tick_board_clock(now=clock() + timedelta(minutes=35))

        [after] = [c.sla_text for c in board.new if c.id == ticket.id]
        assert after != before


async def test_with_no_board_open_the_clock_reads_nothing(session, monkeypatch):
    with fake_tabs(monkeypatch):
        read = []
        monkeypatch.setattr(board_module, "_snapshot", lambda now=None: read.append(1))
        assert not await live_updates.tick_board_clock(now=utcnow())
        assert read == []


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
async def test_among_several_workers_one_rebuilds_the_boards_each_minute():
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    name = f"test-clock-{uuid.uuid4().hex}"
    workers = [topics.RedisRegistry(redis) for _ in range(3)]
    try:
        claims = [await w.claim(name, 5) for w in workers]
        assert claims.count(True) == 1
    finally:
        await redis.aclose()
