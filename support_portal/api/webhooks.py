"""Provider webhooks: Twilio status and inbound SMS, SendGrid events and Inbound Parse.

Each route checks the provider's signature (or the secret in the URL) first; a request that
fails the check gets 403, changes nothing, and leaves a refused receipt for the record.
Each call is one use case of `services.inbound`, run off the event loop by `api.in_db`.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from support_portal.api import in_db
from support_portal.clock import utcnow
from support_portal.services import inbound
from support_portal.settings import get_settings

log = logging.getLogger(__name__)

TWILIO_STATUS = "/api/webhooks/twilio/status"
TWILIO_INBOUND = "/api/webhooks/twilio/inbound"
SENDGRID_EVENTS = "/api/webhooks/sendgrid/events"
SENDGRID_INBOUND = "/api/webhooks/sendgrid/inbound"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


async def _refuse(provider: str, detail: str) -> Response:
    log.warning("refused %s webhook: %s", provider, detail)
    await in_db(lambda s: inbound.refuse_webhook(s, provider=provider, detail=detail))
    return PlainTextResponse("Forbidden", status_code=403)


def _twilio_url(request: Request) -> str:
    """The URL as Twilio called it: our public base URL, not the address behind the proxy."""
    url = get_settings().public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


async def _twilio_form(request: Request, provider: str) -> dict[str, str] | Response:
    from twilio.request_validator import RequestValidator

    token = get_settings().twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    form = await request.form()
    params = {k: str(v) for k, v in form.items()}
    if not token or not signature:
        return await _refuse(provider, "missing signature or auth token")
    if not RequestValidator(token).validate(_twilio_url(request), params, signature):
        return await _refuse(provider, "wrong signature")
    return params


async def twilio_status(request: Request) -> Response:
    params = await _twilio_form(request, "twilio_status")
    if isinstance(params, Response):
        return params
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    status = params.get("MessageStatus") or params.get("SmsStatus") or ""
    now = utcnow()

    await in_db(
        lambda s: inbound.receive_twilio_status(
            s, message_sid=sid, status=status, error_code=params.get("ErrorCode"), now=now
        )
    )
    return Response(status_code=204)


async def twilio_inbound(request: Request) -> Response:
    params = await _twilio_form(request, "twilio_inbound")
    if isinstance(params, Response):
        return params
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    now = utcnow()

    outcome = await in_db(
        lambda s: inbound.receive_sms(
            s,
            message_sid=sid,
            from_phone=params.get("From", ""),
            body=params.get("Body", ""),
            now=now,
        )
    )
    if outcome is not None:
        log.info("inbound SMS %s: %s %s", sid, outcome.action, outcome.ticket_number or "")
    return Response(EMPTY_TWIML, media_type="text/xml")


def _sendgrid_signature_ok(raw: str, signature: str, timestamp: str) -> bool:
    from sendgrid.helpers.eventwebhook import EventWebhook

    key = get_settings().sendgrid_webhook_public_key
    if not key or not signature or not timestamp:
        return False
    try:
        return bool(EventWebhook(public_key=key).verify_signature(raw, signature, timestamp))
    except Exception:  # malformed key, signature or encoding: not a valid signature
        return False


async def sendgrid_events(request: Request) -> Response:
    from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader

    raw = (await request.body()).decode("utf-8", "replace")
    signature = request.headers.get(EventWebhookHeader.SIGNATURE, "")
    timestamp = request.headers.get(EventWebhookHeader.TIMESTAMP, "")
    if not _sendgrid_signature_ok(raw, signature, timestamp):
        return await _refuse("sendgrid_events", "missing or wrong signature")
    try:
        events = json.loads(raw)
    except ValueError:
        return PlainTextResponse("Bad JSON", status_code=400)
    if not isinstance(events, list):
        events = [events]
    now = utcnow()

    await in_db(lambda s: inbound.receive_sendgrid_events(s, events=events, now=now))
    return Response(status_code=204)


async def sendgrid_inbound(request: Request) -> Response:
    secret = get_settings().sendgrid_inbound_secret
    given = request.query_params.get("secret", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return await _refuse("sendgrid_inbound", "missing or wrong secret")
    form = await request.form()
    files: list[inbound.InboundFile] = []
    for value in form.values():
        if hasattr(value, "read") and hasattr(value, "filename"):
            files.append(
                inbound.InboundFile(
                    filename=value.filename or "attachment",
                    content_type=value.content_type or "application/octet-stream",
                    data=await value.read(),
                )
            )
    to = str(form.get("to") or "")
    envelope = str(form.get("envelope") or "")
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        to = to + ", " + ", ".join(json.loads(envelope).get("to") or []) if envelope else to
    sender = str(form.get("from") or "")
    text = str(form.get("text") or "")
    now = utcnow()

    await in_db(
        lambda s: inbound.receive_email(s, to=to, sender=sender, text=text, files=files, now=now)
    )
    # 200 even when ignored: SendGrid would otherwise retry a message we will never take.
    return PlainTextResponse("OK")


def routes() -> list[Route]:
    return [
        Route(TWILIO_STATUS, twilio_status, methods=["POST"]),
        Route(TWILIO_INBOUND, twilio_inbound, methods=["POST"]),
        Route(SENDGRID_EVENTS, sendgrid_events, methods=["POST"]),
        Route(SENDGRID_INBOUND, sendgrid_inbound, methods=["POST"]),
    ]
