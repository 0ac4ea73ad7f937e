"""What the outbox did: recent notifications and their delivery status, for managers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from support_portal.domain.roles import Role
from support_portal.models import Notification, Ticket
from support_portal.services.authz import Principal, require_role


@dataclass(frozen=True)
class NotificationLine:
    id: int
    created_at: str
    kind: str
    channel: str
    recipient: str
    ticket_number: str
    status: str
    attempts: int
    last_error: str
    provider_message_id: str


def recent_notifications(
    *, session: Session, principal: Principal, status: str | None = None, limit: int = 100
) -> list[NotificationLine]:
    require_role(principal, Role.MANAGER)
    stmt = (
        select(Notification, Ticket.number)
        .join(Ticket, col(Ticket.id) == col(Notification.ticket_id), isouter=True)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit)
    )
    if status:
        stmt = stmt.where(Notification.status == status)
    lines: list[NotificationLine] = []
    for row, number in session.exec(stmt).all():
        lines.append(
            NotificationLine(
                id=row.id,  # type: ignore[arg-type]
                created_at=row.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                kind=row.kind,
                channel=row.channel,
                recipient=row.to_address,
                ticket_number=f"#{number}" if number else "",
                status=row.status,
                attempts=row.attempts,
                last_error=row.last_error,
                provider_message_id=row.provider_message_id or "",
            )
        )
    return lines
