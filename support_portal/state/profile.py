"""`/profile`: how a team member hears about tickets: email, SMS, and their mobile number."""

from __future__ import annotations

import reflex as rx

from support_portal.domain.roles import Role
from support_portal.services import preferences
from support_portal.services.errors import ValidationFailed
from support_portal.state.session import SessionState, in_db

TEAM = (Role.AGENT, Role.MANAGER)


class NotificationSettings(rx.State, mixin=True):
    """One person's own email/SMS choices and phone, shared by the client's settings page
    and the team's profile; each page's state says whose they are (`_roles`)."""

    notify_email: bool = True
    notify_sms: bool = False
    phone: str = ""
    phone_error: str = ""
    saved: bool = False

    def _roles(self) -> tuple[Role, ...]:
        raise NotImplementedError

    @rx.event
    async def on_load(self):
        principal = await self._require(*self._roles())  # type: ignore[attr-defined]
        if principal is None:
            return self._turn_away(await self._current())  # type: ignore[attr-defined]
        prefs = await in_db(lambda s: preferences.get_preferences(session=s, principal=principal))
        self.notify_email, self.notify_sms = prefs.notify_email, prefs.notify_sms
        self.phone = prefs.phone or ""
        self.phone_error, self.saved = "", False
        return None

    @rx.event
    def set_notify_email(self, value: bool):
        self.notify_email, self.saved = bool(value), False

    @rx.event
    def set_notify_sms(self, value: bool):
        self.notify_sms, self.saved = bool(value), False

    @rx.event
    def set_phone(self, value: str):
        self.phone, self.saved = value, False

    @rx.event
    async def save(self, form: dict | None = None):
        principal = await self._require(*self._roles())  # type: ignore[attr-defined]
        if principal is None:
            return self._turn_away(await self._current())  # type: ignore[attr-defined]
        email, sms, phone = self.notify_email, self.notify_sms, self.phone

        try:
            self.phone = await in_db(
                lambda s: preferences.save_preferences(
                    session=s,
                    principal=principal,
                    notify_email=email,
                    notify_sms=sms,
                    phone=phone,
                )
            )
        except ValidationFailed as exc:
            # Keep what was typed so it can be corrected in place.
            self.phone_error = exc.errors.get("phone") or str(exc)
            self.saved = False
            return None
        self.phone_error, self.saved = "", True
        return rx.toast.success("Your notification settings are saved.")


class StaffProfileState(NotificationSettings, SessionState):
    """`/profile`: a team member's own settings."""

    def _roles(self) -> tuple[Role, ...]:
        return TEAM
