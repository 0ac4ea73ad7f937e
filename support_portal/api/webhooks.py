"""Provider webhooks: Twilio status and inbound SMS, SendGrid events and Inbound Parse.

Each route checks the provider's signature (or the secret in the URL) before it parses anything:
the Twilio routes read the raw body (capped in size) and check the signature over it, so a forged
call never reaches a form parser. A refused call gets 403, changes nothing and writes no row: it
is logged and counted per provider in this process (`refusal_counts`), so a flood of forged calls
cannot fill the database. Each call is one use case of `services.inbound`, run off the event
loop by `api.in_db`.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
from collections import Counter
from urllib.parse import parse_qsl

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
# Twilio posts a few hundred bytes of form fields; SendGrid batches events up to about 1 MB.
MAX_TWILIO_BYTES = 64 * 1024
MAX_SENDGRID_EVENTS_BYTES = 4 * 1024 * 1024

_refusals: Counter[str] = Counter()


class BodyTooLarge(Exception):
    pass


def refusal_counts() -> dict[str, int]:
    """Refused calls per provider route since this process started."""
    return dict(_refusals)


def _refuse(provider: str, detail: str, request: Request) -> Response:
    # A counter and a log line, never a row: forged calls cost the attacker, not the database.
    _refusals[provider] += 1
    client = request.client.host if request.client else "?"
    log.warning(
        "refused %s webhook from %s: %s (%d refused so far)",
        provider,
        client,
        detail,
        _refusals[provider],
    )
    return PlainTextResponse("Forbidden", status_code=403)


async def _raw_body(request: Request, limit: int) -> bytes:
    """The body, given up on once it passes `limit` rather than read whole into memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> Response:
    return PlainTextResponse("Payload too large", status_code=413)


def _twilio_url(request: Request) -> str:
    """The URL as Twilio called it: our public base URL, not the address behind the proxy."""
    url = get_settings().public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


async def _twilio_form(request: Request, provider: str) -> dict[str, str] | Response:
    """The signed form fields, or the refusal; the signature is checked on the raw body."""
    from twilio.request_validator import RequestValidator

    token = get_settings().twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return _refuse(provider, "missing signature or auth token", request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _refuse(provider, f"unexpected content type {content_type!r}", request)
    try:
        raw = await _raw_body(request, MAX_TWILIO_BYTES)
    except BodyTooLarge:
        return _too_large()
    # Twilio signs the URL plus every posted field; parse them from the bytes we hold.
    params = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    if not RequestValidator(token).validate(_twilio_url(request), params, signature):
        return _refuse(provider, "wrong signature", request)
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

    signature = request.headers.get(EventWebhookHeader.SIGNATURE, "")
    timestamp = request.headers.get(EventWebhookHeader.TIMESTAMP, "")
    if not signature or not timestamp:
        return _refuse("sendgrid_events", "missing signature", request)
    try:
        raw = (await _raw_body(request, MAX_SENDGRID_EVENTS_BYTES)).decode("utf-8", "replace")
    except BodyTooLarge:
        return _too_large()
    if not _sendgrid_signature_ok(raw, signature, timestamp):
        return _refuse("sendgrid_events", "wrong signature", request)
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
        return _refuse("sendgrid_inbound", "missing or wrong secret", request)
    # Like an upload: a message larger than the request cap is refused before it is read.
    declared = request.headers.get("content-length", "")
    limit = get_settings().max_upload_request_mb * 1024 * 1024
    if not declared.isdigit() or int(declared) > limit:
        return _too_large()
    form = await request.form()
    files: list[inbound.InboundFile] = []
    for value in form.values():
        if hasattr(value, "read") and hasattr(value, "filename"):
            files.append(
                inbound.InboundFile(
                    filename=value.filename or "attachment", data=await value.read()
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
