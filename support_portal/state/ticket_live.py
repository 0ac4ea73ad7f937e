"""A client's open ticket page, kept live: a shared state per ticket and viewer.

The room is per (ticket, viewer) rather than per ticket because what a client sees is
theirs: times in their own time zone and the notifications sent to them. Every tab the same
person has open on the ticket is linked to the same room. The state holds only the public
view data built by `services.client_views`; it is linked only after that service has
confirmed the viewer may see the ticket.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from support_portal.models import Ticket
from support_portal.services import client_views
from support_portal.services.client_views import TicketRow, TicketView, TimelineItem
from support_portal.state.session import in_db

log = logging.getLogger(__name__)

_pending: set[asyncio.Task] = set()


def live_token(ticket_id: int, user_id: int) -> str:
    # Shared-state tokens may not contain "_".
    return f"ticket-{ticket_id}-viewer-{user_id}"


class TicketLive(rx.SharedState):
    row: TicketRow = TicketRow()
    items: list[TimelineItem] = []
    can_confirm: bool = False
    can_reopen: bool = False

    def _show(self, view: TicketView) -> None:
        self.row = view.row
        self.items = view.items
        self.can_confirm = view.can_confirm
        self.can_reopen = view.can_reopen


def _app():
    from reflex.utils.prerequisites import get_and_validate_app

    return get_and_validate_app().app


async def push_ticket_update(ticket_id: int, *, skip_user_id: int | None = None) -> int:
    """Rebuild the public view of a ticket for every client who may have it open.

    Call after committing a change to the ticket. Returns how many rooms were updated.
    Never call it from inside an event handler linked to the same room (it would wait for
    that handler's own lock): use `schedule_ticket_update` there.
    """

    def build(session) -> list[tuple[int, TicketView]]:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            return []
        return [
            (p.user_id, client_views.build_ticket_view(session=session, principal=p, ticket=ticket))
            for p in client_views.client_viewers(session=session, ticket_id=ticket_id)
            if p.user_id != skip_user_id
        ]

    app = _app()
    updated = 0
    for user_id, view in await in_db(build):
        token = rx.BaseStateToken(ident=live_token(ticket_id, user_id), cls=TicketLive)
        async with app.modify_state(token) as root:
            live = await root.get_state(TicketLive)
            if not live._linked_from:
                continue  # nobody has it open; the page builds its view on load
            live._show(view)
            updated += 1
    return updated


def schedule_ticket_update(ticket_id: int, *, skip_user_id: int | None = None) -> None:
    """Push after the current event has finished and released its rooms."""

    async def run() -> None:
        try:
            await push_ticket_update(ticket_id, skip_user_id=skip_user_id)
        except Exception:  # a failed push must not break the change that caused it
            log.exception("live update of ticket %s failed", ticket_id)

    task = asyncio.get_running_loop().create_task(run())
    _pending.add(task)
    task.add_done_callback(_pending.discard)
