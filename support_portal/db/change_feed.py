"""Every flush that touches a ticket appends a `live_change` row in the same transaction.

Open pages learn about changes from this feed (`realtime.feed` polls it), so a change made
anywhere reaches them: an inbound SMS in a webhook, the SLA job in `support-portal worker`,
a ticket posted through the REST API. Recording it at the flush, rather than in each
service, means no use case can forget it, and a rolled-back change is never announced.

Generic on purpose (db/ knows no models): a row counts as a change to ticket N when it is
the `ticket` row N itself or carries `ticket_id = N` (events, notifications, attachments,
problem links, Zoom calls).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, column, event, table
from sqlalchemy.orm import Session

from support_portal.clock import utcnow
from support_portal.db.types import UtcDateTime

FEED = "live_change"
# session.info key: tickets already in the feed for the open transaction.
_ANNOUNCED = "live_change_announced"
_feed = table(
    FEED,
    column("ticket_id", Integer),
    column("kind", String),
    column("created_at", UtcDateTime),
)


def _ticket_of(obj: Any) -> int | None:
    name = getattr(obj, "__tablename__", None)
    if name == FEED:
        return None
    if name == "ticket":
        return getattr(obj, "id", None)
    value = getattr(obj, "ticket_id", None)
    return value if isinstance(value, int) else None


def _record(session: Session, _flush_context: Any) -> None:
    touched = {
        tid
        for objs in (session.new, session.deleted)
        for obj in objs
        if (tid := _ticket_of(obj)) is not None
    }
    touched |= {
        tid
        for obj in session.dirty
        if (tid := _ticket_of(obj)) is not None and session.is_modified(obj)
    }
    # One row per ticket per transaction: a use case that flushes twice (a new ticket
    # takes its number first) is still one change to the pages that show it.
    announced: set[int] = session.info.setdefault(_ANNOUNCED, set())
    touched -= announced
    if touched:
        announced |= touched
        at = utcnow()
        session.connection().execute(
            _feed.insert(),
            [{"ticket_id": tid, "kind": "ticket", "created_at": at} for tid in sorted(touched)],
        )


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_ANNOUNCED, None)


def install() -> None:
    """Listen on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _record):
        event.listen(Session, "after_flush", _record)
        event.listen(Session, "after_commit", _forget)
        event.listen(Session, "after_rollback", _forget)
