"""Reading the feed of committed ticket changes (`live_change`, written by `db.change_feed`).

The web workers read it in id order from a cursor they share; the query is one index range
scan on the primary key. On PostgreSQL ids are handed out when a row is inserted, not when
its transaction commits, so a later id can be visible before an earlier one: the cursor
waits at a gap for `patience` before it gives the missing id up (a rolled-back transaction
never fills its gap).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from support_portal.models import LiveChange

KEEP = timedelta(minutes=10)  # long past any cursor; the table stays a few minutes of changes


@dataclass(frozen=True)
class Change:
    id: int
    ticket_id: int
    kind: str
    created_at: datetime


def latest_id(*, session: Session) -> int:
    return session.exec(select(func.max(LiveChange.id))).one() or 0


def changes_after(*, session: Session, after_id: int, limit: int = 500) -> list[Change]:
    rows = session.exec(
        select(LiveChange).where(col(LiveChange.id) > after_id).order_by(col(LiveChange.id))
        .limit(limit)
    ).all()  # fmt: skip
    return [Change(r.id, r.ticket_id, r.kind, r.created_at) for r in rows if r.id is not None]


def next_cursor(
    cursor: int, changes: Sequence[Change], *, now: datetime, patience: timedelta
) -> int:
    """How far the feed has surely been read: up to the first gap younger than `patience`."""
    expected = cursor + 1
    for change in changes:
        if change.id != expected and now - change.created_at < patience:
            return expected - 1
        expected = change.id + 1
    return expected - 1


def prune(*, session: Session, now: datetime) -> int:
    """Forget changes every open page has long had."""
    result = session.execute(delete(LiveChange).where(col(LiveChange.created_at) < now - KEEP))
    session.commit()
    return result.rowcount or 0
