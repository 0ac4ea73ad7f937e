"""Ticket use cases: create, move through the lifecycle, assign, prioritize, update.

Every function changes the ticket, appends its timeline event and queues its
notifications in the caller's session; nothing here commits.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, func, select

from support_portal.clock import as_utc
from support_portal.domain.client_reply import ReplyEffect, effect_of_reply
from support_portal.domain.lifecycle import STATUS_LABELS, Status, check_transition
from support_portal.domain.links import LinkRefused, check_url
from support_portal.domain.roles import Role
from support_portal.domain.support_path import clean_support_path
from support_portal.domain.text_limits import TICKET_TEXT, too_long
from support_portal.domain.ticket_fields import Priority
from support_portal.domain.ticket_quality import TicketDraft, check_quality
from support_portal.domain.timeline import EventKind
from support_portal.models import Organization, Ticket, User
from support_portal.services import attachments, notifications
from support_portal.services.authz import (
    Principal,
    ensure_can_see_ticket,
    require_role,
    require_team,
)
from support_portal.services.errors import Conflict, NotFound, ValidationFailed
from support_portal.services.timeline import append_event
from support_portal.settings import get_settings

TICKET_NUMBER_OFFSET = 1000


def parse_ticket_number(value: str | int) -> int | None:
    text = str(value).strip().lstrip("#")
    return int(text) if text.isdigit() else None


def get_ticket(*, session: Session, principal: Principal, number: str | int) -> Ticket:
    """The ticket with this number, if the actor may see it; else NotFound, the same either way."""
    parsed = parse_ticket_number(number)
    ticket = (
        session.exec(select(Ticket).where(Ticket.number == parsed)).first()
        if parsed is not None
        else None
    )
    return ensure_can_see_ticket(principal, ticket)


def get_ticket_by_id(*, session: Session, principal: Principal, ticket_id: int) -> Ticket:
    return ensure_can_see_ticket(principal, session.get(Ticket, ticket_id))


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and ticket.version != expected_version:
        raise Conflict(
            f"Ticket #{ticket.number} changed while you were looking at it. "
            "The card now shows its latest state; please try again."
        )


def _touch(ticket: Ticket, now: datetime) -> None:
    ticket.version += 1
    ticket.updated_at = now


def create_ticket(
    *,
    session: Session,
    principal: Principal,
    draft: TicketDraft,
    organization_id: int,
    requester_id: int,
    source: str = "chat",
    source_chat_id: int | None = None,
    transcript: list[dict[str, Any]] | None = None,
    assignee_id: int | None = None,
    now: datetime,
    event_data: dict[str, Any] | None = None,
) -> Ticket:
    """Create a ticket from structured detail; a vague one is refused field by field.

    `event_data` adds to the "created" event, e.g. which API key an integration used.
    """
    require_team(principal)
    errors = check_quality(draft)
    draft.support_path, path_errors = clean_support_path(draft.support_path)
    errors.update(path_errors)
    if draft.affected_workflow_url.strip():
        try:
            draft.affected_workflow_url = check_url(draft.affected_workflow_url)
        except LinkRefused as exc:
            errors["affected_workflow_url"] = str(exc)
    if errors:
        raise ValidationFailed(errors, "The ticket needs more detail before it can be created.")
    requester, org = _requester_and_org(session, requester_id, organization_id)
    if org is None or requester is None or requester.organization_id != organization_id:
        raise NotFound("That client or organization was not found.")
    if assignee_id is not None:
        _require_staff(session, assignee_id)
    fields = asdict(draft)
    fields.pop("attachment_count")
    ticket = Ticket(
        **fields,
        organization_id=organization_id,
        requester_id=requester_id,
        assignee_id=assignee_id,
        source=source,
        source_chat_id=source_chat_id,
        **_fresh(principal, now),
    )
    _file(session, ticket, now)
    append_event(
        session,
        ticket=ticket,
        kind=EventKind.CREATED,
        actor=principal,
        now=now,
        data={
            "source": source,
            "chat_id": source_chat_id,
            "transcript": transcript or [],
            "title": ticket.title,
            **(event_data or {}),
        },
    )
    if assignee_id is not None:
        append_event(
            session,
            ticket=ticket,
            kind=EventKind.ASSIGNED,
            actor=principal,
            now=now,
            data={"assignee_id": assignee_id, "assignee": _name(session, assignee_id)},
        )
    notifications.queue_for_new_ticket(session, kind="ticket_created_team", ticket=ticket, now=now)
    notifications.queue_for_client(session, kind="ticket_created_client", ticket=ticket, now=now)
    return ticket


# Built once: composing the expression costs more than running it on the creation path.
_REQUESTER_AND_ORG = (
    select(User, Organization)
    .join(Organization, Organization.id == User.organization_id)
    .where(User.id == bindparam("requester_id"), Organization.id == bindparam("org_id"))
)
_NEXT_NUMBER = select(
    func.coalesce(func.max(Ticket.id), 0) + 1 + TICKET_NUMBER_OFFSET
).scalar_subquery()


def _requester_and_org(
    session: Session, requester_id: int, organization_id: int
) -> tuple[User | None, Organization | None]:
    """Both rows in one query (the notifications read them again from the identity map)."""
    with session.no_autoflush:
        row = session.exec(
            _REQUESTER_AND_ORG, params={"requester_id": requester_id, "org_id": organization_id}
        ).first()
    if row is not None:
        return row[0], row[1]
    # Missing, or not this organization's client: the caller's checks say which.
    return session.get(User, requester_id), session.get(Organization, organization_id)


def _fresh(principal: Principal, now: datetime) -> dict[str, Any]:
    """What every new ticket starts with, whoever opens it and from where."""
    return {
        "created_by_id": principal.user_id,
        "status": Status.NEW.value,
        "reply_token": secrets.token_hex(10),
        "created_at": now,
        "updated_at": now,
        "last_public_update_at": now,
    }


def _file(session: Session, ticket: Ticket, now: datetime) -> None:
    """Give a new ticket its SLA targets and its number."""
    from support_portal.services import sla

    sla.set_initial_targets(session, ticket, now)
    session.add(ticket)
    _save_with_number(session, ticket)


def _save_with_number(session: Session, ticket: Ticket) -> None:
    """Give the new ticket its id and its number (offset + id) without a second write.

    PostgreSQL: the id is taken from the table's sequence first, so the ticket goes in whole.
    SQLite: the INSERT computes the number itself; it holds
    the database's only write lock, and SQLite gives a new row the rowid one above the largest
    present (`ticket.id` has no AUTOINCREMENT), so the number written is offset + id and need
    not be read back. Elsewhere: insert, then set the number.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        sequence = func.pg_get_serial_sequence(Ticket.__tablename__, "id")
        with session.no_autoflush:  # the ticket must not go in before it has its id
            ticket.id = int(session.exec(select(func.nextval(sequence))).one())
        ticket.number = TICKET_NUMBER_OFFSET + ticket.id
        # Written now: without ORM relationships the flush does not order the event and
        # outbox rows after the ticket their foreign keys point to.
        session.flush()
        return
    if dialect == "sqlite":
        ticket.number = _NEXT_NUMBER  # type: ignore[assignment]
        session.flush()
        set_committed_value(ticket, "number", TICKET_NUMBER_OFFSET + ticket.id)  # type: ignore[operator]
        return
    session.flush()
    ticket.number = TICKET_NUMBER_OFFSET + ticket.id  # type: ignore[operator]


def _name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.name if user else None


def _require_staff(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if (
        user is None
        or user.role not in (Role.AGENT.value, Role.MANAGER.value)
        or not user.is_active
    ):
        raise NotFound("That team member was not found.")
    return user


def change_status(
    *,
    session: Session,
    principal: Principal,
    ticket: Ticket,
    to: Status | str,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime,
) -> Ticket:
    """Move a ticket along the lifecycle; a forbidden move raises and changes nothing."""
    ensure_can_see_ticket(principal, ticket)
    _check_version(ticket, expected_version)
    transition = check_transition(ticket.status, to, principal.actor)
    if principal.is_team and reason.strip():
        # Only words the client reads answer them: a bare move on the board is not a response.
        # Marked before the move, so the targets it answers are judged as they stood.
        mark_public_response(ticket, now)
    from support_portal.services import sla

    sla.apply_status_change(session, ticket, transition, now)
    _touch(ticket, now)
    append_event(
        session,
        ticket=ticket,
        kind=EventKind.REOPENED if transition.is_reopen else EventKind.STATUS_CHANGED,
        actor=principal,
        now=now,
        data={
            "from": transition.old.value,
            "to": transition.new.value,
            "from_label": STATUS_LABELS[transition.old],
            "to_label": STATUS_LABELS[transition.new],
            "reason": reason.strip(),
        },
    )
    _notify_status(session, ticket, transition.new, transition.is_reopen, principal, reason, now)
    return ticket


def _notify_status(
    session: Session,
    ticket: Ticket,
    new: Status,
    is_reopen: bool,
    principal: Principal,
    reason: str,
    now: datetime,
) -> None:
    extra = {"reason": reason.strip(), "actor_name": principal.name}
    if new == Status.WAITING_ON_CLIENT:
        notifications.queue_for_client(
            session, kind="waiting_on_client", ticket=ticket, now=now, extra=extra
        )
    elif new == Status.RESOLVED:
        notifications.queue_for_client(
            session, kind="ticket_resolved", ticket=ticket, now=now, extra=extra
        )
    elif new == Status.CLOSED:
        notifications.queue_for_client(
            session, kind="ticket_closed", ticket=ticket, now=now, extra=extra
        )
        if principal.role == Role.CLIENT:
            notifications.queue_for_team(
                session, kind="fix_confirmed", ticket=ticket, now=now, extra=extra
            )
    elif is_reopen:
        notifications.queue_for_team(
            session, kind="ticket_reopened", ticket=ticket, now=now, extra=extra
        )
    elif principal.role == Role.CLIENT or principal.user_id != ticket.assignee_id:
        notifications.queue_for_team(
            session,
            kind="status_changed",
            ticket=ticket,
            now=now,
            extra={**extra, "status": STATUS_LABELS[new]},
        )


def mark_public_response(ticket: Ticket, now: datetime) -> None:
    """A public message reached the client: it answers the first-response target and restarts
    the 48-hour update clock."""
    from support_portal.services import sla

    sla.record_public_response(ticket, now)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    ticket.last_public_update_at = now
    from support_portal.services import sla

    sla.on_public_update(ticket, now)


def assign(
    *,
    session: Session,
    principal: Principal,
    ticket: Ticket,
    assignee_id: int | None,
    expected_version: int | None = None,
    now: datetime,
) -> Ticket:
    """Managers assign anyone on the team; an agent may only take a ticket for themselves."""
    require_team(principal)
    _check_version(ticket, expected_version)
    if principal.role == Role.AGENT and assignee_id != principal.user_id:
        require_role(principal, Role.MANAGER)
    if assignee_id is not None:
        _require_staff(session, assignee_id)
    if ticket.assignee_id == assignee_id:
        return ticket
    old = ticket.assignee_id
    ticket.assignee_id = assignee_id
    _touch(ticket, now)
    append_event(
        session,
        ticket=ticket,
        kind=EventKind.ASSIGNED if assignee_id else EventKind.UNASSIGNED,
        actor=principal,
        now=now,
        data={
            "assignee_id": assignee_id,
            "assignee": _name(session, assignee_id),
            "previous_id": old,
            "previous": _name(session, old),
        },
    )
    if assignee_id is not None and assignee_id != principal.user_id:
        notifications.queue_for_team(
            session,
            kind="ticket_assigned",
            ticket=ticket,
            now=now,
            extra={"actor_name": principal.name},
        )
    return ticket


def set_priority(
    *,
    session: Session,
    principal: Principal,
    ticket: Ticket,
    priority: Priority | str,
    expected_version: int | None = None,
    now: datetime,
) -> Ticket:
    require_team(principal)
    _check_version(ticket, expected_version)
    try:
        new = Priority(priority)
    except ValueError as exc:
        raise ValidationFailed({"priority": f"Unknown priority {priority!r}."}) from exc
    if ticket.priority == new.value:
        return ticket
    old = ticket.priority
    ticket.priority = new.value
    from support_portal.services import sla

    sla.on_priority_change(session, ticket, now)
    _touch(ticket, now)
    append_event(
        session,
        ticket=ticket,
        kind=EventKind.PRIORITY_CHANGED,
        actor=principal,
        now=now,
        is_public=True,
        data={"from": old, "to": new.value},
    )
    if ticket.assignee_id is not None and ticket.assignee_id != principal.user_id:
        notifications.queue_for_team(
            session,
            kind="priority_changed",
            ticket=ticket,
            now=now,
            extra={"actor_name": principal.name, "old": old},
        )
    return ticket


def post_update(
    *,
    session: Session,
    principal: Principal,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    data: dict[str, Any] | None = None,
    now: datetime,
) -> Ticket:
    """A public update from the team (the client is told) or an internal note (nobody is)."""
    require_team(principal)
    body = body.strip()
    if not body:
        raise ValidationFailed({"body": "Write the update before posting it."})
    if len(body) > TICKET_TEXT:
        what = "This note is too long" if internal else "This update is too long"
        raise ValidationFailed({"body": too_long(what, TICKET_TEXT)})
    append_event(
        session,
        ticket=ticket,
        kind=EventKind.INTERNAL_NOTE if internal else EventKind.PUBLIC_UPDATE,
        actor=principal,
        now=now,
        is_public=not internal,
        data={"body": body, "author": principal.name, **(data or {})},
    )
    _touch(ticket, now)
    if not internal:
        mark_public_response(ticket, now)
        notifications.queue_for_client(
            session,
            kind="public_update",
            ticket=ticket,
            now=now,
            extra={"body": body, "actor_name": principal.name},
        )
    return ticket


def add_client_details(
    *,
    session: Session,
    principal: Principal,
    ticket: Ticket,
    body: str,
    attachment_ids: list[int] | None = None,
    data: dict[str, Any] | None = None,
    now: datetime,
) -> Ticket:
    """The client adds to their ticket; what that does depends on where the ticket stands.

    Waiting on them: back to the team. Resolved: the fix did not hold, so it reopens (unless
    the words confirm the fix). Closed recently: it reopens; closed long ago: a new ticket
    linked to the old one starts, and that new ticket is returned.
    """
    require_role(principal, Role.CLIENT)
    ensure_can_see_ticket(principal, ticket)
    body = body.strip()
    if not body and not attachment_ids:
        raise ValidationFailed({"body": "Write something or attach a file."})
    if len(body) > TICKET_TEXT:
        raise ValidationFailed({"body": too_long("These details are too long", TICKET_TEXT)})
    effect = effect_of_reply(
        status=ticket.status,
        text=body,
        closed_at=as_utc(ticket.closed_at) if ticket.closed_at else None,
        now=now,
        reopen_closed_days=get_settings().reopen_closed_days,
    )
    replied_on = ticket
    if effect == ReplyEffect.FOLLOW_UP:
        ticket = _start_follow_up(session, principal, replied_on, now)
    if attachment_ids:
        # Ids come from the browser: only the client's own files, for this ticket, are named.
        files = attachments.attach_to_ticket(
            session=session, principal=principal, attachment_ids=attachment_ids, ticket=replied_on
        )
        for file in files:
            # Stored with the reply to the closed ticket; they belong with the follow-up.
            file.ticket_id = ticket.id
    append_event(
        session,
        ticket=ticket,
        kind=EventKind.CLIENT_DETAILS,
        actor=principal,
        now=now,
        data={
            "body": body,
            "author": principal.name,
            "attachment_ids": attachment_ids or [],
            **(data or {}),
        },
    )
    _touch(ticket, now)
    if ticket.status == Status.WAITING_ON_CLIENT.value:
        change_status(
            session=session,
            principal=principal,
            ticket=ticket,
            to=Status.IN_PROGRESS,
            reason="The client replied.",
            now=now,
        )
    elif effect == ReplyEffect.REOPEN:
        # The reopen tells the team (ticket_reopened) with the client's words as the reason.
        change_status(
            session=session,
            principal=principal,
            ticket=ticket,
            to=Status.IN_PROGRESS,
            reason="The client replied.",
            now=now,
        )
        return ticket
    if effect != ReplyEffect.FOLLOW_UP:
        notifications.queue_for_team(
            session,
            kind="client_details",
            ticket=ticket,
            now=now,
            extra={"body": body, "actor_name": principal.name},
        )
    return ticket


FOLLOW_UP_TITLE = "Follow-up: "


def _start_follow_up(session: Session, principal: Principal, old: Ticket, now: datetime) -> Ticket:
    """A new ticket for a reply on a ticket closed long ago: the old detail is copied, both
    timelines name the other, and the team and the client are told as for any new ticket."""
    copied = {
        name: getattr(old, name)
        for name in (
            "category",
            "affected_area",
            "priority",
            "tried_to_do",
            "happened_instead",
            "started_when",
            "recent_changes",
            "steps_to_reproduce",
            "error_messages",
            "affected_workflow_name",
            "affected_workflow_url",
        )
    }
    title = old.title
    if not title.startswith(FOLLOW_UP_TITLE):
        title = FOLLOW_UP_TITLE + title
    ticket = Ticket(
        **copied,
        title=title[:200],
        support_path=list(old.support_path or []),
        organization_id=old.organization_id,
        requester_id=old.requester_id,
        source="reply",
        **_fresh(principal, now),
    )
    _file(session, ticket, now)
    append_event(
        session,
        ticket=ticket,
        kind=EventKind.CREATED,
        actor=principal,
        now=now,
        data={"source": "reply", "title": ticket.title, "follow_up_of": old.number},
    )
    append_event(
        session,
        ticket=ticket,
        kind=EventKind.FOLLOW_UP_OF,
        actor=principal,
        now=now,
        data={"number": old.number, "title": old.title},
    )
    append_event(
        session,
        ticket=old,
        kind=EventKind.FOLLOW_UP_OPENED,
        actor=principal,
        now=now,
        data={"number": ticket.number, "title": ticket.title},
    )
    notifications.queue_for_new_ticket(session, kind="ticket_created_team", ticket=ticket, now=now)
    notifications.queue_for_client(session, kind="ticket_created_client", ticket=ticket, now=now)
    return ticket


def confirm_fix(*, session: Session, principal: Principal, ticket: Ticket, now: datetime) -> Ticket:
    require_role(principal, Role.CLIENT)
    return change_status(
        session=session,
        principal=principal,
        ticket=ticket,
        to=Status.CLOSED,
        reason="The client confirmed the fix.",
        now=now,
    )


def reopen(
    *,
    session: Session,
    principal: Principal,
    ticket: Ticket,
    reason: str,
    now: datetime,
) -> Ticket:
    if not reason.strip():
        raise ValidationFailed({"reason": "Say what is still broken so the team can look again."})
    return change_status(
        session=session,
        principal=principal,
        ticket=ticket,
        to=Status.IN_PROGRESS,
        reason=reason,
        now=now,
    )
