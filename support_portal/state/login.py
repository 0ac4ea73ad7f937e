"""The sign-in page. The form itself posts to `POST /auth/sign-in` (`api/sign_in.py`), which
sets the session cookie; a refusal comes back here with a message code and the email typed."""

from __future__ import annotations

import reflex as rx

from support_portal import urls
from support_portal.domain.roles import HOME_PAGE
from support_portal.services import auth
from support_portal.state.session import SessionState


class LoginState(SessionState):
    email: str = ""
    error: str = ""

    @rx.event
    def set_email(self, value: str):
        self.email = value

    @rx.event
    async def on_load(self):
        principal = await self._current()
        if principal is not None:
            return rx.redirect(HOME_PAGE[principal.role])
        query = self.router.url.query_parameters
        # Only a known code shows a message: a link cannot put its own words on this page.
        self.error = auth.sign_in_message(query.get("error", ""))
        self.email = query.get("email", self.email)[:320]
        return None

    @rx.event
    async def route_home(self):
        principal = await self._current()
        return rx.redirect(HOME_PAGE[principal.role] if principal else urls.LOGIN)
