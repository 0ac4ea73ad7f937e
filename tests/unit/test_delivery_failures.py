"""A message that could not be delivered reads the same on the ticket whoever learned of it
(the outbox when the provider refused it, or the provider's later delivery report), and the
outbox depends on no use case."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlmodel import select

from support_portal.domain.timeline import EventKind, api_text, team_text
from support_portal.models import Notification, TicketEvent
from support_portal.notify.channels import PermanentFailure, RecordingChannel
from support_portal.notify.dispatcher import dispatch_due
from support_portal.services import inbound
from support_portal.testkit.factories import make_ticket, make_user

NOTIFY = Path(__file__).parents[2] / "support_portal" / "notify"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_the_outbox_and_its_channels_import_no_use_case():
    offenders = {
        f"{path.name}: {module}"
        for path in NOTIFY.rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith("support_portal.services")
    }
    assert not offenders


def _failures(session, ticket) -> list[TicketEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket.id,
                TicketEvent.kind == EventKind.NOTIFICATION_FAILED,
            )
        ).all()
    )


def test_a_refused_message_and_a_bounced_one_read_alike_for_the_team_and_the_api(session, clock):
    client = make_user(session, "client", phone="+14155552671", notify_sms=True)
    refused = make_ticket(session, requester=client, now=clock.now)
    bounced = make_ticket(session, requester=client, now=clock.now)
    session.commit()
    sms = RecordingChannel("sms")
    sms.fail_always = PermanentFailure(21211, "invalid number")
    dispatch_due(session, now=clock.now, channels={"email": RecordingChannel("email"), "sms": sms})
    email = session.exec(
        select(Notification).where(
            Notification.ticket_id == bounced.id,
            Notification.channel == "email",
            Notification.recipient_user_id == client.id,
        )
    ).one()
    inbound.apply_delivery_status(
        session, notification=email, status="undelivered", now=clock.now, reason="mailbox full"
    )
    session.commit()

    [from_outbox] = [e for e in _failures(session, refused) if e.data["channel"] == "sms"]
    [from_report] = [e for e in _failures(session, bounced) if e.data["channel"] == "email"]
    assert from_outbox.data["message"] == "SMS to +14155552671 failed: invalid number"
    assert from_report.data["message"] == f"Email to {client.email} failed: mailbox full"
    assert set(from_outbox.data) == set(from_report.data)
    for event in (from_outbox, from_report):
        assert team_text(event.kind, event.data) == event.data["message"]
        assert api_text(event.kind, event.data) == event.data["message"]
