"""The sign-in form."""

from __future__ import annotations

import reflex as rx

from support_portal import urls
from support_portal.clock import utcnow
from support_portal.domain.roles import HOME_PAGE, Role
from support_portal.realtime import topics
from support_portal.services import auth
from support_portal.services.errors import Throttled
from support_portal.state.session import SessionState, in_db


class LoginState(SessionState):
    email: str = ""
    error: str = ""
    busy: bool = False

    @rx.event
    def set_email(self, value: str):
        self.email = value

    @rx.event
    async def on_load(self):
        principal = await self._current()
        if principal is not None:
            return rx.redirect(HOME_PAGE[principal.role])
        return None

    @rx.event
    async def route_home(self):
        principal = await self._current()
        return rx.redirect(HOME_PAGE[principal.role] if principal else urls.LOGIN)

    @rx.event
    async def submit(self, form: dict):
        email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        # Keep what was typed even when the sign-in fails.
        self.email = email
        if not email or not password:
            self.error = "Enter your email and password."
            return None
        address = self.router.session.client_ip
        try:
            token, user = await in_db(
                lambda s: auth.sign_in(
                    session=s,
                    email=email,
                    password=password,
                    client_address=address,
                    now=utcnow(),
                )
            )
        except (auth.SignInFailed, Throttled) as exc:
            self.error = str(exc)
            return None
        self.error = ""
        # The tab may still be in a live topic of whoever used it before.
        await topics.leave_all(self)
        self.session_token = token
        self.user_name = user.name
        self.user_role = user.role
        return rx.redirect(HOME_PAGE[Role(user.role)])
