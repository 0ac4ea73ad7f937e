"""Provider webhooks against the API app (not the whole Reflex app) and a real database."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import Session, select
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from support_portal.api.app import build_api
from support_portal.api.webhooks import (
    MAX_TWILIO_BYTES,
    SENDGRID_EVENTS,
    SENDGRID_INBOUND,
    TWILIO_INBOUND,
    TWILIO_STATUS,
    refusal_counts,
)
from support_portal.clock import utcnow
from support_portal.models import (
    Attachment,
    Notification,
    Ticket,
    TicketEvent,
    User,
    WebhookReceipt,
)
from support_portal.services import tickets
from support_portal.testkit.factories import make_ticket, make_user, principal
from support_portal.testkit.files import PNG

BASE = "https://portal.example.com"
TOKEN = "twilio-auth-token-for-tests"
SECRET = "inbound-secret-for-tests"
PHONE = "+14155552671"


@pytest.fixture
def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def api(session, settings_env, ec_key):
    public = ec_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    settings_env(
        PUBLIC_BASE_URL=BASE,
        TWILIO_AUTH_TOKEN=TOKEN,
        SENDGRID_WEBHOOK_PUBLIC_KEY=base64.b64encode(public).decode(),
        SENDGRID_INBOUND_SECRET=SECRET,
    )
    with TestClient(build_api(), base_url=BASE) as client:
        yield client


def twilio_post(api, path: str, params: dict[str, str], *, token: str = TOKEN, sign=None):
    signature = RequestValidator(token).compute_signature(BASE + path, sign or params)
    return api.post(path, data=params, headers={"X-Twilio-Signature": signature})


def sendgrid_post(api, key, events: list[dict], *, tamper: bool = False):
    raw = json.dumps(events)
    ts = "1767225600"
    signature = base64.b64encode(key.sign((ts + raw).encode(), ec.ECDSA(hashes.SHA256())))
    body = raw.replace("bounce", "delivered") if tamper else raw
    return api.post(
        SENDGRID_EVENTS,
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": signature.decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": ts,
        },
    )


def fresh(session: Session, model, id_):
    session.expire_all()
    return session.get(model, id_)


def receipts(session: Session, provider: str) -> list[WebhookReceipt]:
    session.expire_all()
    return list(session.exec(select(WebhookReceipt).where(WebhookReceipt.provider == provider)))


def events(session: Session, ticket: Ticket, kind: str) -> list[TicketEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)
        )
    )


@pytest.fixture
def world(session):
    """Two organizations; the first client has SMS on and two tickets, the second one."""
    client = make_user(session, "client", phone=PHONE, notify_sms=True)
    other = make_user(session, "client")
    agent = make_user(session, "agent")
    older = make_ticket(session, requester=client, agent=agent, title="Older calendar problem")
    newer = make_ticket(session, requester=client, agent=agent)
    foreign = make_ticket(session, requester=other, agent=agent)
    session.commit()
    return {
        "client": client,
        "other": other,
        "agent": agent,
        "older": older,
        "newer": newer,
        "foreign": foreign,
    }


def sms_row(session: Session, ticket: Ticket, sid: str) -> Notification:
    row = session.exec(
        select(Notification).where(
            Notification.ticket_id == ticket.id, Notification.channel == "sms"
        )
    ).first()
    row.status, row.provider_message_id = "sent", sid
    session.commit()
    return row


# Twilio status callback


def test_a_signed_status_callback_marks_the_sms_delivered(api, session, world):
    row = sms_row(session, world["newer"], "SM1")
    r = twilio_post(api, TWILIO_STATUS, {"MessageSid": "SM1", "MessageStatus": "delivered"})
    assert r.status_code == 204
    assert fresh(session, Notification, row.id).status == "delivered"


@pytest.mark.parametrize("case", ["missing", "forged", "tampered"])
def test_a_status_callback_without_a_valid_signature_is_refused_and_changes_nothing(
    api, session, world, case
):
    row = sms_row(session, world["newer"], "SM2")
    params = {"MessageSid": "SM2", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    if case == "missing":
        r = api.post(TWILIO_STATUS, data=params)
    elif case == "forged":
        r = twilio_post(api, TWILIO_STATUS, params, token="not-the-token")
    else:
        r = twilio_post(api, TWILIO_STATUS, params, sign={**params, "MessageStatus": "sent"})
    assert r.status_code == 403
    assert fresh(session, Notification, row.id).status == "sent"
    assert receipts(session, "twilio_status") == []
    assert events(session, world["newer"], "notification_failed") == []


def test_forged_calls_write_no_rows_and_are_counted_and_logged(api, session, world, caplog):
    before = refusal_counts().get("twilio_inbound", 0)
    for n in range(30):
        r = api.post(
            TWILIO_INBOUND,
            data={"MessageSid": f"SMf{n}", "From": PHONE, "Body": "STOP"},
            headers={"X-Twilio-Signature": "Zm9yZ2Vk"},
        )
        assert r.status_code == 403
    assert receipts(session, "twilio_inbound") == []
    assert refusal_counts()["twilio_inbound"] == before + 30
    assert "refused twilio_inbound webhook" in caplog.text


def test_an_unsigned_twilio_call_is_refused_before_its_body_is_parsed(api, session, world):
    # A multipart body is never what Twilio sends: refused on its headers, not parsed.
    r = api.post(
        TWILIO_INBOUND,
        files={"upload": ("big.bin", b"x" * 200_000, "application/octet-stream")},
        headers={"X-Twilio-Signature": "Zm9yZ2Vk"},
    )
    assert r.status_code == 403
    params = {"MessageSid": "SMbig", "From": PHONE, "Body": "x" * (MAX_TWILIO_BYTES + 1)}
    r = twilio_post(api, TWILIO_INBOUND, params)
    assert r.status_code == 413
    assert receipts(session, "twilio_inbound") == []
    assert events(session, world["newer"], "client_details") == []


def test_duplicate_and_late_status_callbacks_never_move_a_final_status_back(api, session, world):
    row = sms_row(session, world["newer"], "SM3")
    for status in ["delivered", "delivered", "sent", "queued", "undelivered"]:
        r = twilio_post(api, TWILIO_STATUS, {"MessageSid": "SM3", "MessageStatus": status})
        assert r.status_code == 204
    assert fresh(session, Notification, row.id).status == "delivered"
    assert events(session, world["newer"], "notification_failed") == []


def test_an_undelivered_sms_shows_on_the_ticket_once(api, session, world):
    sms_row(session, world["newer"], "SM4")
    params = {"MessageSid": "SM4", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    twilio_post(api, TWILIO_STATUS, params)
    twilio_post(api, TWILIO_STATUS, params)
    [event] = events(session, world["newer"], "notification_failed")
    assert event.is_public
    assert event.data["message"] == f"SMS to {PHONE} failed: phone unreachable"


# Twilio inbound SMS


def inbound_sms(api, body: str, sid: str = "SMin1", sender: str = PHONE):
    return twilio_post(api, TWILIO_INBOUND, {"MessageSid": sid, "From": sender, "Body": body})


def test_an_sms_reply_goes_to_the_senders_most_recent_open_ticket(api, session, world):
    r = inbound_sms(api, "The reminders still skip the SMS step")
    assert r.status_code == 200 and "<Response>" in r.text
    [event] = events(session, world["newer"], "client_details")
    assert event.data["body"] == "The reminders still skip the SMS step"
    assert event.data["via"] == "sms"
    assert events(session, world["older"], "client_details") == []


def test_an_sms_naming_a_ticket_goes_to_that_ticket(api, session, world):
    inbound_sms(api, f"about #{world['older'].number}: it happened again")
    assert len(events(session, world["older"], "client_details")) == 1
    assert events(session, world["newer"], "client_details") == []


def test_an_sms_naming_another_organizations_ticket_never_reaches_it(api, session, world):
    inbound_sms(api, f"#{world['foreign'].number} please close this")
    assert events(session, world["foreign"], "client_details") == []
    assert len(events(session, world["newer"], "client_details")) == 1


def test_an_sms_from_an_unknown_number_changes_no_ticket(api, session, world):
    r = inbound_sms(api, f"#{world['foreign'].number} hello", sender="+12125550182")
    assert r.status_code == 200
    for t in ("older", "newer", "foreign"):
        assert events(session, world[t], "client_details") == []


def test_the_same_inbound_sms_delivered_twice_is_added_once(api, session, world):
    inbound_sms(api, "once only", sid="SMdup")
    inbound_sms(api, "once only", sid="SMdup")
    assert len(events(session, world["newer"], "client_details")) == 1


def test_confirm_by_sms_closes_a_resolved_ticket_and_reopen_reopens_it(api, session, world):
    ticket = world["newer"]
    tickets.change_status(
        session=session,
        principal=principal(world["agent"]),
        ticket=ticket,
        to="resolved",
        now=utcnow(),
    )
    session.commit()
    inbound_sms(api, "CONFIRM", sid="SMc")
    assert fresh(session, Ticket, ticket.id).status == "closed"
    other = world["older"]
    tickets.change_status(
        session=session,
        principal=principal(world["agent"]),
        ticket=other,
        to="resolved",
        now=utcnow(),
    )
    session.commit()
    inbound_sms(api, f"REOPEN #{other.number} the SMS step is skipped again", sid="SMr")
    assert fresh(session, Ticket, other.id).status == "in_progress"


def test_an_sms_reply_that_is_not_a_confirmation_reopens_a_resolved_ticket(api, session, world):
    ticket = world["newer"]
    tickets.change_status(
        session=session,
        principal=principal(world["agent"]),
        ticket=ticket,
        to="resolved",
        now=utcnow(),
    )
    session.commit()
    inbound_sms(api, "Still no reminder texts going out", sid="SMreply")
    assert fresh(session, Ticket, ticket.id).status == "in_progress"
    assert len(events(session, ticket, "reopened")) == 1


def test_an_sms_from_a_client_whose_tickets_are_all_closed_reaches_the_latest(api, session, world):
    for t in ("older", "newer"):
        ticket = world[t]
        tickets.change_status(
            session=session,
            principal=principal(world["agent"]),
            ticket=ticket,
            to="resolved",
            now=utcnow(),
        )
        tickets.confirm_fix(
            session=session, principal=principal(world["client"]), ticket=ticket, now=utcnow()
        )
    session.commit()
    inbound_sms(api, "It is happening again", sid="SMclosed")
    assert fresh(session, Ticket, world["newer"].id).status == "in_progress"
    assert fresh(session, Ticket, world["older"].id).status == "closed"


def test_stop_by_sms_opts_the_client_out_and_start_opts_back_in(api, session, world):
    inbound_sms(api, "STOP", sid="SMs1")
    assert fresh(session, User, world["client"].id).sms_opted_out
    inbound_sms(api, "start", sid="SMs2")
    assert not fresh(session, User, world["client"].id).sms_opted_out


def test_an_inbound_sms_with_a_bad_signature_is_refused(api, session, world):
    r = api.post(
        TWILIO_INBOUND,
        data={"MessageSid": "SMx", "From": PHONE, "Body": "STOP"},
        headers={"X-Twilio-Signature": "Zm9yZ2Vk"},
    )
    assert r.status_code == 403
    assert not fresh(session, User, world["client"].id).sms_opted_out


# SendGrid Event Webhook


def email_row(session: Session, ticket: Ticket) -> Notification:
    requester = session.get(User, ticket.requester_id)
    row = session.exec(
        select(Notification).where(
            Notification.ticket_id == ticket.id, Notification.to_address == requester.email
        )
    ).first()
    row.status, row.provider_message_id = "sent", f"msg{row.id}"
    session.commit()
    return row


def sg_event(row: Notification, kind: str, event_id: str, **extra) -> dict:
    return {
        "email": row.to_address,
        "event": kind,
        "sg_event_id": event_id,
        "sg_message_id": f"{row.provider_message_id}.filter0001",
        "timestamp": int(datetime(2026, 3, 3, tzinfo=UTC).timestamp()),
        **extra,
    }


def test_a_signed_bounce_marks_the_address_undeliverable_and_shows_on_the_ticket(
    api, session, world, ec_key
):
    row = email_row(session, world["newer"])
    r = sendgrid_post(api, ec_key, [sg_event(row, "bounce", "ev1", reason="550 no such user")])
    assert r.status_code == 204
    assert fresh(session, Notification, row.id).status == "undelivered"
    assert fresh(session, User, world["client"].id).email_undeliverable
    [event] = events(session, world["newer"], "notification_failed")
    assert "bounced (550 no such user)" in event.data["message"]


def test_sendgrid_events_are_applied_once_per_event_id(api, session, world, ec_key):
    row = email_row(session, world["newer"])
    batch = [sg_event(row, "delivered", "ev2")]
    sendgrid_post(api, ec_key, batch)
    sendgrid_post(api, ec_key, batch)
    assert fresh(session, Notification, row.id).status == "delivered"
    assert [r.event_id for r in receipts(session, "sendgrid_events")] == ["ev2"]


def test_a_dropped_email_is_shown_to_the_team_only(api, session, world, ec_key):
    row = email_row(session, world["newer"])
    sendgrid_post(api, ec_key, [sg_event(row, "dropped", "ev3", reason="Bounced Address")])
    [event] = events(session, world["newer"], "notification_failed")
    assert not event.is_public


@pytest.mark.parametrize("case", ["tampered", "forged", "missing"])
def test_sendgrid_events_without_a_valid_signature_are_refused(api, session, world, ec_key, case):
    row = email_row(session, world["newer"])
    batch = [sg_event(row, "bounce", "ev4")]
    if case == "tampered":
        r = sendgrid_post(api, ec_key, batch, tamper=True)
    elif case == "forged":
        r = sendgrid_post(api, ec.generate_private_key(ec.SECP256R1()), batch)
    else:
        r = api.post(SENDGRID_EVENTS, content=json.dumps(batch))
    assert r.status_code == 403
    assert fresh(session, Notification, row.id).status == "sent"
    assert not fresh(session, User, world["client"].id).email_undeliverable
    assert receipts(session, "sendgrid_events") == []


# SendGrid Inbound Parse


def inbound_email(api, ticket, sender: str, text: str, *, secret=SECRET, files=None):
    return api.post(
        f"{SENDGRID_INBOUND}?secret={secret}",
        data={
            "to": f"Support <reply+{ticket.reply_token}@reply.agency.example>",
            "from": sender,
            "subject": f"Re: Ticket #{ticket.number}",
            "text": text,
        },
        files=files or {},
    )


def test_an_email_reply_is_added_to_its_ticket_with_its_attachments(
    api, session, world, settings_env, tmp_path
):
    client = world["client"]
    reply = "Here is the screenshot.\n\nOn Tue, Support wrote:\n> We need a screenshot"
    r = inbound_email(
        api,
        world["older"],
        f"Dana <{client.email}>",
        reply,
        files={"attachment1": ("shot.png", b"\x89PNG\r\n\x1a\n fake", "image/png")},
    )
    assert r.status_code == 200
    [event] = events(session, world["older"], "client_details")
    assert event.data["body"] == "Here is the screenshot."
    [attachment] = session.exec(select(Attachment)).all()
    assert attachment.ticket_id == world["older"].id
    assert event.data["attachment_ids"] == [attachment.id]
    assert attachment.original_name == "shot.png"


def test_email_attachments_pass_the_same_content_check_and_size_limit_as_uploads(
    api, session, world, settings_env
):
    settings_env(MAX_UPLOAD_MB="0.01")
    r = inbound_email(
        api,
        world["older"],
        world["client"].email,
        "Files attached.",
        files=[
            # The sender's content type is not believed: the bytes decide.
            ("attachment1", ("shot.png", PNG, "application/octet-stream")),
            ("attachment2", ("invoice.png", b"<script>alert(1)</script>", "image/png")),
            ("attachment3", ("page.html", b"<html><body>hi</body></html>", "text/html")),
            ("attachment4", ("huge.log", b"x" * 20_000, "text/plain")),
        ],
    )
    assert r.status_code == 200
    [kept] = session.exec(select(Attachment)).all()
    assert (kept.original_name, kept.content_type) == ("shot.png", "image/png")
    [event] = events(session, world["older"], "client_details")
    assert event.data["attachment_ids"] == [kept.id]
    [receipt] = receipts(session, "sendgrid_inbound")
    assert "invoice.png does not contain what its name says" in receipt.detail
    assert "only PNG" in receipt.detail and "huge.log is larger than" in receipt.detail


def test_an_email_larger_than_the_upload_cap_is_refused_unread(api, session, world, settings_env):
    settings_env(MAX_UPLOAD_REQUEST_MB="0.05")
    r = inbound_email(
        api,
        world["older"],
        world["client"].email,
        "A big one.",
        files={"attachment1": ("big.log", b"x" * 100_000, "text/plain")},
    )
    assert r.status_code == 413
    assert events(session, world["older"], "client_details") == []


def test_an_email_from_another_organization_is_not_threaded_into_the_ticket(api, session, world):
    r = inbound_email(api, world["newer"], world["other"].email, "let me in")
    assert r.status_code == 200
    assert events(session, world["newer"], "client_details") == []


def test_an_email_reply_to_a_resolved_ticket_reopens_it(api, session, world):
    ticket = world["older"]
    tickets.change_status(
        session=session,
        principal=principal(world["agent"]),
        ticket=ticket,
        to="resolved",
        now=utcnow(),
    )
    session.commit()
    inbound_email(api, ticket, world["client"].email, "No, the reminders are still missing.")
    assert fresh(session, Ticket, ticket.id).status == "in_progress"


@pytest.mark.parametrize("secret", ["", "wrong-secret"])
def test_inbound_email_without_the_secret_is_refused(api, session, world, secret):
    r = inbound_email(api, world["newer"], world["client"].email, "hi", secret=secret)
    assert r.status_code == 403
    assert events(session, world["newer"], "client_details") == []
    assert receipts(session, "sendgrid_inbound") == []
