"""`/client`: the client's tickets and live chat."""

from __future__ import annotations

import reflex as rx

from support_portal.components.client_chat import client_chat_panel
from support_portal.components.layout import page_frame


def client_page() -> rx.Component:
    return page_frame(rx.heading("My tickets", size="6"), client_chat_panel(), role="client")
