"""`/agent/tickets/[number]`: a ticket's details and full timeline, for the team."""

from __future__ import annotations

import reflex as rx

from support_portal import urls
from support_portal.components.layout import page_frame
from support_portal.components.limits import char_counter
from support_portal.components.links import external_link, rich_text
from support_portal.components.zoom import field_error, schedule_zoom_form
from support_portal.domain.text_limits import TICKET_TEXT
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
        rx.match(
            e["kind"],
            (
                "walkthrough",
                rx.hstack(
                    rx.icon("video", size=16, aria_hidden="true"),
                    rx.text("Walkthrough:", size="2", font_weight="500"),
                    external_link(e["link_title"], e["link_url"], class_name="walkthrough"),
                    align="center",
                    class_name="walkthrough-entry",
                ),
            ),
            (
                "link",
                rx.text(
                    "Link: ",
                    external_link(e["link_title"], e["link_url"], class_name="plain-link"),
                    size="2",
                ),
            ),
            rx.cond(
                e["segments"].to(list).length() > 0,
                rich_text(e["segments"]),
                rx.text(e["summary"], size="2", white_space="pre-wrap"),
            ),
        ),
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


def _textarea_form(label: str, name: str, button: str, text: rx.Var, on_change, on_submit):
    """A long text for the ticket: the typed text lives in the state, so a refusal keeps it
    and only a success clears it."""
    field_id = f"ticket-{name}"
    return rx.form(
        rx.vstack(
            rx.el.label(label, html_for=field_id, font_weight="500"),
            rx.text_area(
                id=field_id,
                name=name,
                width="100%",
                value=text,
                on_change=on_change,
                aria_describedby=f"{field_id}-count",
            ),
            char_counter(text.length(), TICKET_TEXT, field_id=field_id),
            field_error(S.errors, f"{name}_body", field_id),
            rx.button(button, type="submit"),
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def _status_form() -> rx.Component:
    """The current status, and one button per allowed move saying what it does. No move is
    preselected, so a second click never makes a move nobody chose."""
    return rx.vstack(
        rx.heading("Status: ", S.status_label, size="3", as_="h2"),
        rx.cond(
            S.status_options.length() > 0,
            rx.vstack(
                rx.el.label(
                    "Note for the client (optional)",
                    html_for="ticket-status-note",
                    font_weight="500",
                ),
                rx.input(
                    id="ticket-status-note",
                    value=S.status_note,
                    on_change=S.set_status_note,
                    width="100%",
                ),
                rx.hstack(
                    rx.foreach(
                        S.status_options,
                        lambda o: rx.button(
                            o["label"], on_click=S.move_to(o["value"]), variant="soft"
                        ),
                    ),
                    wrap="wrap",
                ),
                width="100%",
                role="group",
                aria_label="Change status",
            ),
        ),
        rx.cond(
            S.reopen_to != "",
            rx.vstack(
                rx.el.label("Why reopen it?", html_for="ticket-reopen-reason", font_weight="500"),
                rx.text_area(
                    id="ticket-reopen-reason",
                    value=S.reopen_reason,
                    on_change=S.set_reopen_reason,
                    width="100%",
                    aria_describedby="ticket-reopen-reason-error",
                ),
                field_error(S.errors, "reopen_reason", "ticket-reopen-reason"),
                rx.button("Reopen the ticket", on_click=S.reopen, variant="soft"),
                width="100%",
                role="group",
                aria_label="Reopen",
            ),
        ),
        width="100%",
    )


def _context() -> rx.Component:
    """What the team needs before touching the client's CRM: path tried, sub-account, workflow."""
    return rx.box(
        rx.heading("Support path", size="3"),
        rx.cond(
            S.support_path.length() > 0,
            rx.el.ul(
                rx.foreach(
                    S.support_path,
                    lambda p: rx.el.li(rx.text.strong(p["channel"]), ": ", p["outcome"]),
                ),
                aria_label="Support path",
            ),
            rx.text("No live channel recorded.", size="2", color_scheme="gray"),
        ),
        rx.el.dl(
            rx.el.dt("CRM sub-account", font_weight="600"),
            rx.el.dd(rx.cond(S.crm_subaccount != "", S.crm_subaccount, "—"), margin_left="0"),
            rx.el.dt("Affected workflow or automation", font_weight="600"),
            rx.el.dd(
                rx.cond(S.workflow_name != "", S.workflow_name, "—"),
                rx.cond(
                    S.workflow_url != "",
                    rx.fragment(" · ", external_link("Open workflow", S.workflow_url)),
                ),
                margin_left="0",
            ),
        ),
        role="region",
        aria_label="Ticket context",
        width="100%",
    )


def _link_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Add a walkthrough or link", size="3"),
            rx.hstack(
                rx.vstack(
                    rx.el.label("Link", html_for="link-url", font_size="0.9em"),
                    rx.input(id="link-url", name="url", placeholder="https://www.loom.com/share/…"),
                    field_error(S.errors, "link_url", "link-url"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.el.label("Title", html_for="link-title", font_size="0.9em"),
                    rx.input(id="link-title", name="title"),
                    field_error(S.errors, "link_title", "link-title"),
                    spacing="1",
                ),
                rx.button("Add link", type="submit"),
                align="end",
                wrap="wrap",
            ),
            width="100%",
        ),
        on_submit=S.add_link,
        reset_on_submit=False,
        width="100%",
    )


def _outcome_form(e) -> rx.Component:
    out_id = "outcome-" + e["id"].to(str)
    return rx.form(
        rx.el.input(type="hidden", name="escalation_id", value=e["id"]),
        rx.vstack(
            rx.el.label("Outcome", html_for=out_id, font_size="0.9em"),
            rx.input(id=out_id, name="outcome", width="100%"),
            rx.cond(
                S.errors["outcome_" + e["id"].to(str)],
                rx.text(S.errors["outcome_" + e["id"].to(str)], color_scheme="red", size="1"),
            ),
            rx.el.label(
                rx.el.input(type="checkbox", name="resolved_on_call"), " Resolved on the call"
            ),
            rx.el.label(rx.el.input(type="checkbox", name="resolve_ticket"), " Resolve the ticket"),
            rx.button("Record outcome", type="submit"),
            spacing="1",
            width="100%",
        ),
        on_submit=S.record_outcome,
        reset_on_submit=False,
        width="100%",
    )


def _escalation(e) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("video", size=16, aria_hidden="true"),
                rx.text(rx.text.strong("Zoom call"), " · ", e["attendees"], size="2"),
                align="center",
            ),
            rx.text("Client's time: ", e["client_time"], size="2"),
            rx.text("Agency time: ", e["agency_time"], size="2"),
            external_link("Meeting link", e["meeting_url"]),
            rx.cond(
                e["has_outcome"],
                rx.text(
                    "Outcome",
                    rx.cond(e["resolved_on_call"], " (resolved on the call)", ""),
                    ": ",
                    e["outcome"],
                    size="2",
                ),
                _outcome_form(e),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        role="listitem",
    )


def _zoom() -> rx.Component:
    return rx.vstack(
        rx.heading("Zoom calls", size="4"),
        rx.cond(
            S.escalations.length() > 0,
            rx.vstack(
                rx.foreach(S.escalations, _escalation),
                role="list",
                aria_label="Zoom calls",
                width="100%",
            ),
            rx.text("No Zoom calls scheduled for this ticket.", color_scheme="gray"),
        ),
        schedule_zoom_form(on_submit=S.schedule_zoom, client_tz=S.client_tz, errors=S.errors),
        width="100%",
    )


def agent_ticket_page() -> rx.Component:
    return page_frame(
        rx.cond(
            S.not_found,
            rx.vstack(
                rx.heading("Ticket not found", size="6"),
                rx.link("Back to the console", href=urls.AGENT),
            ),
            rx.vstack(
                rx.link("← Console", href=urls.AGENT, size="2"),
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
                _context(),
                _status_form(),
                rx.heading("Timeline", size="4"),
                rx.vstack(
                    rx.foreach(S.events, _event),
                    width="100%",
                    role="list",
                    aria_label="Timeline",
                ),
                _textarea_form(
                    "Update for the client",
                    "body",
                    "Post update",
                    S.update_text,
                    S.set_update_text,
                    S.post_update,
                ),
                _textarea_form(
                    "Internal note",
                    "note",
                    "Add internal note",
                    S.note_text,
                    S.set_note_text,
                    S.add_note,
                ),
                _link_form(),
                _zoom(),
                width="100%",
                spacing="3",
            ),
        ),
        role=rx.cond(S.user_role == "manager", "manager", "agent"),
    )
