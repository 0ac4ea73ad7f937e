"""`/agent/tickets/[number]`: a ticket's details and full timeline, for the team."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.layout import page_frame
from support_portal.state.agent_ticket import AgentTicketState as S


def _event(e) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(rx.text.strong(e["actor"]), " · ", e["at"], size="1", color_scheme="gray"),
            rx.badge(
                e["visibility"],
                color_scheme=rx.cond(e["visibility"] == "Internal", "amber", "gray"),
            ),
            align="center",
        ),
        rx.text(e["summary"], size="2", white_space="pre-wrap"),
        rx.cond(
            e["transcript"] != "",
            rx.el.details(
                rx.el.summary("Chat transcript"),
                rx.text(e["transcript"], size="2", white_space="pre-wrap"),
            ),
        ),
        padding="0.5em",
        border_left="3px solid var(--gray-a6)",
        width="100%",
    )


def _textarea_form(label: str, name: str, button: str, on_submit) -> rx.Component:
    field_id = f"ticket-{name}"
    return rx.form(
        rx.vstack(
            rx.el.label(label, html_for=field_id, font_weight="500"),
            rx.text_area(id=field_id, name=name, width="100%"),
            rx.button(button, type="submit"),
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        width="100%",
    )


def _status_form() -> rx.Component:
    return rx.cond(
        S.status_options.length() > 0,
        rx.form(
            rx.hstack(
                rx.el.label("New status", html_for="ticket-status", font_weight="500"),
                rx.el.select(
                    rx.foreach(
                        S.status_options, lambda o: rx.el.option(o["label"], value=o["value"])
                    ),
                    id="ticket-status",
                    name="status",
                ),
                rx.el.label("Reason", html_for="ticket-reason", class_name="sr-only"),
                rx.input(id="ticket-reason", name="reason", placeholder="Reason (optional)"),
                rx.button("Change status", type="submit"),
                align="center",
                wrap="wrap",
            ),
            on_submit=S.change_status,
            reset_on_submit=True,
        ),
    )


def agent_ticket_page() -> rx.Component:
    return page_frame(
        rx.cond(
            S.not_found,
            rx.vstack(
                rx.heading("Ticket not found", size="6"),
                rx.link("Back to the console", href=routes.AGENT),
            ),
            rx.vstack(
                rx.link("← Console", href=routes.AGENT, size="2"),
                rx.heading("Ticket #", S.ticket_number.to_string(), ": ", S.title, size="6"),
                rx.hstack(
                    rx.badge(S.status_label, size="2"),
                    rx.badge("Priority: ", S.priority, variant="outline"),
                    rx.text(S.requester, " · ", S.organization, size="2"),
                    wrap="wrap",
                    align="center",
                ),
                rx.el.dl(
                    rx.foreach(
                        S.details,
                        lambda d: rx.box(
                            rx.el.dt(d["label"], font_weight="600"),
                            rx.el.dd(d["value"], white_space="pre-wrap", margin_left="0"),
                            margin_bottom="0.5em",
                        ),
                    ),
                ),
                rx.cond(
                    S.files.length() > 0,
                    rx.hstack(
                        rx.text("Attachments:", font_weight="600"),
                        rx.foreach(
                            S.files, lambda f: rx.link(f["name"], href=f["url"], is_external=True)
                        ),
                        wrap="wrap",
                    ),
                ),
                _status_form(),
                rx.heading("Timeline", size="4"),
                rx.vstack(
                    rx.foreach(S.events, _event),
                    width="100%",
                    role="list",
                    aria_label="Timeline",
                ),
                _textarea_form("Update for the client", "body", "Post update", S.post_update),
                _textarea_form("Internal note", "note", "Add internal note", S.add_note),
                width="100%",
                spacing="3",
            ),
        ),
        role=rx.cond(S.user_role == "manager", "manager", "agent"),
    )
