"""`/manager/notifications`: recent notifications, their delivery status and errors."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import page_frame
from support_portal.state.manager_notifications import STATUS_FILTERS, ManagerNotificationsState

COLUMNS = [
    ("created_at", "Queued"),
    ("kind", "Kind"),
    ("channel", "Channel"),
    ("recipient", "Recipient"),
    ("ticket_number", "Ticket"),
    ("status", "Status"),
    ("attempts", "Attempts"),
    ("last_error", "Last error"),
    ("provider_message_id", "Provider id"),
]


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(*[rx.table.cell(row[key]) for key, _ in COLUMNS])


def manager_notifications_page() -> rx.Component:
    state = ManagerNotificationsState
    return page_frame(
        rx.hstack(
            rx.heading("Notifications", size="6"),
            rx.spacer(),
            rx.el.label(
                "Status ",
                rx.select(
                    STATUS_FILTERS,
                    value=state.status_filter,
                    on_change=state.set_status_filter,
                    aria_label="Status",
                ),
            ),
            rx.button("Refresh", on_click=state.refresh, variant="soft"),
            align="center",
            width="100%",
        ),
        rx.cond(
            state.rows.length() > 0,
            rx.el.section(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(label) for _, label in COLUMNS])
                    ),
                    rx.table.body(rx.foreach(state.rows, _row)),
                    width="100%",
                ),
                # A named region: the table itself cannot carry the name through Radix.
                aria_label="Recent notifications",
            ),
            rx.text("No notifications yet."),
        ),
        role="manager",
        max_width="100%",
    )
