"""Look for systemic issues among the week's tickets; managers hear once about each new one.

Detection reads the whole week, so a process runs it only when a ticket arrived since its
last run, or when the window has moved on by `RECHECK` (old tickets leave the week).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from support_portal.models import Ticket
from support_portal.services.systemic import detect_systemic_issues

RECHECK = timedelta(minutes=10)
_last: dict[str, object] = {}


def detect_systemic(session: Session, now: datetime) -> int:
    newest = session.exec(select(func.max(Ticket.id))).one()
    last_at = _last.get("at")
    if (
        _last.get("newest") == newest
        and isinstance(last_at, datetime)
        and timedelta(0) <= now - last_at < RECHECK
    ):
        return 0
    found = detect_systemic_issues(session=session, now=now)
    session.commit()
    _last.update(newest=newest, at=now)
    return found
