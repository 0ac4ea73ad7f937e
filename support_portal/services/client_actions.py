"""What a client does on their ticket's page and their settings: each one use case that
checks the client, changes the ticket, writes its events and notifications, and commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from support_portal.domain.roles import Role
from support_portal.models import Ticket
from support_portal.services import attachments, escalations, preferences, tickets
from support_portal.services.authz import Principal, require_role
from support_portal.services.unit_of_work import on_ticket

# Only the client acts on these pages.
CLIENT_ONLY = (Role.CLIENT,)


def _clients_ticket(session: Session, principal: Principal, number: str) -> Ticket:
    require_role(principal, Role.CLIENT)
    return tickets.get_ticket(session=session, principal=principal, number=number)


@dataclass(frozen=True)
class DetailsAdded:
    ticket_id: int  # where the details landed
    follow_up_number: int | None  # set when they started a follow-up of a closed ticket


def add_details(
    *,
    session: Session,
    principal: Principal,
    number: str,
    body: str,
    files: list[tuple[str, bytes]],
    now: datetime,
) -> DetailsAdded:
    """Text and files in one go: each file is checked and stored privately, and the details
    name them; nothing is kept if any part is refused. A reply to a long-closed ticket lands
    on the follow-up it starts."""
    ticket = _clients_ticket(session, principal, number)
    ids = [
        attachments.store_attachment(
            session=session,
            principal=principal,
            filename=name,
            data=data,
            ticket_id=ticket.id,
            now=now,
        ).id
        for name, data in files
    ]
    target = tickets.add_client_details(
        session=session,
        principal=principal,
        ticket=ticket,
        body=body,
        attachment_ids=ids,
        now=now,
    )
    session.commit()
    return DetailsAdded(
        ticket_id=target.id,  # type: ignore[arg-type]
        follow_up_number=target.number if target.id != ticket.id else None,
    )


def add_link(
    *, session: Session, principal: Principal, number: str, url: str, title: str, now: datetime
) -> int:
    """A Loom walkthrough or another web link, added by the client; returns the ticket's id."""
    return on_ticket(
        escalations.add_link,
        roles=CLIENT_ONLY,
        session=session,
        principal=principal,
        number=number,
        url=url,
        title=title,
        now=now,
    )


def confirm_fix(*, session: Session, principal: Principal, number: str, now: datetime) -> int:
    return on_ticket(
        tickets.confirm_fix,
        roles=CLIENT_ONLY,
        session=session,
        principal=principal,
        number=number,
        now=now,
    )


def reopen(
    *, session: Session, principal: Principal, number: str, reason: str, now: datetime
) -> int:
    return on_ticket(
        tickets.reopen,
        roles=CLIENT_ONLY,
        session=session,
        principal=principal,
        number=number,
        reason=reason,
        now=now,
    )


def save_preferences(
    *,
    session: Session,
    principal: Principal,
    notify_email: bool,
    notify_sms: bool,
    phone: str | None,
) -> str:
    """The signed-in person's own notification settings; returns the phone as stored."""
    user = preferences.update_preferences(
        session=session,
        principal=principal,
        notify_email=notify_email,
        notify_sms=notify_sms,
        phone=phone,
    )
    session.commit()
    return user.phone or ""
