"""After a committed ticket change: refresh every open view of it, wherever it is shown.

One call for handlers (`ticket_changed_later`), so no screen forgets the board or the
client's timeline; with Redis the pushes reach every worker's tabs. The board clock rebuilds
open boards once a minute so their SLA badges stay true.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import reflex as rx

from support_portal.clock import utcnow
from support_portal.realtime import topics
from support_portal.realtime.ticket_live import schedule_ticket_update
from support_portal.settings import get_settings
from support_portal.state.board import BOARD_TOPIC, broadcast_board_changed, refresh_board_later

log = logging.getLogger(__name__)


def ticket_changed_later(ticket_id: int | None, *, skip_user_id: int | None = None) -> None:
    """Schedule the refresh to run after the current event has released its state locks."""
    if ticket_id is not None:
        schedule_ticket_update(ticket_id, skip_user_id=skip_user_id)
    refresh_board_later()


# Jobs whose work changes tickets (SLA badges, auto-close, problem resolutions).
_TICKET_JOBS = ("sla", "detect_systemic")


async def after_job_tick(done: dict[str, int]) -> None:
    """Called by the in-process job loop: boards reload when a job changed something."""
    if any(done.get(name, 0) > 0 for name in _TICKET_JOBS):
        await broadcast_board_changed()


async def tick_board_clock(*, now: datetime) -> bool:
    """Rebuild the open boards once, by one worker among all, as they stand at `now`; True
    if this one did.

    SLA badges say how much time is left, so an open board is rebuilt every
    `board_refresh_seconds` even when no ticket changed ("3h left" must not stay an hour).
    """
    if not await topics.has_members(BOARD_TOPIC):
        return False
    period = get_settings().board_refresh_seconds
    if not await topics.registry().claim("board-clock", period * 0.9):
        return False
    await broadcast_board_changed(now=now)
    return True


async def run_board_clock(app: rx.App) -> None:
    """Lifespan task of the web app. Runs whether or not the jobs run in this process: a
    separate worker changes badges too, and only the web process can reach the tabs."""
    while True:
        await asyncio.sleep(get_settings().board_refresh_seconds)
        try:
            with app.set_contexts():  # pushes reach tabs through the registered app
                await tick_board_clock(now=utcnow())
        except Exception:
            log.exception("the board clock failed")
