"""The real SendGrid and Twilio SDKs, through our channels, against Stoplight Prism serving the
providers' official OpenAPI specs. Prism runs with `--errors`, so a request that breaks the
spec gets an error instead of a mock answer, and any `sl-violations` header fails the test.

Error paths use a copy of each spec that adds the responses the providers document but the
specs lack (Twilio 400 with codes 21211/21610, 429 and 500; SendGrid 429 and `X-Message-Id`),
chosen per request with Prism's `Prefer: code=..., example=...` header.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import python_http_client
from sqlmodel import select

from support_portal.models import Notification, TicketEvent, User
from support_portal.notify.channels import (
    OutgoingMessage,
    PermanentFailure,
    SendGridChannel,
    TemporaryFailure,
    TwilioChannel,
)
from support_portal.notify.dispatcher import dispatch_due
from support_portal.settings import Settings
from support_portal.testkit.contracts import (
    ACCOUNT,
    CONTRACTS,
    PRISM,
    sendgrid_spec_with_errors,
    serve,
    twilio_spec_with_errors,
)
from support_portal.testkit.factories import make_ticket, make_user


def _missing(what: str) -> None:
    # In CI a missing tool is a broken build, not a reason to skip.
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI is set, so this fails instead of skipping)")
    pytest.skip(what)


@pytest.fixture(scope="module")
def prism_bin() -> Path:
    if not PRISM.exists():
        _missing(f"Prism is not installed at {PRISM}: run `make tools`")
    if not (CONTRACTS / "twilio_api_v2010.json").exists():
        _missing(f"provider specs not found in {CONTRACTS}: set CONTRACTS_DIR")
    return PRISM


@pytest.fixture(scope="module")
def twilio_mock(prism_bin, tmp_path_factory) -> Iterator[str]:
    yield from serve(prism_bin, twilio_spec_with_errors(), tmp_path_factory.mktemp("p"), "tw.json")


@pytest.fixture(scope="module")
def sendgrid_mock(prism_bin, tmp_path_factory) -> Iterator[str]:
    yield from serve(
        prism_bin, sendgrid_spec_with_errors(), tmp_path_factory.mktemp("p"), "sg.json"
    )


class Prefer:
    """Prism's `Prefer` header per call, in order; and every response's headers, to check."""

    def __init__(self) -> None:
        self.queue: list[str] = []
        self.headers: list[dict[str, str]] = []

    def next(self) -> str | None:
        return self.queue.pop(0) if self.queue else None

    def assert_no_violations(self) -> None:
        assert self.headers, "no request reached the mock"
        for h in self.headers:
            lowered = {k.lower(): v for k, v in h.items()}
            assert "sl-violations" not in lowered, lowered["sl-violations"]


def settings_for(**kw) -> Settings:
    base = dict(
        public_base_url="https://portal.example.com",
        provider_timeout_seconds=5,
        email_from="support@agency.example",
    )
    return Settings(**{**base, **kw})


@pytest.fixture
def sms(twilio_mock) -> tuple[TwilioChannel, Prefer]:
    channel = TwilioChannel(
        settings_for(
            twilio_account_sid=ACCOUNT,
            twilio_auth_token="token",
            twilio_from_number="+14155550100",
            twilio_base_url=twilio_mock,
        )
    )
    prefer = Prefer()
    http = channel._client.http_client
    original = http.request

    def request(method, url, params=None, data=None, headers=None, **kw):
        headers = dict(headers or {})
        if choice := prefer.next():
            headers["Prefer"] = choice
        response = original(method, url, params, data, headers, **kw)
        prefer.headers.append(dict(response.headers or {}))
        return response

    http.request = request
    return channel, prefer


@pytest.fixture
def email(sendgrid_mock, monkeypatch) -> tuple[SendGridChannel, Prefer]:
    channel = SendGridChannel(settings_for(sendgrid_api_key="SG.test", sendgrid_host=sendgrid_mock))
    prefer = Prefer()
    original = python_http_client.Client._make_request

    def make_request(self, opener, request, timeout=None):
        if choice := prefer.next():
            request.add_header("Prefer", choice)
        try:
            response = original(self, opener, request, timeout)
        except python_http_client.exceptions.HTTPError as exc:
            prefer.headers.append(dict(exc.headers or {}))
            raise
        prefer.headers.append(dict(response.headers or {}))
        return response

    monkeypatch.setattr(python_http_client.Client, "_make_request", make_request)
    return channel, prefer


def message(channel: str, to: str, **kw) -> OutgoingMessage:
    return OutgoingMessage(
        notification_id=kw.pop("notification_id", 7),
        channel=channel,
        to=to,
        subject="Ticket #1042 is fixed: please confirm",
        text="We believe ticket #1042 is fixed. Reply CONFIRM.",
        html="<p>We believe ticket #1042 is fixed.</p>",
        reply_to="reply+abc123@reply.agency.example",
        **kw,
    )


# Twilio


def test_an_sms_is_accepted_by_the_twilio_contract_and_returns_its_sid(sms):
    channel, prefer = sms
    result = channel.send(message("sms", "+14155552671"))
    assert result.provider_message_id.startswith("SM")
    prefer.assert_no_violations()


@pytest.mark.parametrize(
    ("example", "code", "reason"),
    [("invalid_number", 21211, "invalid number"), ("unsubscribed", 21610, "unsubscribed")],
)
def test_twilio_permanent_errors_are_not_retryable(sms, example, code, reason):
    channel, prefer = sms
    prefer.queue.append(f"code=400, example={example}")
    with pytest.raises(PermanentFailure) as caught:
        channel.send(message("sms", "+14155552671"))
    assert caught.value.code == code and reason in caught.value.reason
    prefer.assert_no_violations()


@pytest.mark.parametrize("status", [429, 500])
def test_twilio_rate_limits_and_server_errors_are_temporary(sms, status):
    channel, prefer = sms
    prefer.queue.append(f"code={status}")
    with pytest.raises(TemporaryFailure):
        channel.send(message("sms", "+14155552671"))
    prefer.assert_no_violations()


# SendGrid


def test_an_email_is_accepted_by_the_sendgrid_contract_and_keeps_its_message_id(email):
    channel, prefer = email
    result = channel.send(message("email", "dana@brightsmiles.example"))
    assert result.provider_message_id == "W1bCRUMxRyeyLo0Y3aYJWA"
    prefer.assert_no_violations()


def test_a_sendgrid_400_is_permanent(email):
    channel, prefer = email
    prefer.queue.append("code=400")
    with pytest.raises(PermanentFailure) as caught:
        channel.send(message("email", "dana@brightsmiles.example"))
    assert caught.value.code == 400
    prefer.assert_no_violations()


@pytest.mark.parametrize("status", [429, 500])
def test_sendgrid_rate_limits_and_server_errors_are_temporary(email, status):
    channel, prefer = email
    prefer.queue.append(f"code={status}")
    with pytest.raises(TemporaryFailure):
        channel.send(message("email", "dana@brightsmiles.example"))
    prefer.assert_no_violations()


def test_an_email_that_breaks_the_contract_is_caught(email):
    channel, _ = email
    # An empty recipient list breaks the Mail Send schema: Prism refuses it.
    with pytest.raises((PermanentFailure, TemporaryFailure)):
        channel.send(message("email", ""))


# Through the dispatcher


def test_a_429_then_success_sends_each_notification_once_through_both_providers(
    session, clock, sms, email
):
    sms_channel, sms_prefer = sms
    email_channel, email_prefer = email
    client = make_user(session, "client", phone="+14155552671", notify_sms=True)
    make_ticket(session, requester=client, now=clock.now)
    session.commit()
    rows = session.exec(select(Notification)).all()
    sms_prefer.queue.append("code=429")
    email_prefer.queue += ["code=429", "code=500"]
    channels = {"email": email_channel, "sms": sms_channel}
    dispatch_due(session, now=clock.now, channels=channels)
    session.expire_all()
    assert {r.status for r in session.exec(select(Notification))} == {"pending"}
    for _ in range(4):
        dispatch_due(session, now=clock.advance(minutes=5), channels=channels)
    session.expire_all()
    rows = session.exec(select(Notification)).all()
    assert {r.status for r in rows} == {"sent"}
    assert all(r.provider_message_id for r in rows)
    assert len(sms_prefer.headers) == 2 and len(email_prefer.headers) == 4
    sms_prefer.assert_no_violations()
    email_prefer.assert_no_violations()


def test_an_invalid_number_fails_once_and_shows_on_the_ticket(session, clock, sms, email):
    sms_channel, sms_prefer = sms
    email_channel, _ = email
    client = make_user(session, "client", phone="+14155552671", notify_sms=True)
    ticket = make_ticket(session, requester=client, now=clock.now)
    session.commit()
    sms_prefer.queue.append("code=400, example=unsubscribed")
    channels = {"email": email_channel, "sms": sms_channel}
    dispatch_due(session, now=clock.now, channels=channels)
    dispatch_due(session, now=clock.advance(hours=1), channels=channels)
    assert len(sms_prefer.headers) == 1
    session.expire_all()
    assert session.get(User, client.id).sms_opted_out
    event = session.exec(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "notification_failed"
        )
    ).one()
    assert event.data["message"].startswith("SMS to +14155552671 failed: ")
