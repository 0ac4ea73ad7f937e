"""Fifty concurrent chats over real websockets for a while: no message lost or doubled.

Runs LOAD_SECONDS of conversation (default 60) after opening the chats; every tenth send is
repeated with the same client_msg_id, as a browser retrying after a dropped connection would.
On PostgreSQL when TEST_DATABASE_URL is set (else SQLite), once with the single worker's
in-memory state and, when TEST_REDIS_URL is set, once more with state in Redis. A message
counts as lost only if it has not arrived 60 s after the conversations end.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter

import pytest
from sqlmodel import Session, col, select

from support_portal.testkit import live_app
from tests.integration.test_scale_out import fresh_database

CHATS = int(os.environ.get("LOAD_CHATS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")

pytestmark = pytest.mark.load


@pytest.fixture
def db_url(tmp_path):
    if DATABASE_URL.startswith("postgres"):
        with fresh_database(DATABASE_URL) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'load.db'}"


@pytest.mark.parametrize("state", ["memory", "redis"])
def test_fifty_chats_for_a_minute_store_every_message_once_and_deliver_it(state, db_url, tmp_path):
    extra = {"DATA_DIR": str(tmp_path / "data")}
    if state == "redis":
        if not REDIS_URL:
            pytest.skip("TEST_REDIS_URL not set")
        extra["REDIS_URL"] = REDIS_URL
    env = live_app.app_env(db_url, **extra)
    live_app.migrate(env)
    pairs = live_app.seed_pairs(db_url, CHATS, prefix=f"load{uuid.uuid4().hex[:6]}")
    with live_app.backend(env, tmp_path / "backend.log") as url:
        result = asyncio.run(
            live_app.run_chats(pairs, [url], [url], SECONDS, drain=60, probe_floor=False)
        )

    assert len(result.chats) == CHATS
    assert len(result.sent) >= CHATS * 2
    assert [m.body for m in result.undelivered] == []

    from support_portal.db import get_engine
    from support_portal.models import ChatMessage

    with Session(get_engine(db_url)) as s:
        rows = s.exec(
            select(ChatMessage.client_msg_id, ChatMessage.body).where(
                col(ChatMessage.chat_id).in_(result.chats)
            )
        ).all()
    stored = Counter(msg_id for msg_id, _ in rows)
    sent_ids = {m.client_msg_id for m in result.sent}
    assert {i for i in sent_ids if stored[i] != 1} == set()
    assert {b for _, b in rows} == {m.body for m in result.sent}
