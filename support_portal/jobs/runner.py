"""Runs the periodic jobs: in the web process by default, or alone (`support-portal worker`).

Each job claims its rows itself (row locks on PostgreSQL, unique event keys everywhere),
so running the loop in several processes at once is safe.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlmodel import Session

from support_portal.clock import utcnow
from support_portal.db import session_scope
from support_portal.settings import get_settings

log = logging.getLogger(__name__)

Job = Callable[[Session, datetime], int]


def registered_jobs() -> list[tuple[str, Job]]:
    """The jobs, in the order they run each tick. Imported here to keep start-up light."""
    from support_portal.jobs.outbox import send_due_notifications
    from support_portal.jobs.sla_jobs import run_sla_sweep
    from support_portal.jobs.systemic_job import detect_systemic
    from support_portal.services.chat_overdue import notify_managers_of_overdue_chats

    def overdue_chats(session: Session, now: datetime) -> int:
        return notify_managers_of_overdue_chats(session=session, now=now)

    # The outbox runs last, so what the other jobs queue goes out in the same tick.
    jobs: list[tuple[str, Job]] = [
        ("sla", run_sla_sweep),
        ("detect_systemic", detect_systemic),
        ("overdue_chats", overdue_chats),
        ("outbox", send_due_notifications),
    ]
    return jobs


def run_all_once(*, now: datetime) -> dict[str, int]:
    """Run every job once, as of `now`; a failing job is logged and does not stop the others."""
    done: dict[str, int] = {}
    for name, job in registered_jobs():
        try:
            with session_scope() as session:
                done[name] = job(session, now)
        except Exception:
            log.exception("job %s failed", name)
            done[name] = -1
    return done


def run_forever(*, once: bool = False) -> None:
    interval = get_settings().jobs_interval_seconds
    while True:
        run_all_once(now=utcnow())
        if once:
            return
        time.sleep(interval)


async def run_in_background(
    after_tick: Callable[[dict[str, int]], Awaitable[None]] | None = None,
) -> None:
    """The lifespan task of the web app; `after_tick` lets open screens catch up."""
    if not get_settings().jobs_in_process:
        return
    interval = get_settings().jobs_interval_seconds
    while True:
        done = await asyncio.to_thread(lambda: run_all_once(now=utcnow()))
        if after_tick is not None:
            try:
                await after_tick(done)
            except Exception:
                log.exception("refreshing screens after the jobs failed")
        await asyncio.sleep(interval)
