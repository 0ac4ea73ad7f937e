"""`/client`: the client's tickets and live chat."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import page_frame


def client_page() -> rx.Component:
    return page_frame(rx.heading("My tickets", size="6"), role="client")
