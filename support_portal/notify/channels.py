"""Channel adapters behind one small interface: `send(message) -> SendResult`.

A channel raises `TemporaryFailure` for what may work later (429, 5xx, connection errors,
timeouts) and `PermanentFailure` for what never will (invalid number, unsubscribed, bad
address). The dispatcher decides about retries; channels never retry themselves.
Channels are built at start-up by `build_channels()`, never at import.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from support_portal.settings import Settings, get_settings

log = logging.getLogger(__name__)

# Twilio error codes that will never succeed on retry.
TWILIO_INVALID_NUMBER = 21211
TWILIO_UNSUBSCRIBED = 21610
TWILIO_PERMANENT = {
    TWILIO_INVALID_NUMBER: "invalid number",
    TWILIO_UNSUBSCRIBED: "the recipient unsubscribed (replied STOP)",
    21614: "not a mobile number",
    21408: "region not enabled",
    21612: "number cannot receive messages",
}
STATUS_CALLBACK_PATH = "/api/webhooks/twilio/status"


@dataclass(frozen=True)
class OutgoingMessage:
    """What a channel needs to send one notification row."""

    notification_id: int
    channel: str
    to: str
    subject: str
    text: str
    html: str = ""
    reply_to: str | None = None


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str | None


class TemporaryFailure(Exception):
    """Worth retrying later."""


class PermanentFailure(Exception):
    """Will never succeed; `code` is the provider's (e.g. 21211), `reason` is for people."""

    def __init__(self, code: str | int | None, reason: str) -> None:
        super().__init__(f"{code}: {reason}" if code is not None else reason)
        self.code = code
        self.reason = reason


class Channel(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> SendResult: ...


class ConsoleChannel:
    """The embedded default: logs what would be sent, so the app works with no credentials."""

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, message: OutgoingMessage) -> SendResult:
        log.info("[%s to %s] %s\n%s", self.name, message.to, message.subject, message.text.strip())
        return SendResult(provider_message_id=f"console-{uuid.uuid4().hex[:16]}")


@dataclass
class RecordingChannel:
    """A fake for tests: records every send and fails as scripted.

    `script` is consumed one entry per call: None means success, an exception is raised.
    """

    name: str = "email"
    sent: list[OutgoingMessage] = field(default_factory=list)
    script: list[Exception | None] = field(default_factory=list)
    fail_always: Exception | None = None

    def send(self, message: OutgoingMessage) -> SendResult:
        if self.fail_always is not None:
            raise self.fail_always
        if self.script:
            outcome = self.script.pop(0)
            if outcome is not None:
                raise outcome
        self.sent.append(message)
        return SendResult(provider_message_id=f"fake-{message.notification_id}-{len(self.sent)}")


def _classify_http(status: int, code: Any, detail: str) -> Exception:
    if status == 429 or status >= 500:
        return TemporaryFailure(f"HTTP {status}: {detail}")
    return PermanentFailure(code if code is not None else status, detail or f"HTTP {status}")


class SendGridChannel:
    """Email through the SendGrid v3 Mail Send API (the official SDK)."""

    name = "email"

    def __init__(self, settings: Settings) -> None:
        from sendgrid import SendGridAPIClient

        kw: dict[str, Any] = {"api_key": settings.sendgrid_api_key}
        if settings.sendgrid_host:
            kw["host"] = settings.sendgrid_host
        self._client = SendGridAPIClient(**kw)
        self._from = settings.email_from
        self._timeout = settings.provider_timeout_seconds

    def _payload(self, message: OutgoingMessage) -> dict[str, Any]:
        content = [{"type": "text/plain", "value": message.text}]
        if message.html:
            content.append({"type": "text/html", "value": message.html})
        personalization = {
            "to": [{"email": message.to}],
            # Comes back in Event Webhook payloads, tying events to this row.
            "custom_args": {"notification_id": str(message.notification_id)},
        }
        payload: dict[str, Any] = {
            "personalizations": [personalization],
            "from": {"email": self._from},
            "subject": message.subject or "(no subject)",
            "content": content,
        }
        if message.reply_to:
            payload["reply_to"] = {"email": message.reply_to}
        return payload

    def send(self, message: OutgoingMessage) -> SendResult:
        from python_http_client.exceptions import HTTPError

        try:
            response = self._client.client.mail.send.post(
                request_body=self._payload(message), timeout=self._timeout
            )
        except HTTPError as exc:
            body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else ""
            raise _classify_http(int(exc.status_code), None, _sendgrid_error(body)) from exc
        except OSError as exc:  # connection refused, DNS, timeouts (socket.timeout is OSError)
            raise TemporaryFailure(f"SendGrid unreachable: {exc}") from exc
        headers = response.headers
        message_id = headers.get("X-Message-Id") if headers is not None else None
        return SendResult(provider_message_id=message_id)


def _sendgrid_error(body: str) -> str:
    import json

    try:
        errors = json.loads(body).get("errors") or []
        return "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict))[:300]
    except (ValueError, AttributeError):
        return body[:300]


_TWILIO_HOST = re.compile(r"^https://[a-z0-9.-]*\.twilio\.com")


def twilio_http_client(timeout: float, base_url: str | None) -> Any:
    """The SDK's HTTP client with a timeout, optionally pointed at another host (a mock)."""
    from twilio.http.http_client import TwilioHttpClient

    class _Client(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
            if base_url:
                url = _TWILIO_HOST.sub(base_url.rstrip("/"), url)
            return super().request(method, url, *args, **kwargs)

    return _Client(timeout=timeout)


class TwilioChannel:
    """SMS through Twilio's Messages API (the official SDK)."""

    name = "sms"

    def __init__(self, settings: Settings) -> None:
        from twilio.rest import Client

        self._client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            http_client=twilio_http_client(
                settings.provider_timeout_seconds, settings.twilio_base_url
            ),
            # Host-rewriting TWILIO_EDGE/TWILIO_REGION variables must not apply.
            environment={},
        )
        self._from = settings.twilio_from_number
        self._service = settings.twilio_messaging_service_sid
        self._callback = settings.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH

    def send(self, message: OutgoingMessage) -> SendResult:
        import requests
        from twilio.base.exceptions import TwilioRestException

        kw: dict[str, Any] = {"to": message.to, "body": message.text}
        if self._service:
            kw["messaging_service_sid"] = self._service
        else:
            kw["from_"] = self._from
        if self._callback.startswith("https://"):
            kw["status_callback"] = self._callback
        try:
            created = self._client.messages.create(**kw)
        except TwilioRestException as exc:
            if exc.code in TWILIO_PERMANENT:
                raise PermanentFailure(exc.code, TWILIO_PERMANENT[exc.code]) from exc
            raise _classify_http(int(exc.status), exc.code, str(exc.msg)[:300]) from exc
        except requests.RequestException as exc:
            raise TemporaryFailure(f"Twilio unreachable: {exc}") from exc
        return SendResult(provider_message_id=created.sid)


def build_channels(settings: Settings | None = None) -> dict[str, Channel]:
    """Real providers where credentials are set, the console for the rest."""
    settings = settings or get_settings()
    channels: dict[str, Channel] = {}
    channels["email"] = (
        SendGridChannel(settings) if settings.sendgrid_api_key else ConsoleChannel("email")
    )
    has_twilio = settings.twilio_account_sid and settings.twilio_auth_token
    has_sender = settings.twilio_from_number or settings.twilio_messaging_service_sid
    channels["sms"] = (
        TwilioChannel(settings) if has_twilio and has_sender else ConsoleChannel("sms")
    )
    return channels
