"""`/agent`: the agent console."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import page_frame


def agent_page() -> rx.Component:
    return page_frame(rx.heading("Agent console", size="6"), role="agent")
