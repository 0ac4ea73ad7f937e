"""The manager board: one view of the agency's tickets, and each manager's own filters.

A manager's tab joins the "board" topic once the user is confirmed to be a manager; every
member tab rebuilds its view as soon as anyone's change has committed. `BoardState` holds
what is private to a tab (filters, the card being dragged, the cards it shows) and the
actions, each of which re-checks the user and goes through the ticket services with the
card's version.

Other screens that change tickets call `await broadcast_board_changed()` (or the fire-and-forget
`refresh_board_later()`) after committing, so open boards refresh.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import reflex as rx

from support_portal.clock import utcnow
from support_portal.domain.roles import Role
from support_portal.realtime import topics
from support_portal.realtime.ticket_live import schedule_ticket_update
from support_portal.services import board as board_service
from support_portal.services.board import BoardCard, BoardData, Card, Option
from support_portal.services.errors import Conflict, ServiceError
from support_portal.state.session import SessionState, in_db

BOARD_TOPIC = "board"
UNASSIGNED = "-"
PAGE = 10  # cards shown per column before "Show more": about a screenful
MOVE_CHOICES = board_service.MOVE_CHOICES
CHANGED = "This ticket changed while you were looking at it. The card now shows its latest state."


async def _snapshot(now: datetime | None = None) -> BoardData:
    """The board as any manager sees it (it is the same for all of them), read at `now`."""
    at = now or utcnow()
    return await in_db(lambda s: board_service.managers_board(session=s, now=at))


# One snapshot per process and revision, shared by every tab that reloads for that revision
# (ten managers reloading after a change cost one query). Badge times age, so it expires.
# The process that commits a change bumps its revision and rebuilds every member tab, on any
# worker, from one fresh snapshot; a page load always reads the database.
_CACHE: dict[str, Any] = {"revision": None, "at": 0.0, "data": None}
_REVISION = {"value": 0}
CACHE_SECONDS = 20.0


async def _cached_snapshot(revision: int) -> BoardData:
    now = time.monotonic()
    if _CACHE["revision"] == revision and now - _CACHE["at"] < CACHE_SECONDS:
        return _CACHE["data"]
    data = await _snapshot()
    _CACHE.update(revision=revision, at=now, data=data)
    return data


async def broadcast_board_changed(*, now: datetime | None = None) -> None:
    """Rebuild every open manager board, with its SLA badges read at `now` (the wall clock
    unless the board clock passes its tick).

    Call after committing a ticket change anywhere (agent console, client actions, jobs in
    the web process). Does nothing before the app is running (e.g. in unit tests).
    """
    _REVISION["value"] += 1
    revision = _REVISION["value"]
    if await topics.has_members(BOARD_TOPIC):
        # Read once here: every tab then filters the same snapshot instead of each missing
        # the cache at the same moment.
        _CACHE.update(revision=revision, at=time.monotonic(), data=await _snapshot(now))

    async def rebuild(board: BoardState) -> None:
        if board.loaded:
            await board._reload(revision)

    await topics.publish(BOARD_TOPIC, BoardState, rebuild)


def refresh_board_later() -> None:
    """Fire-and-forget `broadcast_board_changed`, run after the current event releases its
    state lock (pushing from inside a board tab's handler would wait on itself)."""
    topics.spawn(broadcast_board_changed())


class BoardState(SessionState):
    new: list[BoardCard] = []
    in_progress: list[BoardCard] = []
    waiting_on_client: list[BoardCard] = []
    resolved: list[BoardCard] = []
    closed: list[BoardCard] = []
    # Cards matching the filters but not shown yet, per column ("Show more" reveals them).
    hidden_counts: dict[str, int] = {}
    totals: dict[str, int] = {}
    staff: list[Option] = []
    organizations: list[Option] = []
    loaded: bool = False
    f_assignee: str = ""
    f_organization: str = ""
    f_priority: str = ""
    f_breached: bool = False
    f_search: str = ""
    _drag_id: int = 0
    _drag_version: int = 0
    _drag_status: str = ""
    _limits: dict[str, int] = {}
    _seen_revision: int = -1

    @rx.event
    async def on_load(self):
        turned_away = await self._guard(Role.MANAGER)
        if turned_away is not None:
            return turned_away
        await self._join_topic(BOARD_TOPIC)
        # A page load reads the database, so changes made elsewhere (the REST API, a worker
        # process, webhooks) show at once; tabs that follow reuse this snapshot.
        data = await _snapshot()
        revision = _REVISION["value"]
        _CACHE.update(revision=revision, at=time.monotonic(), data=data)
        await self._reload(revision)
        return None

    def _matches(self, card: Card) -> bool:
        return (
            (not self.f_assignee or card.assignee_id == self.f_assignee)
            and (not self.f_organization or card.organization_id == self.f_organization)
            and (not self.f_priority or card.priority == self.f_priority)
            and (not self.f_breached or card.breached)
            and (not self.f_search or self.f_search in card.haystack)
        )  # fmt: skip

    async def _reload(self, revision: int | None = None, *, now: datetime | None = None) -> None:
        """Rebuild this tab's view; `revision` None means the database just changed (read
        at `now`, the wall clock unless given)."""
        if revision is None:
            _CACHE["revision"] = None
            data = await _snapshot(now)
        else:
            data = await _cached_snapshot(revision)
            self._seen_revision = revision
        hidden: dict[str, int] = {}
        totals: dict[str, int] = {}
        for status, cards in data.columns.items():
            matching = [c for c in cards if self._matches(c)]
            limit = self._limits.get(status, PAGE)
            self._show(status, [c.view() for c in matching[:limit]])
            hidden[status] = max(0, len(matching) - limit)
            totals[status] = len(matching)
        self._show("hidden_counts", hidden)
        self._show("totals", totals)
        self._show("staff", data.staff)
        self._show("organizations", data.organizations)
        self._show("loaded", True)

    def _show(self, name: str, value: Any) -> None:
        """Set a var only if its value changed: Reflex sends every var that was set, and the
        browser redraws what it gets. So a page load right after the browser received this
        tab's state (a reload), or a change to one card, does not resend or redraw them all."""
        if getattr(self, name) != value:
            setattr(self, name, value)

    @rx.event
    async def show_more(self, status: str):
        if status in board_service.COLUMN_LABELS:
            self._limits = {**self._limits, status: self._limits.get(status, PAGE) + PAGE * 4}
            return await self._refilter()
        return None

    async def _refilter(self):
        """Rebuild this tab's view after a filter or paging change, for a manager only.

        The view comes from the managers' snapshot (every organization's tickets), and these
        handlers are callable by any browser: without this check, anyone could fill their
        state with the whole board.
        """
        if await self._require(Role.MANAGER) is None:
            return self._turn_away(self._principal)
        await self._reload(self._seen_revision)
        return None

    # Filters: private to this tab, applied on the server so the page holds only what it shows.
    @rx.event
    async def set_f_assignee(self, value: str):
        self.f_assignee = value
        return await self._refilter()

    @rx.event
    async def set_f_organization(self, value: str):
        self.f_organization = value
        return await self._refilter()

    @rx.event
    async def set_f_priority(self, value: str):
        self.f_priority = value
        return await self._refilter()

    @rx.event
    async def toggle_f_breached(self):
        # A native checkbox reports its value ("on"), not whether it is checked: toggle.
        self.f_breached = not self.f_breached
        return await self._refilter()

    @rx.event
    async def set_f_search(self, value: str):
        self.f_search = value.strip().lower()[:100]
        return await self._refilter()

    async def _change(self, ticket_id: int, version: int, field: str, value: Any) -> Any:
        """Re-check the user, change one card through the board's use case, show the outcome."""
        principal = await self._require(Role.MANAGER)
        if principal is None:
            return rx.toast.error("Only managers can change the board. Please sign in again.")
        now = utcnow()
        try:
            await in_db(
                lambda s: board_service.change_card(
                    session=s,
                    principal=principal,
                    ticket_id=int(ticket_id),
                    field=field,
                    value=value,
                    expected_version=int(version),
                    now=now,
                )
            )
        except Conflict:
            await self._reload()  # the fresh card
            return rx.toast.warning(CHANGED)
        except ServiceError as exc:
            await self._reload()
            return rx.toast.error(str(exc))
        await self._reload()
        refresh_board_later()
        # The client's open timeline shows the change too.
        schedule_ticket_update(int(ticket_id))
        return None

    async def _move(self, ticket_id: int, version: int, target: str) -> Any:
        if not target:
            return None
        return await self._change(ticket_id, version, "status", target)

    def _place(self, ticket_id: int, target: str) -> bool:
        """Show the card in `target` at once, before the move is saved (True if it moved).

        Only this tab's view changes: if the service refuses, `_act` rebuilds the view
        from the database, which puts the card back where it is, beside the reason.
        """
        if target not in board_service.COLUMN_LABELS:
            return False
        for status in board_service.COLUMN_LABELS:
            cards: list[BoardCard] = getattr(self, status)
            card = next((c for c in cards if c.id == ticket_id), None)
            if card is None:
                continue
            if status == target:
                return False
            setattr(self, status, [c for c in cards if c.id != ticket_id])
            setattr(self, target, [card, *getattr(self, target)])
            self.totals = {
                **self.totals,
                status: max(0, self.totals.get(status, 1) - 1),
                target: self.totals.get(target, 0) + 1,
            }
            return True
        return False

    async def _move_now(self, ticket_id: int, version: int, target: str):
        """The card stands in its new column as soon as it is dropped (the first yield sends
        just that); the service then decides, and a refusal puts it back with the reason."""
        # The cheap check (who this tab signed in as at its last event) decides whether to show
        # the move early; `_act` checks the session in the database before saving anything.
        known = self._principal
        before = {name: getattr(self, name) for name in (*board_service.COLUMN_LABELS, "totals")}
        if known is not None and known.role == Role.MANAGER and self._place(int(ticket_id), target):
            yield
        outcome = await self._move(ticket_id, version, target)
        if self._principal is None or self._principal.role != Role.MANAGER:
            for name, value in before.items():  # signed out meanwhile: undo, show nothing new
                setattr(self, name, value)
        if outcome is not None:
            yield outcome

    @rx.event
    async def move_to(self, ticket_id: int, version: int, target: str):
        async for step in self._move_now(ticket_id, version, target):
            yield step

    @rx.event
    async def assign_to(self, ticket_id: int, version: int, value: str):
        assignee = None if value in ("", UNASSIGNED) else int(value)
        return await self._change(ticket_id, version, "assignee", assignee)

    @rx.event
    async def prioritize(self, ticket_id: int, version: int, value: str):
        return await self._change(ticket_id, version, "priority", value)

    @rx.event
    def drag_start(self, ticket_id: int, version: int, status: str):
        self._drag_id, self._drag_version, self._drag_status = int(ticket_id), int(version), status

    @rx.event
    async def drop_on(self, status: str):
        ticket_id, version, current = self._drag_id, self._drag_version, self._drag_status
        self._drag_id = 0
        if not ticket_id or status == current:
            return
        async for step in self._move_now(ticket_id, version, status):
            yield step
