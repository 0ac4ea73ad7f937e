"""`/manager`: the kanban board, live for every manager."""

from __future__ import annotations

import reflex as rx

from support_portal.components.drag import drop_section
from support_portal.components.layout import page_frame
from support_portal.components.sla_badge import BADGE_CSS
from support_portal.components.ticket_card import CARD_CSS, ticket_card
from support_portal.domain.lifecycle import STATUS_LABELS, Status
from support_portal.domain.ticket_fields import Priority
from support_portal.state.board import UNASSIGNED, BoardState

# The column heading sticks above its cards; `z-index` keeps it there, since each card is its
# own stacking context (see `content-visibility` in CARD_CSS), and its background is the
# column's colour made opaque (the column's own is translucent: cards would show through).
BOARD_CSS = """
.board{display:grid;grid-template-columns:repeat(5,minmax(220px,1fr));gap:10px;overflow-x:auto}
.column{background:var(--gray-a2);border:1px solid var(--gray-a5);border-radius:8px;padding:8px;
 max-height:calc(100vh - 190px);overflow-y:auto;min-height:200px}
.column h2{font-size:15px;margin:0 0 8px;position:sticky;top:-8px;background:var(--gray-2);
 padding:4px 0;z-index:1}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0 12px;font-size:14px}
.filters label{display:flex;gap:6px;align-items:center}
"""


def _column(status: Status) -> rx.Component:
    cards = getattr(BoardState, status.value)
    hidden = BoardState.hidden_counts[status.value].to(int)
    return drop_section(
        rx.el.h2(STATUS_LABELS[status], " (", BoardState.totals[status.value].to(int), ")"),
        rx.foreach(cards, lambda card: ticket_card(card, status.value)),
        # An empty column says so, rather than looking like it failed to load.
        rx.cond(cards.length() == 0, rx.el.p("No tickets here.", class_name="empty")),
        rx.cond(
            hidden > 0,
            rx.el.button(
                "Show more (",
                hidden,
                " more)",
                on_click=BoardState.show_more(status.value),
                type="button",
            ),
        ),
        class_name="column",
        aria_label=STATUS_LABELS[status],
        on_drag_over=rx.prevent_default,
        on_drop=BoardState.drop_on(status.value).prevent_default,
    )


def _filter(label: str, *options: rx.Component, value, on_change) -> rx.Component:
    return rx.el.label(label, rx.el.select(*options, value=value, on_change=on_change))


def _filters() -> rx.Component:
    return rx.el.div(
        _filter(
            "Assignee filter",
            rx.el.option("Anyone", value=""),
            rx.el.option("Unassigned", value=UNASSIGNED),
            rx.foreach(BoardState.staff, lambda o: rx.el.option(o.label, value=o.value)),
            value=BoardState.f_assignee,
            on_change=BoardState.set_f_assignee,
        ),
        _filter(
            "Organization filter",
            rx.el.option("All", value=""),
            rx.foreach(BoardState.organizations, lambda o: rx.el.option(o.label, value=o.value)),
            value=BoardState.f_organization,
            on_change=BoardState.set_f_organization,
        ),
        _filter(
            "Priority filter",
            rx.el.option("All", value=""),
            *[rx.el.option(p.value.title(), value=p.value) for p in Priority],
            value=BoardState.f_priority,
            on_change=BoardState.set_f_priority,
        ),
        rx.el.label(
            rx.el.input(
                type="checkbox",
                checked=BoardState.f_breached,
                on_change=BoardState.toggle_f_breached,
            ),
            "Breached only",
        ),
        rx.el.label(
            "Search",
            rx.el.input(
                type="search",
                placeholder="Number, title or organization",
                on_change=BoardState.set_f_search.debounce(300),
            ),
        ),
        class_name="filters",
        role="search",
    )


def manager_page() -> rx.Component:
    return page_frame(
        rx.el.style(BADGE_CSS + CARD_CSS + BOARD_CSS),
        rx.heading("Board", size="6"),
        _filters(),
        rx.cond(
            BoardState.loaded,
            rx.el.div(*[_column(s) for s in Status], class_name="board", data_testid="board"),
            rx.center(rx.spinner(size="3"), padding="4em"),
        ),
        role="manager",
        max_width="100%",
    )
