"""The outbox job: sends due notifications through the configured channels."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlmodel import Session

from support_portal.notify.channels import Channel, build_channels
from support_portal.notify.dispatcher import dispatch_due


@cache
def _channels() -> dict[str, Channel]:
    # Built on first use, never at import; settings are read once per process.
    return build_channels()


def send_due_notifications(session: Session, now: datetime) -> int:
    return dispatch_due(session, now=now, channels=_channels())
