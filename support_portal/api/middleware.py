"""ASGI middleware around the whole backend: Reflex's pages, `/_event`, `/_upload`, and our
own `/api` and `/files` routes.

`security_headers` gives every response (and the websocket handshake) the browser security
headers; a page's Content-Security-Policy allows exactly the inline scripts that page carries
(their SHA-256 hashes, read from the HTML as it is sent), so an injected script does not run.
`guard_uploads` turns away a file upload before a byte of its body is read: the sender must
hold a live sign-in session, and the request must declare a size under the cap.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from reflex_base.constants import Endpoint
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from support_portal.clock import utcnow
from support_portal.db import session_scope
from support_portal.services import auth
from support_portal.settings import get_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATH = "/" + str(Endpoint.UPLOAD).strip("/")


async def _answer(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _signed_in(token: str) -> bool:
    with session_scope() as session:
        return auth.principal_for_token(session=session, token=token, now=utcnow()) is not None


def guard_uploads(app: ASGIApp) -> ASGIApp:
    """Refuse an upload from someone not signed in, or larger than the cap, unread."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or scope["path"].rstrip("/") != UPLOAD_PATH
        ):
            await app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        token = auth.token_from_cookie_header(headers.get("cookie", ""))
        if not token or not await run_in_threadpool(_signed_in, token):
            await _answer(send, 401, "Sign in to upload files.")
            return
        limit = int(get_settings().max_upload_request_mb * 1024 * 1024)
        declared = headers.get("content-length", "")
        if not declared.isdigit():
            await _answer(send, 411, "An upload must declare its size.")
            return
        if int(declared) > limit:
            mb = get_settings().max_upload_request_mb
            await _answer(send, 413, f"Uploads are limited to {mb:g} MB at a time.")
            return
        received = 0

        async def counted() -> Message:
            # The declared size is what was checked: a body that runs past it is cut off.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > int(declared):
                    return {"type": "http.disconnect"}
            return message

        await app(scope, counted, send)

    return guarded


_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.I)
# Pages larger than this are sent without script hashes (and so run no inline script).
_MAX_HASHED_HTML = 4 * 1024 * 1024

# Reflex runs `rx.call_script` code with eval(), hence 'unsafe-eval'; Radix and Emotion write
# inline styles, hence 'unsafe-inline' for styles only.
_PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval' {hashes}; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"


def script_hashes(html: bytes) -> list[str]:
    """CSP source expressions for each inline script of a page."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def page_policy(html: bytes) -> bytes:
    return _PAGE_POLICY.format(hashes=" ".join(dict.fromkeys(script_hashes(html)))).encode()


def _read_page(path: str, encoding: str) -> bytes:
    with open(path, "rb") as f:
        data = f.read(_MAX_HASHED_HTML + 1)
    if len(data) > _MAX_HASHED_HTML:
        return b""
    return _decoded(data, encoding) or b""


def _common_headers() -> list[tuple[bytes, bytes]]:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if get_settings().public_base_url.lower().startswith("https://"):
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers


def _with_headers(
    headers: list[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """`extra` added, except where the route already chose a value (e.g. a stricter CSP)."""
    present = {name.lower() for name, _ in headers}
    return [*headers, *((n, v) for n, v in extra if n not in present)]


def _decoded(body: bytes, encoding: str) -> bytes | None:
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error):
        return None
    return body if not encoding else None


def security_headers(app: ASGIApp) -> ASGIApp:
    """Add the security headers to every response, with a per-page CSP for HTML."""

    async def with_headers(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":

            async def send_ws(message: Message) -> None:
                if message["type"] == "websocket.accept":
                    message = {
                        **message,
                        "headers": _with_headers(
                            list(message.get("headers") or []), _common_headers()
                        ),
                    }
                await send(message)

            await app(scope, receive, send_ws)
            return
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        # Only encodings we can read back are asked of the static files (for script hashes).
        scope = {
            **scope,
            "headers": [
                (k, b"gzip" if k == b"accept-encoding" and b"gzip" in v else v)
                for k, v in scope["headers"]
                if k != b"accept-encoding" or b"gzip" in v
            ],
        }
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0

        async def send_http(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                headers = Headers(raw=list(message.get("headers") or []))
                if headers.get("content-type", "").startswith("text/html"):
                    start = message  # held until the whole page is here
                    return
                extra = _common_headers()
                if message["status"] != 304:
                    # A 304's headers replace the cached page's: its CSP (hashes) must stay.
                    extra.append((b"content-security-policy", _OTHER_POLICY.encode()))
                await send({**message, "headers": _with_headers(headers.raw, extra)})
                return
            if start is not None and message["type"] == "http.response.pathsend":
                # The server sends the file itself (ASGI pathsend): read it for the hashes.
                headers = Headers(raw=list(start.get("headers") or []))
                encoding = headers.get("content-encoding", "").strip().lower()
                html = await run_in_threadpool(_read_page, message["path"], encoding)
                extra = [*_common_headers(), (b"content-security-policy", page_policy(html))]
                await send({**start, "headers": _with_headers(headers.raw, extra)})
                start = None
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if message.get("more_body") and size <= _MAX_HASHED_HTML:
                return
            body = b"".join(chunks)
            headers = Headers(raw=list(start.get("headers") or []))
            html = _decoded(body, headers.get("content-encoding", "").strip().lower())
            # A page too large to hold (or in an unreadable encoding) runs no inline script.
            policy = page_policy(html if html and not message.get("more_body") else b"")
            extra = [*_common_headers(), (b"content-security-policy", policy)]
            await send({**start, "headers": _with_headers(headers.raw, extra)})
            await send({**message, "body": body})
            start = None

        await app(scope, receive, send_http)

    return with_headers
