"""GET /files/{id}: an attachment, only for a signed-in user who may see it."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from support_portal import urls
from support_portal.clock import utcnow
from support_portal.db import session_scope
from support_portal.services import auth
from support_portal.services.attachments import open_attachment
from support_portal.services.errors import NotFound

_INLINE = ("image/png", "image/jpeg", "image/gif", "image/webp")


def _not_found() -> Response:
    # The same answer for a missing file and for one the user may not see.
    return JSONResponse({"error": "File not found."}, status_code=404)


def _serve(request: Request) -> Response:
    token = request.cookies.get(urls.SESSION_COOKIE)
    with session_scope() as session:
        principal = auth.principal_for_token(session=session, token=token, now=utcnow())
        if principal is None:
            return JSONResponse({"error": "Sign in to see this file."}, status_code=401)
        try:
            att, path = open_attachment(
                session=session,
                principal=principal,
                attachment_id=request.path_params["attachment_id"],
            )
        except NotFound:
            return _not_found()
    disposition = "inline" if att.content_type in _INLINE else "attachment"
    return FileResponse(
        path,
        media_type=att.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(att.original_name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


async def download(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_serve, request)


routes = [Route("/files/{attachment_id:int}", download, methods=["GET"])]
