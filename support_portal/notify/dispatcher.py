"""The outbox dispatcher: claims due rows, sends them outside any transaction, records results.

A row moves pending -> sending (claimed) -> sent | pending again (retry later) | failed.
Claiming commits before the provider is called, so a slow provider holds no lock and two
dispatchers never take the same row: on PostgreSQL the claim query skips rows another
dispatcher has locked (`FOR UPDATE SKIP LOCKED`), and everywhere the claiming UPDATE
re-checks that a row is still due, so a lost race claims nothing. A claimed batch is sent by
a few threads side by side, each row by exactly one of them. A row left in `sending` by a
worker that died is taken up again once its lease has run out.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
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
from support_portal.notify.delivery_failures import record_delivery_failure
from support_portal.settings import get_settings

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
BATCH = 50
# Threads sending one batch side by side; providers answer in tens of milliseconds each.
SEND_CONCURRENCY = 8


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
    """Mark up to `limit` due rows as ours and commit; returns their ids.

    One UPDATE claims the whole batch: it re-checks that each row is still due, so a row
    another dispatcher claimed meanwhile (its lease is fresh, or it is no longer pending) is
    left alone, and `claimed_by` (unique per pass) then says which rows are ours.
    """
    stmt = select(Notification.id).where(_due(now)).order_by(Notification.next_attempt_at)
    stmt = stmt.limit(limit)
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    candidates = list(session.exec(stmt).all())
    if not candidates:
        session.commit()
        return []
    session.execute(
        update(Notification)
        .where(Notification.id.in_(candidates), _due(now))  # type: ignore[union-attr]
        .values(
            status="sending",
            claimed_at=now,
            claimed_by=worker,
            attempts=Notification.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = session.exec(
        select(Notification.id)
        .where(Notification.id.in_(candidates), Notification.claimed_by == worker)  # type: ignore[union-attr]
        .order_by(Notification.next_attempt_at)
    ).all()
    session.commit()
    session.expire_all()
    return [row_id for row_id in claimed if row_id is not None]


def _load(session: Session, row_id: int) -> tuple[Notification | None, User | None, Ticket | None]:
    """The row, fresh, with its recipient and its ticket, in one query."""
    found = session.exec(
        select(Notification, User, Ticket)
        .outerjoin(User, User.id == Notification.recipient_user_id)  # type: ignore[arg-type]
        .outerjoin(Ticket, Ticket.id == Notification.ticket_id)  # type: ignore[arg-type]
        .where(Notification.id == row_id)
        .execution_options(populate_existing=True)
    ).first()
    return (found[0], found[1], found[2]) if found is not None else (None, None, None)


def _recipient_blocked(row: Notification, user: User | None) -> str | None:
    """Why this row must not go out any more (the person opted out since it was queued)."""
    if row.recipient_user_id is None:
        return None
    if user is None:
        return "recipient no longer exists"
    if row.channel == "sms" and (user.sms_opted_out or not user.notify_sms):
        return "recipient opted out of SMS"
    if row.channel == "email" and (user.email_undeliverable or not user.notify_email):
        return "recipient's email is off or undeliverable"
    return None


def _message(row: Notification, ticket: Ticket | None) -> OutgoingMessage:
    return OutgoingMessage(
        notification_id=row.id,  # type: ignore[arg-type]
        channel=row.channel,
        to=row.to_address,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        reply_to=reply_address(ticket) if ticket and row.channel == "email" else None,
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
    row, user, ticket = _load(session, row_id)
    if not _owns(row, worker):
        return "lost"  # another worker re-claimed it after our lease ran out
    assert row is not None
    blocked = _recipient_blocked(row, user)
    if blocked:
        row.status = "skipped"
        row.last_error = blocked
        row.claimed_by = None
        session.commit()
        return row.status
    message = _message(row, ticket)
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
        record_delivery_failure(session, notification=row, reason=exc.reason, now=now)
    except Exception as exc:  # TemporaryFailure, or a bug in an adapter: retry either way
        if not isinstance(exc, TemporaryFailure):
            log.exception("notification %s: unexpected error", row_id)
        row = session.get(Notification, row_id, populate_existing=True)
        assert row is not None
        row.last_error = str(exc)[:1000]
        row.claimed_by = None
        if row.attempts >= max_attempts:
            row.status = "failed"
            record_delivery_failure(
                session,
                notification=row,
                reason=f"gave up after {row.attempts} attempts ({exc})",
                now=now,
            )
        else:
            row.status = "pending"
            row.next_attempt_at = now + backoff(row.attempts)
    else:
        # The common outcome in one statement, without reading the row back first.
        session.execute(
            update(Notification)
            .where(Notification.id == row_id)
            .values(
                status="sent",
                sent_at=now,
                provider_message_id=result.provider_message_id,
                last_error="",
                claimed_by=None,
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if row is not None:
            session.expire(row)
        return "sent"
    session.commit()
    return row.status


def _send_claimed(
    engine: Engine,
    row_ids: list[int],
    *,
    channels: Mapping[str, Channel],
    now: datetime,
    worker: str,
) -> None:
    """One lane of a concurrent pass: its own session, as sessions are not shared by threads."""
    with Session(engine, expire_on_commit=False) as session:
        _send_claimed_in(session, row_ids, channels=channels, now=now, worker=worker)


def _shareable(bind: object) -> Engine | None:
    """The engine other threads can open sessions on; None for an in-memory SQLite database
    (each connection would see its own) or a session bound to one connection."""
    if not isinstance(bind, Engine):
        return None
    if bind.dialect.name == "sqlite" and bind.url.database in (None, "", ":memory:"):
        return None
    return bind


def dispatch_due(
    session: Session,
    *,
    now: datetime,
    channels: Mapping[str, Channel],
    worker: str | None = None,
    limit: int = BATCH,
    concurrency: int = SEND_CONCURRENCY,
) -> int:
    """One pass: claim what is due and send it. Returns how many rows were handled.

    A provider call is mostly waiting on the network, so up to `concurrency` threads send a
    batch's rows side by side. Each row was claimed once, above, and is sent by one thread.
    """
    worker = worker or worker_name()
    ids = claim_due(session, now=now, worker=worker, limit=limit)
    lanes = max(1, min(concurrency, len(ids)))
    engine = _shareable(session.get_bind())
    if lanes == 1 or engine is None:
        _send_claimed_in(session, ids, channels=channels, now=now, worker=worker)
        return len(ids)
    # Round-robin keeps each lane's rows in claim order (oldest first).
    with ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="outbox") as pool:
        futures = [
            pool.submit(
                _send_claimed, engine, ids[i::lanes], channels=channels, now=now, worker=worker
            )
            for i in range(lanes)
        ]
        for future in futures:
            future.result()
    return len(ids)


def _send_claimed_in(
    session: Session,
    row_ids: list[int],
    *,
    channels: Mapping[str, Channel],
    now: datetime,
    worker: str,
) -> None:
    for row_id in row_ids:
        try:
            send_one(session, row_id=row_id, channels=channels, now=now, worker=worker)
        except Exception:
            # The row stays claimed; its lease runs out and another pass takes it up.
            session.rollback()
            log.exception("notification %s could not be recorded", row_id)
