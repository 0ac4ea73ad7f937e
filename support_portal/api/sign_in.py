"""POST /auth/sign-in and GET /auth/signed-out: the only places the session cookie is written.

The sign-in page posts its form here (a plain HTML form, no script). A good password gets a
303 to the user's home page with the token in an HttpOnly, SameSite=Lax cookie (Secure when
the app is served over https); page scripts cannot read it, and the websocket reads it from
the Cookie header of its own handshake. A refusal goes back to the sign-in page with a code
for the message and the email that was typed; the password is never echoed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from support_portal import urls
from support_portal.api import in_db
from support_portal.clock import utcnow
from support_portal.domain.roles import HOME_PAGE, Role
from support_portal.services import auth
from support_portal.settings import get_settings

MAX_FORM_BYTES = 16 * 1024


def _back_to_sign_in(code: str, email: str) -> Response:
    query = urlencode({"error": code, "email": email[:320]})
    return RedirectResponse(f"{urls.LOGIN}?{query}", status_code=303)


def _set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        urls.SESSION_COOKIE,
        token,
        max_age=int(settings.session_hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.public_base_url.lower().startswith("https://"),
    )


def _cross_site(request: Request) -> bool:
    """A form posted from another site (login CSRF): its Origin is not one of ours."""
    origin = request.headers.get("origin")
    return origin is not None and origin.rstrip("/") not in get_settings().allowed_origins()


async def sign_in(request: Request) -> Response:
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
        return _back_to_sign_in("missing", "")
    form = await request.form()
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    if _cross_site(request):
        return _back_to_sign_in("origin", "")
    if not email or not password:
        return _back_to_sign_in("missing", email)
    address = request.client.host if request.client else ""

    now = utcnow()

    def work(session: Session) -> tuple[str, str]:
        token, user = auth.sign_in(
            session=session, email=email, password=password, client_address=address, now=now
        )
        return token, user.role

    try:
        token, role = await in_db(work)
    except auth.SignInFailed:
        return _back_to_sign_in("wrong", email)
    except auth.SignInThrottled as exc:
        return _back_to_sign_in(exc.code, email)
    response = RedirectResponse(HOME_PAGE[Role(role)], status_code=303)
    _set_session_cookie(response, token)
    return response


async def signed_out(request: Request) -> Response:
    """Clears the cookie once the page has ended the session (`SessionState.sign_out`)."""
    response = RedirectResponse(urls.LOGIN, status_code=303)
    response.delete_cookie(urls.SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


routes = [
    Route(urls.SIGN_IN_POST, sign_in, methods=["POST"]),
    Route(urls.SIGNED_OUT, signed_out, methods=["GET"]),
]
