"""The tables. Plain SQLModel; every datetime is timezone-aware UTC (see `db_types`).

Enumerated values (roles, statuses, priorities) are stored as text and checked by the
domain rules, which keeps migrations simple on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from support_portal.clock import utcnow
from support_portal.db.types import UtcDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UtcDateTime, **kw)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class Organization(SQLModel, table=True):
    """A client: one sub-account on the agency's CRM."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    crm_subaccount_id: str | None = Field(default=None, max_length=120)
    created_at: datetime = _created()


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=320)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    password_hash: str = Field(max_length=255)
    phone: str | None = Field(default=None, max_length=20)
    notify_email: bool = True
    notify_sms: bool = False
    sms_opted_out: bool = False
    email_undeliverable: bool = False
    timezone: str | None = Field(default=None, max_length=64)
    is_active: bool = True
    created_at: datetime = _created()


class AuthSession(SQLModel, table=True):
    """A server-side sign-in session; the browser holds only the random token."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = _created()
    expires_at: datetime = _ts()
    ended_at: datetime | None = _ts(default=None)


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_email_time", "email", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    succeeded: bool = False
    created_at: datetime = _created()


class SignInThrottle(SQLModel, table=True):
    """Sign-in tries in the current window, per email or client address (see
    `services/sign_in_throttle.py`); changed only by single UPDATE statements."""

    __tablename__ = "sign_in_throttle"

    key: str = Field(primary_key=True, max_length=400)
    tries: int = 0
    window_started_at: datetime = _ts()
    locked_retry_at: datetime | None = _ts(default=None)


class ChatSession(SQLModel, table=True):
    __tablename__ = "chat_session"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    client_id: int = Field(foreign_key="user.id", index=True)
    agent_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    status: str = Field(default="waiting", max_length=16, index=True)
    topic: str = Field(default="", max_length=300)
    created_at: datetime = _created()
    accepted_at: datetime | None = _ts(default=None)
    ended_at: datetime | None = _ts(default=None)
    last_message_at: datetime | None = _ts(default=None)
    # The ticket made from this chat; `ticket.source_chat_id` is the constrained link back.
    ticket_id: int | None = Field(default=None, index=True)
    version: int = 1


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_message"
    __table_args__ = (UniqueConstraint("chat_id", "client_msg_id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(foreign_key="chat_session.id", index=True)
    sender_id: int | None = Field(default=None, foreign_key="user.id")
    sender_role: str = Field(max_length=16)
    body: str = Field(sa_type=Text)
    # Sent by the browser so a retried send is stored once.
    client_msg_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = _created()


_TICKET_VERSION = Column("version", Integer, nullable=False, default=1)


class Ticket(SQLModel, table=True):
    __table_args__ = (Index("ix_ticket_status_priority", "status", "priority"),)

    id: int | None = Field(default=None, primary_key=True)
    number: int | None = Field(default=None, unique=True, index=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    requester_id: int = Field(foreign_key="user.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default="new", max_length=24, index=True)
    priority: str = Field(default="normal", max_length=16)
    category: str = Field(default="Other", max_length=40)
    affected_area: str = Field(default="Other", max_length=40)
    title: str = Field(max_length=200)
    tried_to_do: str = Field(default="", sa_type=Text)
    happened_instead: str = Field(default="", sa_type=Text)
    started_when: str = Field(default="", max_length=300)
    recent_changes: str = Field(default="", sa_type=Text)
    steps_to_reproduce: str = Field(default="", sa_type=Text)
    error_messages: str = Field(default="", sa_type=Text)
    # Live channels tried before the ticket: [{"channel": "chat", "outcome": "..."}]
    support_path: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    affected_workflow_name: str = Field(default="", max_length=200)
    affected_workflow_url: str = Field(default="", max_length=500)
    source: str = Field(default="chat", max_length=16)
    source_chat_id: int | None = Field(default=None, foreign_key="chat_session.id")
    # Per-ticket secret in the reply-to address of emails, for threading inbound replies.
    reply_token: str = Field(default="", max_length=40, index=True)
    created_at: datetime = _created()
    updated_at: datetime = _created()
    first_response_due_at: datetime | None = _ts(default=None)
    next_update_due_at: datetime | None = _ts(default=None)
    resolution_due_at: datetime | None = _ts(default=None)
    first_response_at: datetime | None = _ts(default=None)
    last_public_update_at: datetime | None = _ts(default=None)
    # The SLA clock stops while waiting on the client: when it stopped, and the total paused.
    sla_paused_at: datetime | None = _ts(default=None)
    sla_paused_seconds: float = 0.0
    resolved_at: datetime | None = _ts(default=None)
    closed_at: datetime | None = _ts(default=None)
    # The next moment the SLA job must look at this ticket (a warning, breach, reminder or
    # auto-close falls due); indexed so the sweep reads only tickets that need it.
    sla_check_at: datetime | None = _ts(default=None, index=True)
    version: int = Field(default=1, sa_column=_TICKET_VERSION)

    # Every UPDATE of a ticket says `WHERE id = :id AND version = :version_read`, so two truly
    # simultaneous changes cannot both pass the services' version comparison: the loser's
    # flush matches no row and fails (StaleDataError, turned into a Conflict for the user).
    # The services bump `version` themselves, hence no generator.
    __mapper_args__ = {"version_id_col": _TICKET_VERSION, "version_id_generator": False}


class SlaResult(SQLModel, table=True):
    """What one SLA promise was and how it was kept, written when it is decided.

    First response and resolution: one row each per ticket (a reopen removes the resolution
    row until the ticket is resolved again). The 48-hour update promise: one row per
    stretch of time the team held the ticket between public updates, written when the
    stretch ends (an update, a pause, a resolve), with who held it.
    """

    __tablename__ = "sla_result"
    __table_args__ = (Index("ix_sla_result_target_decided", "target", "decided_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    target: str = Field(max_length=16)
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    started_at: datetime = _ts()
    due_at: datetime = _ts()
    # When the promise was met, or the stretch ended; `met` says which side of due it fell.
    decided_at: datetime = _ts()
    met: bool = True
    breached_at: datetime | None = _ts(default=None)


class TicketEvent(SQLModel, table=True):
    """The append-only timeline. `dedupe_key` makes once-only events (SLA warnings) unique."""

    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_ticket_event_ticket_time", "ticket_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    kind: str = Field(max_length=40)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_role: str = Field(default="system", max_length=16)
    is_public: bool = True
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _created()
    dedupe_key: str | None = Field(default=None, unique=True, max_length=120)


class Attachment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    chat_id: int | None = Field(default=None, foreign_key="chat_session.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="ticket_event.id")
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    original_name: str = Field(max_length=255)
    stored_name: str = Field(unique=True, max_length=64)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    is_public: bool = True
    created_at: datetime = _created()


class Notification(SQLModel, table=True):
    """An outbox row: written with the change that caused it, sent later by the dispatcher."""

    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    channel: str = Field(max_length=16)
    recipient_user_id: int | None = Field(default=None, foreign_key="user.id")
    to_address: str = Field(max_length=320)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    problem_id: int | None = Field(default=None, foreign_key="problem.id")
    subject: str = Field(default="", max_length=300)
    body_text: str = Field(default="", sa_type=Text)
    body_html: str = Field(default="", sa_type=Text)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _created()
    claimed_at: datetime | None = _ts(default=None)
    claimed_by: str | None = Field(default=None, max_length=80)
    last_error: str = Field(default="", sa_type=Text)
    provider_message_id: str | None = Field(default=None, max_length=120, index=True)
    created_at: datetime = _created()
    sent_at: datetime | None = _ts(default=None)
    delivered_at: datetime | None = _ts(default=None)
    dedupe_key: str | None = Field(default=None, unique=True, max_length=160)


class WebhookReceipt(SQLModel, table=True):
    """Every webhook call: accepted ones deduplicated by provider event id, refused ones kept."""

    __tablename__ = "webhook_receipt"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=40)
    event_id: str | None = Field(default=None, max_length=200)
    accepted: bool = True
    detail: str = Field(default="", max_length=500)
    received_at: datetime = _created()


class Problem(SQLModel, table=True):
    """A systemic issue: one cause behind tickets from several clients."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    status: str = Field(default="open", max_length=16)
    affected_area: str = Field(default="Other", max_length=40)
    shared_terms: list[str] = Field(default_factory=list, sa_type=JSON)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _created()
    resolved_at: datetime | None = _ts(default=None)


class ProblemTicket(SQLModel, table=True):
    __tablename__ = "problem_ticket"

    problem_id: int = Field(foreign_key="problem.id", primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    linked_at: datetime = _created()


class SystemicCandidate(SQLModel, table=True):
    """A cluster of similar tickets from several organizations, found by the detector."""

    __tablename__ = "systemic_candidate"

    id: int | None = Field(default=None, primary_key=True)
    signature: str = Field(unique=True, max_length=64)
    ticket_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    organization_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    affected_area: str = Field(default="Other", max_length=40)
    shared_terms: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default="open", max_length=16)
    problem_id: int | None = Field(default=None, foreign_key="problem.id")
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ApiKey(SQLModel, table=True):
    """A key for an outside chat tool; only its hash is stored."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    prefix: str = Field(max_length=12)
    key_hash: str = Field(unique=True, max_length=64)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _created()
    revoked_at: datetime | None = _ts(default=None)


class ZoomEscalation(SQLModel, table=True):
    __tablename__ = "zoom_escalation"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    chat_id: int | None = Field(default=None, foreign_key="chat_session.id", index=True)
    meeting_url: str = Field(max_length=500)
    scheduled_at: datetime = _ts()
    attendees: str = Field(default="", max_length=500)
    outcome: str | None = Field(default=None, sa_type=Text)
    resolved_on_call: bool | None = None
    outcome_at: datetime | None = _ts(default=None)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _created()


class LiveChange(SQLModel, table=True):
    """One committed change to a ticket, for the web workers to push to the pages showing it.

    Written by `db.change_feed` in the transaction of the change itself, whatever process
    made it (web worker, job worker, webhook, REST API); read by id order and pruned after a
    while, so it stays small.
    """

    __tablename__ = "live_change"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(index=True)
    kind: str = Field(default="ticket", max_length=20)
    created_at: datetime = _created()
