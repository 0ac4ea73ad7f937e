"""`/manager`: the kanban board."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import page_frame


def manager_page() -> rx.Component:
    return page_frame(rx.heading("Board", size="6"), role="manager", max_width="100%")
