"""The signed-in user, checked against the database on every event that needs it.

The browser holds only a random session token, in an HttpOnly cookie that a server response
set (`api/sign_in.py`): page scripts cannot read it, and it is never part of the state sent
to the browser. It is read here from the Cookie header of the tab's websocket handshake
(`router.headers.cookie`, which Reflex keeps on the server). The user's id and role are looked
up server-side each time, so a signed-out or expired session stops working at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import reflex as rx
from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec

from support_portal import urls
from support_portal.clock import utcnow
from support_portal.domain.roles import HOME_PAGE, Role
from support_portal.realtime import topics
from support_portal.services import auth, unit_of_work
from support_portal.services.authz import Principal
from support_portal.services.errors import Unavailable

T = TypeVar("T")


async def in_db(fn: Callable[..., T]) -> T:
    """Run one use case off the event loop in its own unit of work.

    The service commits what it changes; every refusal arrives as a `ServiceError` whose
    message is fit to show, which the handler turns into a field error or a toast.
    """
    return await rx.run_in_thread(lambda: unit_of_work.run(fn))


def backend_error_toast(exception: Exception) -> EventSpec:
    """The app's backend exception handler: an unreachable database is said plainly (and
    not logged as a crash); anything else gets Reflex's generic error toast."""
    if isinstance(exception, Unavailable):
        return rx.toast.error(str(exception), id="service-unavailable")
    return default_backend_exception_handler(exception)


def session_owner(session_id: int) -> str:
    return f"session-{session_id}"


class SessionState(rx.State):
    user_name: str = ""
    user_role: str = ""
    # Checked at every page load; not trusted for anything but what to show.
    _principal: Principal | None = None
    # (sign-in session id, its expiry as epoch seconds) of `_principal`.
    _live_session: tuple[int, float] | None = None

    def _session_token(self) -> str:
        return auth.token_from_cookie_header(self.router.headers.cookie)

    async def _current(self) -> Principal | None:
        token = self._session_token()
        live = await in_db(lambda s: auth.signed_in(session=s, token=token, now=utcnow()))
        principal = live.principal if live else None
        previous = self._principal
        if principal is None or (previous is not None and previous.user_id != principal.user_id):
            # Another person (or nobody) in this tab: leave every live topic the last one joined.
            await topics.leave_all(self)
        self._principal = principal
        self._live_session = (live.session_id, live.expires_at.timestamp()) if live else None
        self.user_name = principal.name if principal else ""
        self.user_role = principal.role.value if principal else ""
        return principal

    async def _join_topic(self, topic: str) -> None:
        """Receive the pushes of `topic` (call once a service has allowed what it carries)
        until this sign-in session expires or signs out, in this tab or another."""
        if self._live_session is None:
            return
        session_id, expires = self._live_session
        await topics.join(self, topic, until=expires, owner=session_owner(session_id))

    async def _require(self, *roles: Role) -> Principal | None:
        """The current user if their role is allowed here; None if not (caller redirects)."""
        principal = await self._current()
        if principal is None or (roles and principal.role not in roles):
            return None
        return principal

    def _turn_away(self, principal: Principal | None):
        if principal is None:
            return rx.redirect(urls.LOGIN)
        return [
            rx.toast.error("That page is not available to your account."),
            rx.redirect(HOME_PAGE[principal.role]),
        ]

    async def _guard(self, *roles: Role):
        """For on_load: returns a redirect when the user may not be here, else None."""
        principal = await self._current()
        if principal is None or principal.role not in roles:
            return self._turn_away(principal)
        return None

    @rx.event
    async def sign_out(self):
        token = self._session_token()
        ended = await in_db(lambda s: auth.sign_out(session=s, token=token, now=utcnow()))
        # Every tab of this sign-in stops receiving live updates, not only this one.
        await topics.leave_all(self)
        if ended is not None:
            await topics.leave_session(session_owner(ended))
        self._principal = None
        self.user_name = ""
        self.user_role = ""
        # A fresh page with a fresh Reflex token: nothing the last person saw (page data,
        # live rooms) is sent to whoever signs in next in this tab. The server route clears
        # the HttpOnly cookie, which no script here can.
        return [
            rx.remove_session_storage("token"),
            rx.call_script(f"window.location.replace('{urls.SIGNED_OUT}')"),
        ]
