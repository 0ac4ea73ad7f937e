"""`/manager/notifications`: the outbox as managers see it."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from support_portal.domain.roles import Role
from support_portal.services.notification_log import recent_notifications
from support_portal.state.session import SessionState, in_db

STATUS_FILTERS = [
    "all",
    "pending",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "skipped",
]


class ManagerNotificationsState(SessionState):
    rows: list[dict[str, str]] = []
    status_filter: str = "all"

    async def _load(self) -> bool:
        principal = await self._require(Role.MANAGER)
        if principal is None:
            return False
        status = None if self.status_filter == "all" else self.status_filter
        lines = await in_db(
            lambda s: recent_notifications(session=s, principal=principal, status=status)
        )
        self.rows = [{k: str(v) for k, v in asdict(line).items()} for line in lines]
        return True

    @rx.event
    async def on_load(self):
        turned_away = await self._guard(Role.MANAGER)
        if turned_away is not None:
            return turned_away
        await self._load()
        return None

    @rx.event
    async def refresh(self):
        if not await self._load():
            return self._turn_away(self._principal)
        return None

    @rx.event
    async def set_status_filter(self, value: str):
        if value not in STATUS_FILTERS:
            return None
        self.status_filter = value
        if not await self._load():
            return self._turn_away(self._principal)
        return None
