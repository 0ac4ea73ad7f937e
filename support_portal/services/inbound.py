"""What providers tell us: delivery status, and clients' replies by SMS and email.

The webhook routes have checked the signature or secret before calling these. Replies are
threaded only into tickets of the sender's own organization: the sender is matched to a
client account by phone number or email address, and that account is the acting principal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import getaddresses, parseaddr
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from support_portal.domain.lifecycle import Status
from support_portal.domain.roles import Role
from support_portal.models import Notification, Ticket, User, WebhookReceipt
from support_portal.notify.delivery_failures import record_delivery_failure
from support_portal.services import preferences, tickets
from support_portal.services.authz import Principal
from support_portal.services.errors import NotFound, ServiceError, ValidationFailed

# Delivery progress: a status never replaces one of a higher rank.
DELIVERY_RANK = {"sending": 0, "pending": 0, "sent": 1, "delivered": 2, "undelivered": 2}
FINAL = {"delivered", "undelivered", "failed"}
TICKET_REF = re.compile(r"#\s?(\d{3,})")
REPLY_TOKEN = re.compile(r"reply\+([A-Za-z0-9_-]+)@", re.IGNORECASE)


def record_receipt(
    session: Session, *, provider: str, event_id: str | None, accepted: bool, detail: str = ""
) -> bool:
    """Keeps a record of a webhook call; False if this provider event was seen before."""
    receipt = WebhookReceipt(
        provider=provider, event_id=event_id, accepted=accepted, detail=detail[:500]
    )
    try:
        with session.begin_nested():
            session.add(receipt)
    except IntegrityError:
        return False
    return True


def _final_status(twilio_status: str) -> str | None:
    status = twilio_status.lower()
    if status in {"delivered", "read"}:
        return "delivered"
    if status in {"undelivered", "failed", "canceled"}:
        return "undelivered"
    if status == "sent":
        return "sent"
    return None


def apply_delivery_status(
    session: Session,
    *,
    notification: Notification,
    status: str,
    now: datetime,
    reason: str = "",
    public: bool = True,
) -> bool:
    """Moves a sent notification forward; a final status is never replaced. True if changed."""
    if notification.status in FINAL:
        return False
    if DELIVERY_RANK.get(status, 0) <= DELIVERY_RANK.get(notification.status, 0):
        return False
    notification.status = status
    if status == "delivered":
        notification.delivered_at = now
    if status == "undelivered":
        notification.last_error = reason
        record_delivery_failure(
            session, notification=notification, reason=reason, now=now, public=public
        )
    session.add(notification)
    return True


TWILIO_DELIVERY_ERRORS = {
    "30003": "phone unreachable",
    "30004": "message blocked",
    "30005": "unknown number",
    "30006": "landline or unreachable carrier",
    "30007": "filtered as spam by the carrier",
    "21610": "the recipient unsubscribed (replied STOP)",
}


def twilio_status(
    session: Session, *, message_sid: str, status: str, error_code: str | None, now: datetime
) -> bool:
    row = session.exec(
        select(Notification).where(Notification.provider_message_id == message_sid)
    ).first()
    new = _final_status(status)
    if row is None or new is None:
        return False
    reason = ""
    if new == "undelivered":
        code = error_code or ""
        reason = TWILIO_DELIVERY_ERRORS.get(code, f"not delivered ({status} {code})".strip())
        if code == "21610" and row.recipient_user_id:
            user = session.get(User, row.recipient_user_id)
            if user is not None:
                user.sms_opted_out = True
    return apply_delivery_status(session, notification=row, status=new, now=now, reason=reason)


def _find_sendgrid_row(session: Session, event: dict) -> Notification | None:
    raw_id = event.get("notification_id")
    if raw_id is not None and str(raw_id).isdigit():
        row = session.get(Notification, int(raw_id))
        if row is not None:
            return row
    sg_id = str(event.get("sg_message_id") or "").split(".", 1)[0]
    if not sg_id:
        return None
    return session.exec(
        select(Notification).where(Notification.provider_message_id == sg_id)
    ).first()


def sendgrid_event(session: Session, *, event: dict, now: datetime) -> bool:
    kind = str(event.get("event") or "")
    row = _find_sendgrid_row(session, event)
    if row is None or row.channel != "email":
        return False
    if kind == "delivered":
        return apply_delivery_status(session, notification=row, status="delivered", now=now)
    if kind == "bounce":
        reason = f"bounced ({event.get('reason') or event.get('type') or 'no reason given'})"
        if row.recipient_user_id:
            user = session.get(User, row.recipient_user_id)
            if user is not None:
                user.email_undeliverable = True
        return apply_delivery_status(
            session, notification=row, status="undelivered", now=now, reason=reason[:300]
        )
    if kind == "dropped":
        # Drop reasons name SendGrid's internal lists: for the team, not the client.
        reason = f"dropped ({event.get('reason') or 'no reason given'})"
        return apply_delivery_status(
            session,
            notification=row,
            status="undelivered",
            now=now,
            reason=reason[:300],
            public=False,
        )
    return False


@dataclass(frozen=True)
class ReplyOutcome:
    action: (
        str  # "details", "confirmed", "reopened", "follow_up", "opted_out", "opted_in", "ignored"
    )
    ticket_number: int | None = None
    detail: str = ""


def _clients_by_phone(session: Session, phone: str) -> list[User]:
    return list(
        session.exec(
            select(User).where(
                User.phone == phone,
                User.role == Role.CLIENT.value,
                User.is_active == True,  # noqa: E712
            )
        ).all()
    )


def _pick_ticket(session: Session, users: list[User], text: str) -> tuple[User, Ticket] | None:
    """The ticket named in the text if the sender may see it, else their latest open one."""
    match = TICKET_REF.search(text)
    if match:
        for user in users:
            try:
                ticket = tickets.get_ticket(
                    session=session, principal=Principal.of(user), number=match.group(1)
                )
            except NotFound:
                continue
            return user, ticket
    user_ids = [u.id for u in users]
    # Their latest ticket still in play; with none, their latest closed one (the reply
    # reopens it or starts a follow-up), so a text is never dropped.
    latest = session.exec(
        select(Ticket)
        .where(col(Ticket.requester_id).in_(user_ids))
        .order_by(
            (Ticket.status == Status.CLOSED.value),
            col(Ticket.updated_at).desc(),
            col(Ticket.id).desc(),
        )
    ).first()
    if latest is None:
        return None
    owner = next(u for u in users if u.id == latest.requester_id)
    if latest.organization_id != owner.organization_id:  # defence in depth
        return None
    return owner, latest


def _apply_reply(
    session: Session,
    *,
    user: User,
    ticket: Ticket,
    text: str,
    via: str,
    now: datetime,
    attachment_ids: list[int] | None = None,
) -> ReplyOutcome:
    principal = Principal.of(user)
    word = preferences.keyword(text)
    status_before = ticket.status
    try:
        if word == "CONFIRM" and ticket.status == Status.RESOLVED.value:
            tickets.confirm_fix(session=session, principal=principal, ticket=ticket, now=now)
            return ReplyOutcome("confirmed", ticket.number)
        if word == "REOPEN" and ticket.status in (Status.RESOLVED.value, Status.CLOSED.value):
            rest = text.strip()[len("REOPEN") :].strip(" :-,.!")
            reason = rest or f"The client replied REOPEN by {via}."
            tickets.reopen(
                session=session, principal=principal, ticket=ticket, reason=reason, now=now
            )
            return ReplyOutcome("reopened", ticket.number)
    except ServiceError:
        pass  # not a move the ticket allows now: keep the words as details instead
    target = tickets.add_client_details(
        session=session,
        principal=principal,
        ticket=ticket,
        body=text,
        attachment_ids=attachment_ids,
        data={"via": via},
        now=now,
    )
    if target.id != ticket.id:
        return ReplyOutcome("follow_up", target.number)
    if status_before in (Status.RESOLVED.value, Status.CLOSED.value) and target.status == (
        Status.IN_PROGRESS.value
    ):
        return ReplyOutcome("reopened", target.number)
    return ReplyOutcome("details", ticket.number)


def inbound_sms(session: Session, *, from_phone: str, body: str, now: datetime) -> ReplyOutcome:
    word = preferences.keyword(body)
    if word == "STOP":
        preferences.opt_out_sms(session=session, phone=from_phone)
        return ReplyOutcome("opted_out")
    if word == "START":
        preferences.opt_in_sms(session=session, phone=from_phone)
        return ReplyOutcome("opted_in")
    users = _clients_by_phone(session, from_phone)
    if not users or not body.strip():
        return ReplyOutcome("ignored", detail="unknown sender or empty message")
    picked = _pick_ticket(session, users, body)
    if picked is None:
        return ReplyOutcome("ignored", detail="sender has no open ticket")
    user, ticket = picked
    return _apply_reply(session, user=user, ticket=ticket, text=body.strip(), via="sms", now=now)


_QUOTE_START = re.compile(r"^(On .{0,200}wrote:|-{2,} ?Original Message ?-{2,}|From: .+)$")


def strip_quoted(text: str) -> str:
    """The new part of an email reply: what comes before the quoted earlier message."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_START.match(line.strip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def reply_token_from(addresses: str) -> str | None:
    for _, address in getaddresses([addresses]):
        match = REPLY_TOKEN.search(address + "@" if "@" not in address else address)
        if match:
            return match.group(1)
    return None


@dataclass(frozen=True)
class InboundFile:
    # The sender's content type is not kept: a file is judged by its bytes, like an upload.
    filename: str
    data: bytes


def inbound_email(
    session: Session,
    *,
    to: str,
    sender: str,
    text: str,
    files: list[InboundFile],
    now: datetime,
) -> ReplyOutcome:
    from support_portal.services.attachments import store_attachment

    token = reply_token_from(to)
    if not token:
        return ReplyOutcome("ignored", detail="no reply token in the address")
    ticket = session.exec(select(Ticket).where(Ticket.reply_token == token)).first()
    if ticket is None:
        return ReplyOutcome("ignored", detail="unknown reply token")
    address = parseaddr(sender)[1].strip().lower()
    user = session.exec(select(User).where(User.email == address)).first()
    if (
        user is None
        or not user.is_active
        or user.role != Role.CLIENT.value
        or user.organization_id != ticket.organization_id
    ):
        return ReplyOutcome("ignored", ticket.number, "sender is not a client of this ticket")
    body = strip_quoted(text)
    attachment_ids: list[int] = []
    refused: list[str] = []
    for f in files:
        # The same content check, size limit and storage as a file the client uploads.
        try:
            stored = store_attachment(
                session=session,
                principal=Principal.of(user),
                filename=f.filename,
                data=f.data,
                ticket_id=ticket.id,
                now=now,
            )
        except ValidationFailed as exc:
            refused.append(str(exc))
            continue
        attachment_ids.append(stored.id)  # type: ignore[arg-type]
    skipped = ("files refused: " + "; ".join(refused)) if refused else ""
    if not body and not attachment_ids:
        return ReplyOutcome("ignored", ticket.number, skipped or "empty reply")
    outcome = _apply_reply(
        session,
        user=user,
        ticket=ticket,
        text=body,
        via="email",
        now=now,
        attachment_ids=attachment_ids,
    )
    return replace(outcome, detail=skipped) if skipped else outcome


# The webhooks' use cases (called after the signature check): each records the provider's
# call and applies it in one transaction that it commits, so a retried call is applied once.


def receive_twilio_status(
    session: Session, *, message_sid: str, status: str, error_code: str | None, now: datetime
) -> None:
    if record_receipt(
        session, provider="twilio_status", event_id=f"{message_sid}:{status}", accepted=True
    ):  # else a repeat of a callback already applied
        twilio_status(
            session, message_sid=message_sid, status=status, error_code=error_code, now=now
        )
    session.commit()


def receive_sms(
    session: Session, *, message_sid: str, from_phone: str, body: str, now: datetime
) -> ReplyOutcome | None:
    """An SMS from a client; None if this message was already taken."""
    if not record_receipt(
        session, provider="twilio_inbound", event_id=message_sid or None, accepted=True
    ):
        return None
    outcome = inbound_sms(session, from_phone=from_phone, body=body, now=now)
    session.commit()
    return outcome


def receive_sendgrid_events(session: Session, *, events: list[Any], now: datetime) -> int:
    """SendGrid's delivery events; returns how many changed a notification."""
    applied = 0
    for event in events:
        if not isinstance(event, dict):
            continue
        event_id = str(event.get("sg_event_id") or "") or None
        if event_id and not record_receipt(
            session, provider="sendgrid_events", event_id=event_id, accepted=True
        ):
            continue  # SendGrid retries deliver the same event again
        applied += int(sendgrid_event(session, event=event, now=now))
    session.commit()
    return applied


def receive_email(
    session: Session,
    *,
    to: str,
    sender: str,
    text: str,
    files: list[InboundFile],
    now: datetime,
) -> ReplyOutcome:
    """A client's email reply through Inbound Parse, and the record of what became of it."""
    outcome = inbound_email(session, to=to, sender=sender, text=text, files=files, now=now)
    record_receipt(
        session,
        provider="sendgrid_inbound",
        event_id=None,
        accepted=outcome.action != "ignored",
        detail=f"{outcome.action} {outcome.ticket_number or ''} {outcome.detail}".strip(),
    )
    session.commit()
    return outcome
