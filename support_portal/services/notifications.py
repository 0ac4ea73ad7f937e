"""Who hears what: turns a ticket change into outbox rows, in the caller's transaction.

Rows are rendered when written, so what was sent is on record even if templates change.
Channels are logical ("email", "sms"); the dispatcher picks SendGrid, Twilio or the console.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from support_portal.domain.roles import Role
from support_portal.domain.ticket_fields import Priority
from support_portal.domain.zones import viewer_zone
from support_portal.models import Notification, Organization, Ticket, User
from support_portal.notify.templates import LazyRendering
from support_portal.settings import get_settings


def ticket_link(ticket: Ticket, *, for_client: bool) -> str:
    base = get_settings().public_base_url.rstrip("/")
    if for_client:
        return f"{base}/client/tickets/{ticket.number}"
    return f"{base}/agent/tickets/{ticket.number}"


def format_local(when: datetime | None, tz: str) -> str:
    if when is None:
        return "soon"
    return when.astimezone(ZoneInfo(tz)).strftime("%a %d %b %Y, %H:%M %Z")


def ticket_context(
    session: Session, ticket: Ticket, *, recipient: User | None, for_client: bool
) -> dict[str, Any]:
    org = session.get(Organization, ticket.organization_id)
    requester = session.get(User, ticket.requester_id)
    tz = viewer_zone(
        recipient.timezone if recipient else None,
        org.timezone if (for_client and org) else None,
        fallback=get_settings().agency_timezone,
    )
    return {
        "number": ticket.number,
        "title": ticket.title,
        "organization": org.name if org else "",
        "priority": ticket.priority,
        "status": ticket.status,
        "client_name": requester.name if requester else "",
        "recipient_name": recipient.name if recipient else "team",
        "first_response_due": format_local(ticket.first_response_due_at, tz),
        "link": ticket_link(ticket, for_client=for_client),
        "source": ticket.source,
    }


def _row(
    *,
    kind: str,
    channel: str,
    to: str,
    user: User | None,
    ticket: Ticket | None,
    rendering: LazyRendering,
    now: datetime,
    problem_id: int | None,
    dedupe_key: str | None,
) -> Notification:
    return Notification(
        kind=kind,
        channel=channel,
        to_address=to,
        recipient_user_id=user.id if user else None,
        ticket_id=ticket.id if ticket else None,
        problem_id=problem_id,
        subject=rendering.subject,
        body_text=rendering.sms if channel == "sms" else rendering.text,
        body_html=rendering.html if channel == "email" else "",
        created_at=now,
        next_attempt_at=now,
        dedupe_key=f"{dedupe_key}:{channel}:{to}" if dedupe_key else None,
    )


def queue_for_user(
    session: Session,
    *,
    kind: str,
    user: User,
    ticket: Ticket | None,
    now: datetime,
    extra: dict[str, Any] | None = None,
    problem_id: int | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Email and/or SMS to one person, as their preferences and opt-outs allow."""
    for_client = user.role == Role.CLIENT
    context = (
        ticket_context(session, ticket, recipient=user, for_client=for_client) if ticket else {}
    )
    context.update({"recipient_name": user.name, **(extra or {})})
    rows: list[Notification] = []
    common = dict(
        kind=kind,
        user=user,
        ticket=ticket,
        rendering=LazyRendering(kind, context),
        now=now,
        problem_id=problem_id,
        dedupe_key=dedupe_key,
    )
    if user.notify_email and not user.email_undeliverable:
        rows.append(_row(channel="email", to=user.email, **common))
    if user.notify_sms and user.phone and not user.sms_opted_out:
        rows.append(_row(channel="sms", to=user.phone, **common))
    for row in rows:
        session.add(row)
    return rows


def queue_for_team(
    session: Session,
    *,
    kind: str,
    ticket: Ticket,
    now: datetime,
    extra: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """The assignee, or the team's shared address and number while nobody is assigned."""
    if ticket.assignee_id is not None:
        assignee = session.get(User, ticket.assignee_id)
        if assignee is not None:
            return queue_for_user(
                session,
                kind=kind,
                user=assignee,
                ticket=ticket,
                now=now,
                extra=extra,
                dedupe_key=dedupe_key,
            )
    settings = get_settings()
    context = {**ticket_context(session, ticket, recipient=None, for_client=False), **(extra or {})}
    common = dict(
        kind=kind,
        user=None,
        ticket=ticket,
        rendering=LazyRendering(kind, context),
        now=now,
        problem_id=None,
        dedupe_key=dedupe_key,
    )
    rows = [_row(channel="email", to=settings.team_email, **common)]
    if settings.team_phone:
        rows.append(_row(channel="sms", to=settings.team_phone, **common))
    for row in rows:
        session.add(row)
    return rows


def queue_for_new_ticket(
    session: Session,
    *,
    ticket: Ticket,
    now: datetime,
    kind: str,
) -> list[Notification]:
    """A new ticket is news for the whole team, not only its assignee (who, after a chat
    conversion, is the agent who just made it): the assignee and every manager, each as
    they chose, and the team's shared address and number. An urgent ticket is also texted
    to every one of them with a mobile number, whatever they chose for routine news.
    Each address hears once."""
    settings = get_settings()
    urgent = ticket.priority == Priority.URGENT.value
    people: list[User] = []
    if ticket.assignee_id is not None:
        assignee = session.get(User, ticket.assignee_id)
        if assignee is not None and assignee.is_active:
            people.append(assignee)
    people += session.exec(
        select(User).where(User.role == Role.MANAGER.value, User.is_active == True)  # noqa: E712
    ).all()
    rows: list[Notification] = []
    sent_to: set[tuple[str, str]] = set()

    def add(channel: str, to: str, user: User | None, rendering: LazyRendering) -> None:
        if (channel, to) in sent_to:
            return
        sent_to.add((channel, to))
        row = _row(
            kind=kind,
            channel=channel,
            to=to,
            user=user,
            ticket=ticket,
            rendering=rendering,
            now=now,
            problem_id=None,
            dedupe_key=None,
        )
        session.add(row)
        rows.append(row)

    for person in people:
        if person.id in {r.recipient_user_id for r in rows}:
            continue
        context = ticket_context(session, ticket, recipient=person, for_client=False)
        rendering = LazyRendering(kind, context)
        if person.notify_email and not person.email_undeliverable:
            add("email", person.email, person, rendering)
        if person.phone and not person.sms_opted_out and (person.notify_sms or urgent):
            add("sms", person.phone, person, rendering)
    team = LazyRendering(kind, ticket_context(session, ticket, recipient=None, for_client=False))
    if settings.team_email:
        add("email", settings.team_email, None, team)
    if settings.team_phone:
        add("sms", settings.team_phone, None, team)
    return rows


def queue_for_client(
    session: Session,
    *,
    kind: str,
    ticket: Ticket,
    now: datetime,
    extra: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    requester = session.get(User, ticket.requester_id)
    if requester is None:
        return []
    return queue_for_user(
        session,
        kind=kind,
        user=requester,
        ticket=ticket,
        now=now,
        extra=extra,
        dedupe_key=dedupe_key,
    )


def queue_for_managers(
    session: Session,
    *,
    kind: str,
    ticket: Ticket | None,
    now: datetime,
    extra: dict[str, Any] | None = None,
    problem_id: int | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    rows: list[Notification] = []
    managers = session.exec(
        select(User).where(User.role == Role.MANAGER.value, User.is_active == True)  # noqa: E712
    ).all()
    for manager in managers:
        rows += queue_for_user(
            session,
            kind=kind,
            user=manager,
            ticket=ticket,
            now=now,
            extra=extra,
            problem_id=problem_id,
            dedupe_key=dedupe_key,
        )
    return rows
