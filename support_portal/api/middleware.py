"""ASGI middleware around the whole backend: Reflex's pages, `/_event`, `/_upload`, and our
own `/api` and `/files` routes.

`guard_uploads` turns away a file upload before a byte of its body is read: the sender must
hold a live sign-in session, and the request must declare a size under the cap.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from reflex_base.constants import Endpoint
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import cookie_parser

from support_portal import urls
from support_portal.db import session_scope
from support_portal.services import auth
from support_portal.settings import get_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATH = "/" + str(Endpoint.UPLOAD).strip("/")


def session_token(headers: Headers) -> str:
    """The sign-in token from a request's Cookie header ('' if there is none)."""
    return cookie_parser(headers.get("cookie", "")).get(urls.SESSION_COOKIE, "")


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
        return auth.principal_for_token(session=session, token=token) is not None


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
        token = session_token(headers)
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
