"""`/client/tickets/[number]`: one ticket's public timeline, adding details, closing the loop."""

from __future__ import annotations

import reflex as rx

from support_portal import urls
from support_portal.components.client_tickets import WRAP, status_badge, timeline, when
from support_portal.components.layout import page_frame
from support_portal.components.limits import char_counter
from support_portal.domain.text_limits import TICKET_TEXT
from support_portal.realtime.ticket_live import TicketLive
from support_portal.state.client import DETAILS_UPLOAD_ID, ClientTicketState

TALL = {"min_height": "44px"}


def _error(text) -> rx.Component:
    return rx.cond(
        text != "",
        rx.callout(text, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def summary() -> rx.Component:
    row = TicketLive.row
    return rx.vstack(
        rx.link(
            "← My tickets",
            href=urls.CLIENT,
            size="2",
            style=TALL,
            display="flex",
            align_items="center",
        ),
        rx.heading(f"#{row.ticket_number} {row.title}", size="6", style=WRAP),
        rx.hstack(status_badge(row), wrap="wrap"),
        rx.text("Who is on it: ", row.assignee, size="2"),
        rx.text(
            "Last update ",
            when(row.last_update, row.last_update_exact, row.last_update_at),
            size="2",
        ),
        rx.cond(row.due != "", rx.text(row.due, size="2", style=WRAP)),
        spacing="2",
        align="start",
        width="100%",
    )


def close_the_loop() -> rx.Component:
    return rx.cond(
        TicketLive.can_reopen,
        rx.card(
            rx.vstack(
                rx.cond(
                    TicketLive.can_confirm,
                    rx.text("The team says this is fixed. Is it working for you now?"),
                    rx.text("This ticket is closed. Still seeing the problem?"),
                ),
                _error(ClientTicketState.action_error),
                rx.flex(
                    rx.cond(
                        TicketLive.can_confirm,
                        rx.button(
                            "Confirm fix",
                            on_click=ClientTicketState.confirm_fix,
                            size="3",
                            color_scheme="green",
                        ),
                    ),
                    rx.button(
                        "Still broken",
                        on_click=ClientTicketState.toggle_reopen,
                        size="3",
                        variant="soft",
                        color_scheme="red",
                    ),
                    gap="3",
                    wrap="wrap",
                ),
                rx.cond(
                    ClientTicketState.reopen_open,
                    rx.form(
                        rx.vstack(
                            rx.el.label(
                                "What is still broken?", html_for="reopen-reason", font_weight="500"
                            ),
                            rx.text_area(
                                id="reopen-reason",
                                name="reopen-reason",
                                value=ClientTicketState.reopen_reason,
                                on_change=ClientTicketState.set_reopen_reason,
                                width="100%",
                                rows="3",
                                size="3",
                            ),
                            _error(ClientTicketState.reopen_error),
                            rx.button("Reopen ticket", type="submit", size="3"),
                            width="100%",
                            align="start",
                        ),
                        on_submit=ClientTicketState.reopen,
                        reset_on_submit=False,
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def add_details() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.el.label("Add details", html_for="details", font_weight="500"),
            rx.text(
                "Anything new: what you tried, what you saw, an error message.",
                size="2",
                color_scheme="gray",
            ),
            rx.text_area(
                id="details",
                value=ClientTicketState.details_text,
                on_change=ClientTicketState.set_details_text,
                width="100%",
                rows="4",
                size="3",
                aria_describedby="details-count",
            ),
            char_counter(ClientTicketState.details_text.length(), TICKET_TEXT, field_id="details"),
            rx.upload(
                # A real button inside the drop zone: a click on it opens the file picker.
                rx.button(
                    rx.icon("paperclip", size=18),
                    "Attach screenshots or logs",
                    type="button",
                    variant="outline",
                    size="3",
                ),
                rx.text("PNG, JPG, GIF, WebP, PDF, TXT or LOG", size="1", color_scheme="gray"),
                id=DETAILS_UPLOAD_ID,
                multiple=True,
                max_files=5,
                border="1px dashed var(--gray-a8)",
                border_radius="var(--radius-3)",
                padding="0.75em",
                width="100%",
                display="flex",
                flex_direction="column",
                align_items="center",
                gap="0.5em",
            ),
            rx.foreach(
                rx.selected_files(DETAILS_UPLOAD_ID),
                lambda name: rx.text(rx.icon("file", size=14), " ", name, size="2", style=WRAP),
            ),
            _error(ClientTicketState.details_error),
            rx.button(
                "Send details",
                on_click=ClientTicketState.add_details(
                    rx.upload_files(upload_id=DETAILS_UPLOAD_ID)
                ),
                size="3",
                loading=ClientTicketState.busy,
            ),
            spacing="2",
            width="100%",
            align="start",
        ),
        width="100%",
    )


def add_link() -> rx.Component:
    """A Loom walkthrough (or any web link) the client recorded: a title says what it shows."""
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text("Add a walkthrough or link", font_weight="500"),
                rx.el.label("Link", html_for="client-link-url", font_size="0.9em"),
                rx.input(
                    id="client-link-url",
                    name="url",
                    placeholder="https://www.loom.com/share/…",
                    width="100%",
                    size="3",
                ),
                rx.el.label("Title", html_for="client-link-title", font_size="0.9em"),
                rx.input(id="client-link-title", name="title", width="100%", size="3"),
                _error(ClientTicketState.link_error),
                rx.button("Add link", type="submit", size="3"),
                spacing="2",
                width="100%",
                align="start",
            ),
            on_submit=ClientTicketState.add_link,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
    )


def ticket_body() -> rx.Component:
    return rx.vstack(
        summary(),
        close_the_loop(),
        rx.heading("Timeline", size="4", as_="h2"),
        timeline(),
        add_details(),
        add_link(),
        spacing="4",
        width="100%",
    )


def not_found() -> rx.Component:
    return rx.vstack(
        rx.heading("Ticket not found", size="6"),
        rx.text("There is no ticket with that number among your organization's tickets."),
        rx.link("Back to my tickets", href=urls.CLIENT, size="3"),
        spacing="3",
    )


def client_ticket_page() -> rx.Component:
    return page_frame(
        rx.cond(
            ClientTicketState.loaded,
            rx.cond(ClientTicketState.not_found, not_found(), ticket_body()),
            rx.center(rx.spinner(size="3"), padding="2em"),
        ),
        role="client",
        max_width="820px",
    )
