"""The manager's board."""

from __future__ import annotations

import reflex as rx

from support_portal.domain.roles import Role
from support_portal.state.session import SessionState


class ManagerState(SessionState):
    @rx.event
    async def on_load(self):
        return await self._guard(Role.MANAGER)
