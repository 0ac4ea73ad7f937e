"""The page shown for an address the app does not have."""

from __future__ import annotations

import reflex as rx

from support_portal import urls
from support_portal.domain.roles import HOME_PAGE
from support_portal.state.session import SessionState


class NotFoundState(SessionState):
    # Where "Back" leads: the signed-in person's home page, or sign-in for a visitor.
    home_url: str = urls.LOGIN
    home_label: str = "Go to sign in"

    @rx.event
    async def on_load(self):
        # Only to fill the header and the way back; this page shows nothing private.
        principal = await self._current()
        if principal is None:
            self.home_url, self.home_label = urls.LOGIN, "Go to sign in"
        else:
            self.home_url, self.home_label = HOME_PAGE[principal.role], "Back to my home page"
