"""A message that could not be delivered, written onto its ticket's timeline.

Two places learn that a notification failed: the outbox dispatcher (the provider refused it,
or it gave up retrying) and a provider's later delivery report (bounced, phone unreachable).
Both record it here, so the team and the API read one kind of entry, worded one way.
It writes the event row itself instead of going through `services/`: the outbox sits below
the use cases and must not depend on them.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from support_portal.domain.timeline import EventKind
from support_portal.models import Notification, Ticket, TicketEvent

CHANNEL_LABEL = {"email": "Email", "sms": "SMS"}


def record_delivery_failure(
    session: Session,
    *,
    notification: Notification,
    reason: str,
    now: datetime,
    public: bool = True,
) -> TicketEvent | None:
    """Add the failure to the notification's ticket (once per notification); None when the
    notification belongs to no ticket."""
    ticket = session.get(Ticket, notification.ticket_id) if notification.ticket_id else None
    if ticket is None:
        return None
    label = CHANNEL_LABEL.get(notification.channel, notification.channel)
    event = TicketEvent(
        ticket_id=ticket.id,  # type: ignore[arg-type]
        kind=EventKind.NOTIFICATION_FAILED.value,
        actor_id=None,
        actor_role="system",
        is_public=public,
        data={
            "message": f"{label} to {notification.to_address} failed: {reason}",
            "channel": notification.channel,
            "to": notification.to_address,
            "reason": reason,
            "notification_id": notification.id,
        },
        created_at=now,
        dedupe_key=f"{EventKind.NOTIFICATION_FAILED.value}:{notification.id}",
    )
    session.add(event)
    return event
