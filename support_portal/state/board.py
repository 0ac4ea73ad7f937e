"""The manager board: one shared view of the agency's tickets, and each manager's own filters.

`BoardShared` is an `rx.SharedState` linked to `BOARD_ROOM` once the user is confirmed to be
a manager; every linked tab sees a change as soon as anyone's action has committed.
`BoardState` holds what is private to a tab (filters, the card being dragged) and the actions,
each of which re-checks the user and goes through the ticket services with the card's version.

Other screens that change tickets call `await broadcast_board_changed()` (or the fire-and-forget
`refresh_board_later()`) after committing, so open boards refresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import reflex as rx
from reflex_base.registry import RegistrationContext

from support_portal.clock import utcnow
from support_portal.domain.lifecycle import TransitionNotAllowed
from support_portal.domain.roles import Role
from support_portal.services import board as board_service
from support_portal.services import tickets
from support_portal.services.authz import Principal
from support_portal.services.board import BoardData, Card, Option
from support_portal.services.errors import Conflict, ServiceError
from support_portal.state.session import SessionState, in_db

log = logging.getLogger(__name__)

BOARD_ROOM = "board-agency"  # shared tokens may not contain "_"
UNASSIGNED = "-"
CHANGED = "This ticket changed while you were looking at it. The card now shows its latest state."


class BoardShared(rx.SharedState):
    new: list[Card] = []
    in_progress: list[Card] = []
    waiting_on_client: list[Card] = []
    resolved: list[Card] = []
    closed: list[Card] = []
    staff: list[Option] = []
    organizations: list[Option] = []
    loaded: bool = False

    def _apply(self, data: BoardData) -> None:
        self.new = data.columns["new"]
        self.in_progress = data.columns["in_progress"]
        self.waiting_on_client = data.columns["waiting_on_client"]
        self.resolved = data.columns["resolved"]
        self.closed = data.columns["closed"]
        self.staff = data.staff
        self.organizations = data.organizations
        self.loaded = True


def _snapshot(session: Any) -> BoardData:
    """The board as any manager sees it (it is the same for all of them)."""
    viewer = Principal(user_id=None, role=Role.MANAGER, organization_id=None)
    return board_service.board_data(session=session, principal=viewer, now=utcnow())


async def broadcast_board_changed() -> None:
    """Rebuild the board from the database and push it to every linked manager's tab.

    Call after committing a ticket change anywhere (agent console, client actions, jobs in
    the web process). Does nothing before the app is running (e.g. in unit tests).
    """
    try:
        app = RegistrationContext.get().app
    except Exception:  # noqa: BLE001 - no app registered: nothing is listening
        return
    if app is None or getattr(app, "event_namespace", None) is None:
        return
    data = await in_db(_snapshot)
    async with app.modify_state(rx.BaseStateToken(ident=BOARD_ROOM, cls=BoardShared)) as root:
        shared = await root.get_state(BoardShared)
        shared._apply(data)


_TASKS: set[asyncio.Task] = set()


def refresh_board_later() -> None:
    """Fire-and-forget `broadcast_board_changed`, run after the current event releases its
    state locks (pushing from inside a handler of a linked tab would wait on itself)."""

    async def run() -> None:
        await broadcast_board_changed()

    task = asyncio.create_task(_logged(run()))
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


async def _logged(coro: Coroutine[Any, Any, None]) -> None:
    try:
        await coro
    except Exception:
        log.exception("board refresh failed")


class BoardState(SessionState):
    f_assignee: str = ""
    f_organization: str = ""
    f_priority: str = ""
    f_breached: bool = False
    f_search: str = ""
    _drag_id: int = 0
    _drag_version: int = 0
    _drag_status: str = ""

    @rx.event
    async def on_load(self):
        turned_away = await self._guard(Role.MANAGER)
        if turned_away is not None:
            return turned_away
        shared = await self.get_state(BoardShared)
        shared = await shared._link_to(BOARD_ROOM)
        shared._apply(await in_db(_snapshot))
        return None

    # Filters: private to this tab, applied in the browser over the shared cards.
    @rx.event
    def set_f_assignee(self, value: str):
        self.f_assignee = value

    @rx.event
    def set_f_organization(self, value: str):
        self.f_organization = value

    @rx.event
    def set_f_priority(self, value: str):
        self.f_priority = value

    @rx.event
    def set_f_breached(self, value: bool):
        self.f_breached = bool(value)

    @rx.event
    def set_f_search(self, value: str):
        self.f_search = value.strip().lower()[:100]

    async def _act(self, ticket_id: int, change) -> Any:
        """Re-check the user, run `change(session, principal, ticket)`, commit, broadcast."""
        principal = await self._require(Role.MANAGER)
        if principal is None:
            return rx.toast.error("Only managers can change the board. Please sign in again.")

        def work(s):
            ticket = tickets.get_ticket_by_id(session=s, principal=principal, ticket_id=ticket_id)
            change(s, principal, ticket)
            s.commit()

        try:
            await in_db(work)
        except Conflict:
            refresh_board_later()
            return rx.toast.warning(CHANGED)
        except (ServiceError, TransitionNotAllowed) as exc:
            refresh_board_later()
            return rx.toast.error(str(exc))
        refresh_board_later()
        return None

    async def _move(self, ticket_id: int, version: int, target: str) -> Any:
        if not target:
            return None
        return await self._act(
            int(ticket_id),
            lambda s, p, t: tickets.change_status(
                session=s, principal=p, ticket=t, to=target, expected_version=int(version)
            ),
        )

    @rx.event
    async def move_to(self, ticket_id: int, version: int, target: str):
        return await self._move(ticket_id, version, target)

    @rx.event
    async def assign_to(self, ticket_id: int, version: int, value: str):
        assignee = None if value in ("", UNASSIGNED) else int(value)
        return await self._act(
            int(ticket_id),
            lambda s, p, t: tickets.assign(
                session=s,
                principal=p,
                ticket=t,
                assignee_id=assignee,
                expected_version=int(version),
            ),
        )

    @rx.event
    async def prioritize(self, ticket_id: int, version: int, value: str):
        return await self._act(
            int(ticket_id),
            lambda s, p, t: tickets.set_priority(
                session=s, principal=p, ticket=t, priority=value, expected_version=int(version)
            ),
        )

    @rx.event
    def drag_start(self, ticket_id: int, version: int, status: str):
        self._drag_id, self._drag_version, self._drag_status = int(ticket_id), int(version), status

    @rx.event
    async def drop_on(self, status: str):
        ticket_id, version, current = self._drag_id, self._drag_version, self._drag_status
        self._drag_id = 0
        if not ticket_id or status == current:
            return None
        return await self._move(ticket_id, version, status)
