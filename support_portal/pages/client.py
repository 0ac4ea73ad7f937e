"""`/client`: the client's tickets (and, beside them, the live chat panel of its own module)."""

from __future__ import annotations

import reflex as rx

from support_portal.components.client_tickets import ticket_list
from support_portal.components.layout import page_frame


def client_page(*panels: rx.Component) -> rx.Component:
    """The client's home. `panels` (such as the live chat) are shown above the list."""
    return page_frame(
        rx.vstack(
            *panels,
            rx.heading("My tickets", size="6"),
            ticket_list(),
            spacing="4",
            width="100%",
        ),
        role="client",
        max_width="820px",
    )
