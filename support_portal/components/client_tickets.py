"""The client's ticket list and one ticket's timeline, built for a phone first."""

from __future__ import annotations

import reflex as rx

from support_portal.components.links import rich_text
from support_portal.domain.timeline import EventKind
from support_portal.realtime.ticket_live import TicketLive
from support_portal.state.client import ClientState, FileLink, TicketRow, TimelineItem

# Every line may wrap: nothing may push the page wider than a 375 px phone.
WRAP = {"overflow_wrap": "anywhere", "word_break": "break-word", "min_width": "0"}


def when(relative, exact, at) -> rx.Component:
    """A relative time; the exact time (viewer's zone) on hover and for screen readers.

    `data-ticks` lets assets/relative_time.js keep the words true while the page stays open
    ("just now" becomes "5 minutes ago" without a push from the server)."""
    return rx.el.time(
        relative,
        date_time=at,
        title=exact,
        aria_label=exact,
        style={"cursor": "help"},
        custom_attrs={"data-ticks": ""},
    )


def status_badge(row) -> rx.Component:
    return rx.badge(
        row.status_words,
        color_scheme=rx.match(
            row.status,
            ("new", "blue"),
            ("in_progress", "amber"),
            ("waiting_on_client", "orange"),
            ("resolved", "green"),
            "gray",
        ),
        size="2",
        style={"white_space": "normal", "text_align": "left"},
    )


def ticket_card(row: TicketRow) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(f"#{row.ticket_number}", weight="bold", color_scheme="gray"),
                    status_badge(row),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(row.title, size="4", weight="medium", style=WRAP),
                rx.text("Who is on it: ", row.assignee, size="2", style=WRAP),
                rx.text(
                    "Last update ",
                    when(row.last_update, row.last_update_exact, row.last_update_at),
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(row.due != "", rx.text(row.due, size="2", style=WRAP)),
                spacing="1",
                width="100%",
                align="start",
            ),
            width="100%",
        ),
        href=row.url,
        underline="none",
        color="inherit",
        _hover={"color": "inherit"},
        width="100%",
        aria_label=f"#{row.ticket_number} {row.title}",
    )


def ticket_list() -> rx.Component:
    return rx.cond(
        ClientState.loaded,
        rx.cond(
            ClientState.tickets.length() > 0,
            rx.vstack(
                rx.foreach(ClientState.tickets, ticket_card),
                spacing="3",
                width="100%",
                role="list",
                aria_label="My tickets",
            ),
            rx.text("You have no tickets. Start a chat if something is not working."),
        ),
        rx.spinner(size="3"),
    )


def file_link(f: FileLink) -> rx.Component:
    return rx.link(rx.icon("paperclip", size=14), f.name, href=f.url, is_external=True, style=WRAP)


def timeline_item(item: TimelineItem) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.icon(item.icon, size=18, flex_shrink="0", margin_top="3px"),
            rx.vstack(
                rx.text(item.headline, weight="medium", style=WRAP),
                rx.text(when(item.relative, item.exact, item.at), size="1", color_scheme="gray"),
                rx.cond(
                    item.link_url != "",
                    rx.el.a(
                        rx.cond(
                            item.kind == EventKind.WALKTHROUGH.value, rx.icon("video", size=14)
                        ),
                        item.link_title,
                        href=item.link_url,
                        target="_blank",
                        rel="noopener noreferrer",
                        style=WRAP,
                    ),
                ),
                rx.cond(
                    item.parts.length() > 0,
                    rich_text(item.parts, style=WRAP),
                    rx.cond(
                        item.body != "",
                        rx.text(item.body, size="2", style={**WRAP, "white_space": "pre-wrap"}),
                    ),
                ),
                rx.foreach(item.files, file_link),
                spacing="1",
                align="start",
                width="100%",
                style={"min_width": "0"},
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        style={
            "list_style": "none",
            "padding": "0.75em 0",
            "border_top": "1px solid var(--gray-a4)",
        },
    )


def timeline() -> rx.Component:
    return rx.el.ol(
        rx.foreach(TicketLive.items, timeline_item),
        aria_label="Timeline",
        style={"padding": "0", "margin": "0", "width": "100%"},
    )
