"""`/client`: the live chat and the client's tickets."""

from __future__ import annotations

import reflex as rx

from support_portal.components.client_chat import client_chat_panel
from support_portal.components.client_tickets import ticket_list
from support_portal.components.layout import page_frame


def client_page() -> rx.Component:
    return page_frame(
        rx.vstack(
            rx.heading("My tickets", size="6"),
            client_chat_panel(),
            ticket_list(),
            spacing="4",
            width="100%",
        ),
        role="client",
        max_width="820px",
    )
