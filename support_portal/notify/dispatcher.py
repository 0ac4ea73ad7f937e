"""The outbox dispatcher: claims due rows, sends them outside any transaction, records results.

A row moves pending -> sending (claimed) -> sent | pending again (retry later) | failed.
Claiming commits before the provider is called, so a slow provider holds no lock and two
dispatchers never take the same row: on PostgreSQL the claim query skips rows another
dispatcher has locked (`FOR UPDATE SKIP LOCKED`), and everywhere the claim is a
compare-and-set on `attempts`, so a lost race claims nothing. A row left in `sending` by a
worker that died is taken up again once its lease has run out.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, select

from support_portal.db import is_postgres
from support_portal.models import Notification, Ticket, User
from support_portal.notify.channels import (
    TWILIO_UNSUBSCRIBED,
    Channel,
    OutgoingMessage,
    PermanentFailure,
    TemporaryFailure,
)
from support_portal.services.timeline import append_event
from support_portal.settings import get_settings

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
BATCH = 50
CHANNEL_LABEL = {"email": "Email", "sms": "SMS"}


def worker_name() -> str:
    """Unique per pass, so two dispatchers in one process never mistake each other's rows."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential with jitter: half the delay fixed, half random, so retries spread out."""
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    r = (rng or random).random()
    return timedelta(seconds=delay / 2 + r * delay / 2)


def reply_address(ticket: Ticket) -> str | None:
    domain = get_settings().inbound_email_domain
    if not domain or not ticket.reply_token:
        return None
    return f"reply+{ticket.reply_token}@{domain}"


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        and_(Notification.status == "pending", Notification.next_attempt_at <= now),
        and_(Notification.status == "sending", Notification.claimed_at < now - LEASE),
    )


def claim_due(session: Session, *, now: datetime, worker: str, limit: int = BATCH) -> list[int]:
    """Mark up to `limit` due rows as ours and commit; returns their ids."""
    stmt = select(Notification).where(_due(now)).order_by(Notification.next_attempt_at)
    stmt = stmt.limit(limit)
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    candidates = [(row.id, row.attempts) for row in session.exec(stmt).all()]
    claimed: list[int] = []
    for row_id, attempts in candidates:
        result = session.execute(
            update(Notification)
            .where(
                Notification.id == row_id,
                Notification.attempts == attempts,
                _due(now),
            )
            .values(status="sending", claimed_at=now, claimed_by=worker, attempts=attempts + 1)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(row_id)  # type: ignore[arg-type]
    session.commit()
    session.expire_all()
    return claimed


def _recipient_blocked(session: Session, row: Notification) -> str | None:
    """Why this row must not go out any more (the person opted out since it was queued)."""
    if row.recipient_user_id is None:
        return None
    user = session.get(User, row.recipient_user_id)
    if user is None:
        return "recipient no longer exists"
    if row.channel == "sms" and (user.sms_opted_out or not user.notify_sms):
        return "recipient opted out of SMS"
    if row.channel == "email" and (user.email_undeliverable or not user.notify_email):
        return "recipient's email is off or undeliverable"
    return None


def _message(session: Session, row: Notification) -> OutgoingMessage:
    ticket = session.get(Ticket, row.ticket_id) if row.ticket_id else None
    return OutgoingMessage(
        notification_id=row.id,  # type: ignore[arg-type]
        channel=row.channel,
        to=row.to_address,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        reply_to=reply_address(ticket) if ticket and row.channel == "email" else None,
    )


def _show_failure(session: Session, row: Notification, reason: str, now: datetime) -> None:
    if row.ticket_id is None:
        return
    ticket = session.get(Ticket, row.ticket_id)
    if ticket is None:
        return
    label = CHANNEL_LABEL.get(row.channel, row.channel)
    append_event(
        session,
        ticket=ticket,
        kind="notification_failed",
        actor=None,
        now=now,
        is_public=True,
        data={
            "message": f"{label} to {row.to_address} failed: {reason}",
            "channel": row.channel,
            "to": row.to_address,
            "reason": reason,
            "notification_id": row.id,
        },
        dedupe_key=f"notification_failed:{row.id}",
    )


def _owns(row: Notification | None, worker: str) -> bool:
    return row is not None and row.status == "sending" and row.claimed_by == worker


def send_one(
    session: Session,
    *,
    row_id: int,
    channels: Mapping[str, Channel],
    now: datetime,
    worker: str,
) -> str:
    """Send one claimed row and record the outcome; returns the row's new status."""
    row = session.get(Notification, row_id, populate_existing=True)
    if not _owns(row, worker):
        return "lost"  # another worker re-claimed it after our lease ran out
    assert row is not None
    blocked = _recipient_blocked(session, row)
    if blocked:
        row.status = "skipped"
        row.last_error = blocked
        row.claimed_by = None
        session.commit()
        return row.status
    message = _message(session, row)
    channel = channels.get(row.channel)
    session.commit()  # end the read transaction: nothing is held while the provider works
    max_attempts = get_settings().outbox_max_attempts
    try:
        if channel is None:
            raise PermanentFailure(None, f"no channel {row.channel!r}")
        result = channel.send(message)
    except PermanentFailure as exc:
        row = session.get(Notification, row_id, populate_existing=True)
        assert row is not None
        row.status = "failed"
        row.last_error = str(exc)
        row.claimed_by = None
        if exc.code == TWILIO_UNSUBSCRIBED and row.recipient_user_id:
            user = session.get(User, row.recipient_user_id)
            if user is not None:
                user.sms_opted_out = True
        _show_failure(session, row, exc.reason, now)
    except Exception as exc:  # TemporaryFailure, or a bug in an adapter: retry either way
        if not isinstance(exc, TemporaryFailure):
            log.exception("notification %s: unexpected error", row_id)
        row = session.get(Notification, row_id, populate_existing=True)
        assert row is not None
        row.last_error = str(exc)[:1000]
        row.claimed_by = None
        if row.attempts >= max_attempts:
            row.status = "failed"
            _show_failure(session, row, f"gave up after {row.attempts} attempts ({exc})", now)
        else:
            row.status = "pending"
            row.next_attempt_at = now + backoff(row.attempts)
    else:
        row = session.get(Notification, row_id, populate_existing=True)
        assert row is not None
        row.status = "sent"
        row.sent_at = now
        row.provider_message_id = result.provider_message_id
        row.last_error = ""
        row.claimed_by = None
    session.commit()
    return row.status


def dispatch_due(
    session: Session,
    *,
    now: datetime,
    channels: Mapping[str, Channel],
    worker: str | None = None,
    limit: int = BATCH,
) -> int:
    """One pass: claim what is due and send it. Returns how many rows were handled."""
    worker = worker or worker_name()
    ids = claim_due(session, now=now, worker=worker, limit=limit)
    for row_id in ids:
        try:
            send_one(session, row_id=row_id, channels=channels, now=now, worker=worker)
        except Exception:
            # The row stays claimed; its lease runs out and another pass takes it up.
            session.rollback()
            log.exception("notification %s could not be recorded", row_id)
    return len(ids)
