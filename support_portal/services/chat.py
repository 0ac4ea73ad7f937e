"""Live chat use cases: start, talk, claim, resolve, and turn a chat into a ticket.

Who may do what is checked here against the database on every call: a client reaches only
their own chats; an agent acts only on a chat they hold (a manager on any). Nothing commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from support_portal import urls
from support_portal.clock import as_utc
from support_portal.domain import chat_rules, text_limits
from support_portal.domain.chat_rules import OPEN_CHAT_STATUSES, ChatStatus
from support_portal.domain.links import link_segments
from support_portal.domain.roles import Role
from support_portal.domain.text_limits import too_long
from support_portal.domain.ticket_quality import TicketDraft
from support_portal.domain.timeline import EventKind
from support_portal.domain.zones import viewer_zone
from support_portal.models import (
    ChatMessage,
    ChatSession,
    Organization,
    Ticket,
    User,
    ZoomEscalation,
)
from support_portal.services import tickets
from support_portal.services.authz import (
    Principal,
    may_see_chat,
    may_take_part_in_chat,
    require_role,
    require_team,
)
from support_portal.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from support_portal.services.timeline import append_event
from support_portal.settings import get_settings

MAX_MESSAGE_CHARS = text_limits.CHAT_MESSAGE
TAKEN_MESSAGE = "Another agent already took this chat."


@dataclass(frozen=True)
class ChatView:
    """What a screen shows about a chat: plain values, safe to hand to the browser."""

    id: int
    status: str
    topic: str
    client_name: str
    organization_name: str
    agent_name: str
    created_at: datetime
    started_at_ms: int
    elapsed_seconds: int
    mm_ss: str
    flagged: bool
    flag_text: str
    ticket_number: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "topic": self.topic,
            "client_name": self.client_name,
            "organization_name": self.organization_name,
            "agent_name": self.agent_name,
            "started_at_ms": self.started_at_ms,
            "elapsed_seconds": self.elapsed_seconds,
            "mm_ss": self.mm_ss,
            "flagged": self.flagged,
            "flag_text": self.flag_text,
            "ticket_number": self.ticket_number,
        }


def _load(session: Session, chat_id: int) -> ChatSession:
    chat = session.get(ChatSession, chat_id)
    if chat is None:
        raise NotFound("Chat not found.")
    return chat


def get_chat(*, session: Session, principal: Principal, chat_id: int) -> ChatSession:
    """A chat the actor may read: the client's own, or any chat for the team."""
    chat = session.get(ChatSession, chat_id)
    if chat is None or (not principal.is_team and chat.client_id != principal.user_id):
        # A chat someone else owns looks exactly like one that does not exist.
        raise NotFound("Chat not found.")
    return chat


def _require_holder(principal: Principal, chat: ChatSession) -> None:
    require_team(principal)
    if principal.role == Role.AGENT and chat.agent_id != principal.user_id:
        if chat.agent_id is None:
            raise Forbidden("Accept the chat before working on it.")
        raise Forbidden("Another agent holds this chat.")


def join_chat(*, session: Session, principal: Principal, chat_id: int) -> ChatSession:
    """The membership check made before a browser is linked to the chat's live room."""
    chat = get_chat(session=session, principal=principal, chat_id=chat_id)
    if not may_take_part_in_chat(principal, chat):
        raise Forbidden("Another agent holds this chat.")
    return chat


def start_chat(
    *, session: Session, principal: Principal, topic: str = "", now: datetime
) -> ChatSession:
    """A client asks for help; one open chat per client, so a second click returns the first."""
    require_role(principal, Role.CLIENT)
    if principal.organization_id is None:
        raise Forbidden("Your account has no organization.")
    existing = current_chat(session=session, principal=principal, open_only=True)
    if existing is not None:
        return existing
    chat = ChatSession(
        organization_id=principal.organization_id,
        client_id=principal.user_id,
        status=ChatStatus.WAITING.value,
        topic=topic.strip()[:300],
        created_at=now,
    )
    session.add(chat)
    session.commit()
    return chat


def current_chat(
    *, session: Session, principal: Principal, open_only: bool = False
) -> ChatSession | None:
    """The client's latest chat (open ones first): what their chat panel shows after a reload."""
    require_role(principal, Role.CLIENT)
    query = select(ChatSession).where(ChatSession.client_id == principal.user_id)
    open_chat = session.exec(
        query.where(col(ChatSession.status).in_([s.value for s in OPEN_CHAT_STATUSES])).order_by(
            col(ChatSession.id).desc()
        )
    ).first()
    if open_chat is not None or open_only:
        return open_chat
    return session.exec(query.order_by(col(ChatSession.id).desc())).first()


def post_message(
    *,
    session: Session,
    principal: Principal,
    chat_id: int,
    body: str,
    client_msg_id: str | None = None,
    now: datetime,
) -> ChatMessage:
    """Store a message from a member of the chat; a retried send (same id) is stored once."""
    chat = get_chat(session=session, principal=principal, chat_id=chat_id)
    if not may_take_part_in_chat(principal, chat):
        raise Forbidden("Another agent holds this chat.")
    if chat.status not in OPEN_CHAT_STATUSES:
        raise Conflict("This chat has ended.")
    body = body.strip()
    if not body:
        raise ValidationFailed({"body": "Write a message before sending it."})
    if len(body) > MAX_MESSAGE_CHARS:
        raise ValidationFailed({"body": too_long("This message is too long", MAX_MESSAGE_CHARS)})
    if client_msg_id:
        client_msg_id = client_msg_id[:64]
        existing = session.exec(
            select(ChatMessage).where(
                ChatMessage.chat_id == chat_id, ChatMessage.client_msg_id == client_msg_id
            )
        ).first()
        if existing is not None:
            return existing
    message = ChatMessage(
        chat_id=chat_id,
        sender_id=principal.user_id,
        sender_role=principal.role.value,
        body=body,
        client_msg_id=client_msg_id or None,
        created_at=now,
    )
    session.add(message)
    chat.last_message_at = now
    if not chat.topic and principal.role == Role.CLIENT:
        chat.topic = body[:300]
    session.commit()
    return message


def accept_chat(
    *, session: Session, principal: Principal, chat_id: int, now: datetime
) -> ChatSession:
    """Claim a waiting chat. One conditional UPDATE, so of two agents clicking at once exactly
    one wins and the other is told plainly; the UPDATE comes first so SQLite takes its write
    lock before reading anything."""
    require_team(principal)
    result = session.exec(  # type: ignore[call-overload]
        update(ChatSession)
        .where(col(ChatSession.id) == chat_id, col(ChatSession.status) == ChatStatus.WAITING.value)
        .values(
            agent_id=principal.user_id,
            status=ChatStatus.ACTIVE.value,
            accepted_at=now,
            version=ChatSession.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    chat = _load(session, chat_id)
    if result.rowcount != 1:
        raise Conflict(
            TAKEN_MESSAGE
            if chat.status != ChatStatus.WAITING.value
            else "The chat could not be taken."
        )
    session.commit()
    session.refresh(chat)
    return chat


def mark_resolved(
    *, session: Session, principal: Principal, chat_id: int, now: datetime
) -> ChatSession:
    """The chat solved the problem live; no ticket needed."""
    chat = _load(session, chat_id)
    _require_holder(principal, chat)
    if chat.status != ChatStatus.ACTIVE.value:
        raise Conflict("Only an active chat can be marked resolved.")
    chat.status = ChatStatus.RESOLVED.value
    chat.ended_at = now
    chat.version += 1
    _system_message(session, chat, "The agent marked this chat as resolved. Thank you!", now)
    session.commit()
    return chat


def _system_message(session: Session, chat: ChatSession, body: str, now: datetime) -> ChatMessage:
    message = ChatMessage(
        chat_id=chat.id,  # type: ignore[arg-type]
        sender_id=None,
        sender_role="system",
        body=body,
        created_at=now,
    )
    session.add(message)
    chat.last_message_at = now
    session.flush()
    return message


def _views(session: Session, chats: list[ChatSession], now: datetime) -> list[ChatView]:
    threshold = get_settings().chat_escalation_minutes
    user_ids = {c.client_id for c in chats} | {c.agent_id for c in chats if c.agent_id}
    org_ids = {c.organization_id for c in chats}
    users = (
        {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()}
        if user_ids
        else {}
    )
    orgs = (
        {
            o.id: o
            for o in session.exec(
                select(Organization).where(col(Organization.id).in_(org_ids))
            ).all()
        }
        if org_ids
        else {}
    )
    ticket_ids = [c.ticket_id for c in chats if c.ticket_id]
    numbers = (
        {
            t.id: t.number
            for t in session.exec(select(Ticket).where(col(Ticket.id).in_(ticket_ids))).all()
        }
        if ticket_ids
        else {}
    )
    views = []
    for chat in chats:
        clock = chat_rules.chat_clock(
            created_at=chat.created_at,
            accepted_at=chat.accepted_at,
            status=chat.status,
            now=now,
            threshold_minutes=threshold,
        )
        started = chat_rules.chat_started_at(chat.created_at, chat.accepted_at)
        client = users.get(chat.client_id)
        agent = users.get(chat.agent_id) if chat.agent_id else None
        org = orgs.get(chat.organization_id)
        views.append(
            ChatView(
                id=chat.id,  # type: ignore[arg-type]
                status=chat.status,
                topic=chat.topic,
                client_name=client.name if client else "",
                organization_name=org.name if org else "",
                agent_name=agent.name if agent else "",
                created_at=as_utc(chat.created_at),
                started_at_ms=int(started.timestamp() * 1000),
                elapsed_seconds=clock.elapsed_seconds,
                mm_ss=clock.mm_ss,
                flagged=clock.flagged,
                flag_text=clock.flag_text,
                ticket_number=numbers.get(chat.ticket_id) if chat.ticket_id else None,
            )
        )
    return chat_rules.sort_flagged_first(views)


def list_waiting(*, session: Session, principal: Principal, now: datetime) -> list[ChatView]:
    require_team(principal)
    chats = list(
        session.exec(
            select(ChatSession).where(ChatSession.status == ChatStatus.WAITING.value)
        ).all()
    )
    return _views(session, chats, now)


def list_my_active(*, session: Session, principal: Principal, now: datetime) -> list[ChatView]:
    require_team(principal)
    chats = list(
        session.exec(
            select(ChatSession).where(
                ChatSession.status == ChatStatus.ACTIVE.value,
                ChatSession.agent_id == principal.user_id,
            )
        ).all()
    )
    return _views(session, chats, now)


def get_transcript(*, session: Session, principal: Principal, chat_id: int) -> list[dict[str, Any]]:
    """The chat's messages, oldest first, as plain dicts (also stored on the ticket)."""
    chat = get_chat(session=session, principal=principal, chat_id=chat_id)
    if not may_see_chat(principal, chat):
        raise Forbidden("Another agent holds this chat.")
    rows = session.exec(
        select(ChatMessage, User)
        .join(User, col(User.id) == col(ChatMessage.sender_id), isouter=True)
        .where(ChatMessage.chat_id == chat.id)
        .order_by(col(ChatMessage.created_at), col(ChatMessage.id))
    ).all()
    return [
        {
            "id": m.id,
            "sender": m.sender_role,
            "sender_role": m.sender_role,
            "sender_name": u.name if u else "Support Portal",
            "body": m.body,
            "at": as_utc(m.created_at).isoformat(),
        }
        for m, u in rows
    ]


def suggested_draft(*, session: Session, principal: Principal, chat_id: int) -> dict[str, str]:
    """What the conversion form starts with: who, where, and a title from the chat's topic."""
    chat = _load(session, chat_id)
    _require_holder(principal, chat)
    client = session.get(User, chat.client_id)
    org = session.get(Organization, chat.organization_id)
    first = session.exec(
        select(ChatMessage)
        .where(ChatMessage.chat_id == chat.id, ChatMessage.sender_role == Role.CLIENT.value)
        .order_by(col(ChatMessage.id))
    ).first()
    source = chat.topic or (first.body if first else "")
    title = " ".join(source.split())[:80]
    return {
        "client_name": client.name if client else "",
        "organization_name": org.name if org else "",
        "title": title,
        "tried_to_do": first.body if first else "",
    }


def _first_response_words(ticket: Ticket, tz_name: str) -> str:
    if ticket.first_response_due_at is None:
        return "The team will reply as soon as possible."
    due = as_utc(ticket.first_response_due_at).astimezone(ZoneInfo(tz_name))
    return f"Expect a first response by {due:%a %d %b, %H:%M} ({tz_name})."


def convert_to_ticket(
    *,
    session: Session,
    principal: Principal,
    chat_id: int,
    draft: TicketDraft,
    now: datetime,
) -> Ticket:
    """Turn the chat into a ticket with its transcript, and tell the client in the chat."""
    chat = _load(session, chat_id)
    _require_holder(principal, chat)
    if chat.status != ChatStatus.ACTIVE.value:
        raise Conflict("Only an active chat can be converted to a ticket.")
    transcript = get_transcript(session=session, principal=principal, chat_id=chat_id)
    if not draft.support_path:
        draft.support_path = [{"channel": "chat", "outcome": "Not solved live; converted"}]
    ticket = tickets.create_ticket(
        session=session,
        principal=principal,
        draft=draft,
        organization_id=chat.organization_id,
        requester_id=chat.client_id,
        source="chat",
        source_chat_id=chat.id,
        transcript=transcript,
        assignee_id=principal.user_id,
        now=now,
    )
    _carry_zoom_calls(session, principal, chat, ticket, now)
    chat.status = ChatStatus.CONVERTED.value
    chat.ticket_id = ticket.id
    chat.ended_at = now
    chat.version += 1
    client = session.get(User, chat.client_id)
    org = session.get(Organization, chat.organization_id)
    tz_name = viewer_zone(client.timezone if client else None, org.timezone if org else None)
    _system_message(
        session,
        chat,
        f"We opened ticket #{ticket.number} for this: {ticket.title}. "
        f"Follow it at {urls.client_ticket(ticket.number)}. "
        + _first_response_words(ticket, tz_name),
        now,
    )
    return ticket


def _carry_zoom_calls(
    session: Session, principal: Principal, chat: ChatSession, ticket: Ticket, now: datetime
) -> None:
    """Zoom calls scheduled from the chat belong to its ticket and show on its timeline."""
    calls = session.exec(
        select(ZoomEscalation).where(
            ZoomEscalation.chat_id == chat.id, col(ZoomEscalation.ticket_id).is_(None)
        )
    ).all()
    for esc in calls:
        esc.ticket_id = ticket.id
        append_event(
            session,
            ticket=ticket,
            kind=EventKind.ZOOM_SCHEDULED,
            actor=principal,
            now=now,
            data={
                "escalation_id": esc.id,
                "meeting_url": esc.meeting_url,
                "scheduled_at": as_utc(esc.scheduled_at).isoformat(),
                "attendees": esc.attendees,
            },
        )


# Snapshots for the live rooms. The server pushes them into rooms whose members were checked
# (join_chat, require_team) before their browsers were linked; no browser calls these.


def room_snapshot(*, session: Session, chat_id: int, now: datetime) -> dict[str, Any]:
    chat = _load(session, chat_id)
    view = _views(session, [chat], now)[0]
    rows = session.exec(
        select(ChatMessage, User)
        .join(User, col(User.id) == col(ChatMessage.sender_id), isouter=True)
        .where(ChatMessage.chat_id == chat.id)
        .order_by(col(ChatMessage.created_at), col(ChatMessage.id))
    ).all()
    return {**view.as_dict(), "messages": [message_view(m, u.name if u else "") for m, u in rows]}


def message_view(message: ChatMessage, sender_name: str) -> dict[str, Any]:
    """One message as a room shows it; also pushed alone when it is new."""
    return {
        "id": str(message.id),
        "sender_role": message.sender_role,
        "sender_name": sender_name or "Support Portal",
        "body": message.body,
        # Links are cut out here so the page renders them without parsing text.
        "segments": link_segments(message.body),
        "at": as_utc(message.created_at).strftime("%H:%M"),
    }


def queue_snapshot(*, session: Session, now: datetime) -> list[dict[str, Any]]:
    chats = list(
        session.exec(
            select(ChatSession).where(ChatSession.status == ChatStatus.WAITING.value)
        ).all()
    )
    return [v.as_dict() for v in _views(session, chats, now)]
