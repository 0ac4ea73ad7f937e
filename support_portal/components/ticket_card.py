"""A board card: plain elements and native selects, so a thousand of them stay light."""

from __future__ import annotations

import reflex as rx

from support_portal.components.drag import draggable_article
from support_portal.components.sla_badge import sla_badge
from support_portal.domain.ticket_fields import Priority
from support_portal.state.board import MOVE_CHOICES, UNASSIGNED, BoardState

# `content-visibility:auto`: the browser skips style, layout and paint for cards far below the
# visible part of their column (about half the first page), at load and at every restyle,
# such as the full one Chromium does when the page is left or reloaded.
CARD_CSS = """
.card{background:var(--color-panel-solid, #fff);border:1px solid var(--gray-a6);
 border-radius:6px;padding:8px;margin-bottom:8px;cursor:grab;font-size:13px;
 content-visibility:auto;contain-intrinsic-size:auto 180px}
.card h3{font-size:14px;margin:0 0 4px;font-weight:600}
.card .meta{color:var(--gray-11);margin-bottom:4px}
.card label{display:flex;gap:4px;align-items:center;margin-top:4px}
.card select{font-size:12px;max-width:100%}
.card .controls{display:grid;grid-template-columns:auto 1fr;gap:2px 6px;align-items:center;
 margin-top:6px}
.card .prio-urgent{color:#b91c1c;font-weight:600}
.card .prio-high{color:#c2410c;font-weight:600}
"""


def _select(label: str, *options: rx.Component, value, on_change) -> list[rx.Component]:
    return [
        rx.el.span(label, aria_hidden="true"),
        rx.el.select(*options, value=value, on_change=on_change, aria_label=label),
    ]


def ticket_card(card, status: str) -> rx.Component:
    """`status` is the column's, known when the page is built: it fixes the "Move to" choices."""
    return draggable_article(
        # f-strings make one text node where separate pieces would make several: the first
        # page draws about eighty cards, so each node per card counts.
        rx.el.h3(f"#{card.number} {card.title}"),
        rx.el.div(card.organization, class_name="meta"),
        rx.cond(card.workflow != "", rx.el.div(f"Workflow: {card.workflow}", class_name="meta")),
        rx.el.div(
            rx.el.span(card.priority, class_name="prio-" + card.priority.to(str)),
            f" · {card.assignee}",
            # Hidden with the badge when the ticket has no SLA clock (resolved, closed).
            rx.el.span(" · ", class_name="sep"),
            sla_badge(card.sla_text, card.sla_tone),
            class_name="meta",
        ),
        rx.el.div(
            *_select(
                "Move to",
                rx.el.option("Choose…", value=""),
                *[rx.el.option(label, value=value) for value, label in MOVE_CHOICES[status]],
                value="",
                on_change=lambda v: BoardState.move_to(card.id, card.version, v),
            ),
            *_select(
                "Assignee",
                rx.el.option("Unassigned", value=UNASSIGNED),
                rx.foreach(BoardState.staff, lambda o: rx.el.option(o.label, value=o.value)),
                value=card.assignee_id,
                on_change=lambda v: BoardState.assign_to(card.id, card.version, v),
            ),
            *_select(
                "Priority",
                *[rx.el.option(p.value.title(), value=p.value) for p in Priority],
                value=card.priority,
                on_change=lambda v: BoardState.prioritize(card.id, card.version, v),
            ),
            class_name="controls",
        ),
        class_name="card",
        draggable=True,
        aria_label=f"Ticket #{card.number}",
        on_drag_start=BoardState.drag_start(card.id, card.version, status),
        key=card.id,
    )
