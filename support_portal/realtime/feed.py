"""Changes from any process reach the open pages: the web workers follow the change feed.

Every committed ticket change leaves a `live_change` row (`db.change_feed`), whichever
process made it: an inbound SMS or email webhook, a delivery status, the REST API, the SLA
and auto-close jobs in `support-portal worker`. Pushed to the board, the client's ticket
pages and ticket lists, the team's ticket pages and the agent consoles' ticket lists. Each
web worker looks at the feed every `live_poll_seconds`; one worker among all takes each
turn (a short claim) and moves a cursor they share, and the pushes go through the usual
topics, so with Redis they reach the tabs of every worker. A ticket changed several times
in one turn is pushed once.

A change made by a page's own handler is pushed by that handler at once as well; the feed
then refreshes the same pages once more, which costs a rebuild and shows nothing new.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import reflex as rx

from support_portal.clock import utcnow
from support_portal.realtime import topics
from support_portal.realtime.ticket_live import push_ticket_update
from support_portal.services import live_feed
from support_portal.settings import get_settings
from support_portal.state.agent_console import push_console_lists
from support_portal.state.agent_ticket import push_team_ticket
from support_portal.state.board import broadcast_board_changed
from support_portal.state.client import push_ticket_lists
from support_portal.state.session import in_db

log = logging.getLogger(__name__)

MARK = "live-feed"
PRUNE_EVERY = timedelta(minutes=1)
_last_prune: dict[str, datetime] = {}


async def follow_once(*, now: datetime) -> int:
    """Push what changed since the shared cursor; returns how many tickets were pushed."""
    period = get_settings().live_poll_seconds
    registry = topics.registry()
    if not await registry.claim(MARK, period * 0.8):
        return 0  # another worker has this turn
    cursor = await registry.get_mark(MARK)
    if cursor is None:  # the first worker up starts from now: open pages read the rest
        await registry.set_mark(MARK, await in_db(lambda s: live_feed.latest_id(session=s)))
        return 0
    changes = await in_db(lambda s: live_feed.changes_after(session=s, after_id=cursor))
    ticket_ids = sorted({c.ticket_id for c in changes})
    for ticket_id in ticket_ids:
        await push_ticket_update(ticket_id)
        await push_ticket_lists(ticket_id)
        await push_team_ticket(ticket_id)
    if ticket_ids:
        await broadcast_board_changed()
        await push_console_lists()
    patience = timedelta(seconds=max(5.0, period * 5))
    await registry.set_mark(
        MARK, live_feed.next_cursor(cursor, changes, now=now, patience=patience)
    )
    if now - _last_prune.get(MARK, datetime.min.replace(tzinfo=now.tzinfo)) >= PRUNE_EVERY:
        _last_prune[MARK] = now
        await in_db(lambda s: live_feed.prune(session=s, now=now))
    return len(ticket_ids)


async def run_feed(app: rx.App) -> None:
    """Lifespan task of the web app, in every worker (only web workers reach tabs)."""
    while True:
        await asyncio.sleep(get_settings().live_poll_seconds)
        try:
            with app.set_contexts():  # pushes reach tabs through the registered app
                await follow_once(now=utcnow())
        except Exception:
            log.exception("following the change feed failed")
