"""A client's open ticket page, kept live: a topic per ticket and viewer.

The topic is per (ticket, viewer) rather than per ticket because what a client sees is
theirs: times in their own time zone and the notifications sent to them. Every tab the same
person has open on the ticket joins it. `TicketLive` holds only the public view data built
by `services.client_views`; a tab joins only after that service has confirmed the viewer
may see the ticket.
"""

from __future__ import annotations

import reflex as rx

from support_portal.clock import utcnow
from support_portal.realtime import topics
from support_portal.services import client_views
from support_portal.services.client_views import TicketRow, TicketView, TimelineItem
from support_portal.state.session import in_db


def live_topic(ticket_id: int, user_id: int) -> str:
    return f"ticket:{int(ticket_id)}:viewer:{int(user_id)}"


class TicketLive(rx.State):
    """The timeline and actions of the ticket this tab shows."""

    row: TicketRow = TicketRow()
    items: list[TimelineItem] = []
    can_confirm: bool = False
    can_reopen: bool = False
    _ticket_id: int = 0

    def _show(self, view: TicketView, ticket_id: int) -> None:
        self._ticket_id = ticket_id
        self.row = view.row
        self.items = view.items
        self.can_confirm = view.can_confirm
        self.can_reopen = view.can_reopen

    def _clear(self) -> None:
        self._ticket_id = 0
        self.row = TicketRow()
        self.items = []
        self.can_confirm = self.can_reopen = False


async def push_ticket_update(ticket_id: int, *, skip_user_id: int | None = None) -> int:
    """Rebuild the public view of a ticket for every client who has it open.

    Call after committing a change to the ticket. Returns how many tabs were updated.
    Never await it from an event handler of a tab showing the ticket (it would wait for
    that handler's own lock): use `schedule_ticket_update` there.
    """

    now = utcnow()
    views = await in_db(
        lambda s: client_views.views_for_open_pages(
            session=s, ticket_id=ticket_id, now=now, skip_user_id=skip_user_id
        )
    )
    updated = 0
    for user_id, view in views:

        def show(live: TicketLive, view: TicketView = view) -> None:
            if live._ticket_id == ticket_id:  # the tab may have moved to another page
                live._show(view, ticket_id)

        updated += await topics.publish(live_topic(ticket_id, user_id), TicketLive, show)
    return updated


def schedule_ticket_update(ticket_id: int, *, skip_user_id: int | None = None) -> None:
    """Push after the current event has finished and released its state lock."""
    topics.spawn(push_ticket_update(ticket_id, skip_user_id=skip_user_id))
