"""Chats past the escalation rule twice over: the managers are notified, once per chat.

Run by a job (`jobs.runner`) in whichever process runs the jobs; the outbox sends it. A chat
counts from the client's first request, as its clock does (`domain.chat_rules`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from support_portal.db import is_postgres
from support_portal.domain import chat_rules
from support_portal.models import ChatSession, Notification, Organization, User
from support_portal.services import notifications
from support_portal.settings import get_settings

KIND = "chat_overdue"


def _key(chat_id: int) -> str:
    return f"{KIND}:{chat_id}"


def notify_managers_of_overdue_chats(*, session: Session, now: datetime) -> int:
    """Queue one notice to every manager per chat overdue twice over; returns how many chats.

    Once: the notice's dedupe key names the chat, and a chat with one is skipped; on
    PostgreSQL the chats are locked while they are looked at, so two job processes never
    both write it.
    """
    minutes = get_settings().chat_escalation_minutes
    cutoff = now - timedelta(minutes=2 * minutes)
    query = (
        select(ChatSession)
        .where(
            col(ChatSession.status).in_(sorted(chat_rules.OPEN_CHAT_STATUSES)),
            col(ChatSession.created_at) <= cutoff,
        )
        .order_by(col(ChatSession.id))
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    done = 0
    for chat in session.exec(query).all():
        if not chat_rules.managers_due(
            created_at=chat.created_at, status=chat.status, now=now, threshold_minutes=minutes
        ):
            continue
        told = session.exec(
            select(Notification.id).where(
                col(Notification.dedupe_key).startswith(_key(chat.id) + ":")  # type: ignore[arg-type]
            )
        ).first()
        if told is not None:
            continue
        started = chat_rules.chat_started_at(chat.created_at, chat.accepted_at)
        client = session.get(User, chat.client_id)
        agent = session.get(User, chat.agent_id) if chat.agent_id else None
        org = session.get(Organization, chat.organization_id)
        base = get_settings().public_base_url.rstrip("/")
        notifications.queue_for_managers(
            session,
            kind="chat_overdue",
            ticket=None,
            now=now,
            extra={
                "client_name": client.name if client else "a client",
                "organization": org.name if org else "",
                "agent_name": agent.name if agent else "nobody yet (still waiting)",
                "minutes": str(int((now - started).total_seconds() // 60)),
                "topic": chat.topic or "(no topic given)",
                "link": f"{base}/agent",
            },
            dedupe_key=_key(chat.id),  # type: ignore[arg-type]
        )
        done += 1
    session.commit()
    return done
