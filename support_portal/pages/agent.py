"""`/agent`: the agent console: waiting chats, my chats, the open chat, my tickets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from support_portal.components.chat import TIMER_JS, chat_timer, message_list, send_form
from support_portal.components.layout import page_frame
from support_portal.components.zoom import schedule_zoom_form
from support_portal.domain.chat_rules import ChatStatus
from support_portal.domain.support_path import CHANNELS
from support_portal.domain.ticket_fields import AFFECTED_AREAS, CATEGORIES, Priority
from support_portal.state.agent_console import SIMILARITY_FIELDS, AgentConsoleState
from support_portal.state.chat import AgentsQueueState, ChatRoomState

S = AgentConsoleState


def _chat_card(chat: Any, action: rx.Component, *, held: bool = False) -> rx.Component:
    """`held`: the viewer holds this chat, so its timer alerts them at the threshold."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(rx.text.strong(chat["client_name"]), " · ", chat["organization_name"]),
                rx.spacer(),
                action,
                width="100%",
                align="center",
            ),
            rx.text(chat["topic"], size="2", color_scheme="gray"),
            chat_timer(
                key=chat["id"],
                started_at_ms=chat["started_at_ms"],
                mm_ss=chat["mm_ss"],
                flagged=chat["flagged"],
                threshold_seconds=S.threshold_seconds,
                flag_text=S.flag_text,
                alert=("Chat with " + chat["client_name"].to(str)) if held else None,
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="chat-card",
    )


def _chat_list(
    title: str,
    chats: rx.Var,
    action: Callable[[rx.Var], rx.Component],
    empty: str,
    *,
    held: bool = False,
) -> rx.Component:
    """A titled region of chat cards, each with its one action button."""
    return rx.vstack(
        rx.heading(title, size="4"),
        rx.cond(
            chats.length() > 0,
            rx.foreach(chats, lambda c: _chat_card(c, action(c), held=held)),
            rx.text(empty, color_scheme="gray"),
        ),
        width="100%",
        role="region",
        aria_label=title,
    )


def waiting_chats() -> rx.Component:
    return _chat_list(
        "Waiting chats",
        AgentsQueueState.chats,
        lambda c: rx.button(
            "Accept",
            on_click=S.accept(c["id"].to(int)),
            aria_label="Accept chat from " + c["client_name"].to(str),
        ),
        "No one is waiting.",
    )


def my_chats() -> rx.Component:
    return _chat_list(
        "My chats",
        S.active_chats,
        lambda c: rx.button(
            "Open",
            variant="soft",
            on_click=S.open_chat(c["id"].to(int)),
            aria_label="Open chat with " + c["client_name"].to(str),
        ),
        "No active chats.",
        held=True,
    )


def _field(label: str, name: str, *, multiline: bool = False) -> rx.Component:
    field_id = f"convert-{name}"
    control = rx.text_area if multiline else rx.input
    watch = {}
    if name in SIMILARITY_FIELDS:
        # Leaving a field the similarity reads refreshes "Similar open tickets".
        watch = {"on_blur": lambda value: S.draft_changed(name, value)}
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_weight="500", font_size="0.9em"),
        control(
            id=field_id,
            name=name,
            default_value=S.prefill[name],
            width="100%",
            aria_describedby=f"{field_id}-error",
            **watch,
        ),
        _error(name, field_id),
        spacing="1",
        width="100%",
    )


def _error(name: str, field_id: str) -> rx.Component:
    return rx.cond(
        S.form_errors[name],
        rx.text(S.form_errors[name], id=f"{field_id}-error", color_scheme="red", size="1"),
    )


def _select(label: str, name: str, options: list[tuple[str, str]]) -> rx.Component:
    field_id = f"convert-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_weight="500", font_size="0.9em"),
        rx.el.select(
            *[rx.el.option(text, value=value) for value, text in options],
            id=field_id,
            name=name,
            default_value=S.prefill[name],
            on_change=(lambda value: S.draft_changed(name, value))
            if name in SIMILARITY_FIELDS
            else None,
            style={"padding": "0.35em", "border-radius": "6px"},
        ),
        _error(name, field_id),
        spacing="1",
    )


def _support_channel(channel: str, label: str) -> rx.Component:
    """A tried live channel and what it achieved, so nobody repeats it."""
    box_id, outcome_id = f"convert-tried_{channel}", f"convert-outcome_{channel}"
    return rx.vstack(
        rx.hstack(
            rx.el.input(
                type="checkbox",
                id=box_id,
                name=f"tried_{channel}",
                default_checked=S.prefill[f"tried_{channel}"] == "on",
            ),
            rx.el.label(f"Tried: {label}", html_for=box_id, font_size="0.9em"),
            align="center",
        ),
        rx.el.label(
            f"What the {label.lower()} achieved",
            html_for=outcome_id,
            font_size="0.9em",
            font_weight="500",
        ),
        rx.input(
            id=outcome_id,
            name=f"outcome_{channel}",
            default_value=S.prefill[f"outcome_{channel}"],
            width="100%",
            aria_describedby=f"{outcome_id}-error",
        ),
        _error(f"support_path_{channel}", outcome_id),
        spacing="1",
        width="100%",
    )


def support_path_fields() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend("Support path: live channels already tried", font_weight="600"),
        rx.vstack(
            *[_support_channel(c, label) for c, label in CHANNELS.items()],
            _error("support_path", "convert-support_path"),
            _field("Affected workflow or automation", "affected_workflow_name"),
            _field("Workflow link", "affected_workflow_url"),
            width="100%",
        ),
        border="1px solid var(--gray-a6)",
        border_radius="6px",
        padding="0.75em",
        width="100%",
    )


UPLOAD_ID = "convert-screenshots"


def screenshots() -> rx.Component:
    return rx.vstack(
        rx.text("Screenshots", font_weight="500", font_size="0.9em", id="screenshots-label"),
        rx.upload(
            rx.text("Drop screenshots or logs here, or click to choose files", size="2"),
            id=UPLOAD_ID,
            multiple=True,
            border="1px dashed var(--gray-a7)",
            padding="0.75em",
            width="100%",
            aria_labelledby="screenshots-label",
        ),
        rx.hstack(
            rx.foreach(rx.selected_files(UPLOAD_ID), lambda f: rx.badge(f, variant="outline")),
            wrap="wrap",
        ),
        rx.button(
            "Upload screenshots",
            type="button",
            variant="soft",
            on_click=[
                S.upload_screenshots(rx.upload_files(upload_id=UPLOAD_ID)),
                rx.clear_selected_files(UPLOAD_ID),
            ],
        ),
        rx.cond(
            S.attachment_names.length() > 0,
            rx.text("Attached: ", S.attachment_names.join(", "), size="2", role="status"),
        ),
        _error("file", "convert-file"),
        spacing="1",
        width="100%",
    )


def _similar_row(item: Any) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.link(
                f"#{item['number']} {item['title']}",
                href=f"/agent/tickets/{item['number']}",
                is_external=True,
                weight="medium",
            ),
            rx.text(
                item["organization"],
                " · ",
                item["status"],
                " · ",
                item["score"],
                rx.cond(
                    item["problem_title"] != "",
                    " · problem: " + item["problem_title"].to(str),
                    "",
                ),
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
            flex="1",
        ),
        rx.button(
            item["action"],
            type="button",
            size="1",
            variant="soft",
            on_click=S.choose_link(item["choice"]),
        ),
        width="100%",
        align="center",
        padding_y="0.25em",
        border_bottom="1px solid var(--gray-a4)",
    )


def similar_tickets() -> rx.Component:
    """Open tickets like the one being written, so the agent can link instead of duplicating."""
    return rx.box(
        rx.heading("Similar open tickets", size="3", as_="h3"),
        rx.cond(
            S.similar.length() > 0,
            rx.vstack(rx.foreach(S.similar, _similar_row), spacing="0", width="100%"),
            rx.text(
                "None found yet: they appear as you describe the problem.",
                size="2",
                color_scheme="gray",
            ),
        ),
        rx.cond(
            S.link_label != "",
            rx.hstack(
                rx.callout(S.link_label, icon="link", size="1"),
                rx.button(
                    "Don't link", type="button", size="1", variant="ghost", on_click=S.clear_link
                ),
                align="center",
            ),
        ),
        role="region",
        aria_label="Similar open tickets",
        width="100%",
        padding="0.75em",
        border="1px solid var(--gray-a5)",
        border_radius="8px",
    )


def convert_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Convert to ticket", size="4"),
                rx.text(
                    "For ",
                    rx.text.strong(S.prefill["client_name"]),
                    " · ",
                    S.prefill["organization_name"],
                    ". The chat transcript is attached automatically.",
                    size="2",
                ),
                _field("Title", "title"),
                _field("What was the client trying to do?", "tried_to_do", multiline=True),
                _field("What happened instead?", "happened_instead", multiline=True),
                _field("When did it start?", "started_when"),
                _field("Recent changes", "recent_changes", multiline=True),
                _field("Steps to reproduce", "steps_to_reproduce", multiline=True),
                _field("Error messages", "error_messages", multiline=True),
                rx.hstack(
                    _select("Category", "category", [(c, c) for c in CATEGORIES]),
                    _select("Affected area", "affected_area", [(a, a) for a in AFFECTED_AREAS]),
                    _select("Priority", "priority", [(p.value, p.value.title()) for p in Priority]),
                    spacing="4",
                    wrap="wrap",
                ),
                similar_tickets(),
                support_path_fields(),
                screenshots(),
                rx.hstack(
                    rx.button("Create ticket", type="submit"),
                    rx.button("Cancel", type="button", variant="soft", on_click=S.cancel_convert),
                ),
                width="100%",
            ),
            on_submit=S.create_ticket,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
    )


def open_chat() -> rx.Component:
    return rx.cond(
        ChatRoomState.chat_id > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(
                        ChatRoomState.client_name, " · ", ChatRoomState.organization_name, size="4"
                    ),
                    rx.spacer(),
                    rx.badge(ChatRoomState.status),
                    width="100%",
                ),
                rx.cond(
                    ChatRoomState.is_open,
                    chat_timer(
                        key="open",
                        started_at_ms=ChatRoomState.started_at_ms,
                        mm_ss="",
                        flagged=ChatRoomState.flagged,
                        threshold_seconds=S.threshold_seconds,
                        flag_text=S.flag_text,
                    ),
                ),
                message_list(ChatRoomState.messages),
                rx.cond(
                    ChatRoomState.status == ChatStatus.ACTIVE.value,
                    rx.vstack(
                        send_form(state=S, form_id="agent-chat"),
                        rx.hstack(
                            rx.button("Mark resolved", variant="soft", on_click=S.mark_resolved),
                            rx.button("Convert to ticket", on_click=S.start_convert),
                        ),
                        rx.el.details(
                            rx.el.summary("Escalate to a Zoom call"),
                            schedule_zoom_form(
                                on_submit=S.schedule_zoom,
                                client_tz=S.zoom_tz,
                                errors=S.zoom_errors,
                            ),
                            rx.cond(
                                S.zoom_notice != "",
                                rx.text(S.zoom_notice, role="status", size="2"),
                            ),
                            width="100%",
                        ),
                        width="100%",
                    ),
                ),
                rx.cond(
                    S.chat_error != "",
                    rx.callout(S.chat_error, color_scheme="red", role="alert"),
                ),
                width="100%",
            ),
            width="100%",
        ),
    )


def my_tickets() -> rx.Component:
    return rx.vstack(
        rx.heading("My tickets", size="4"),
        rx.cond(
            S.my_tickets.length() > 0,
            rx.foreach(
                S.my_tickets,
                lambda t: rx.hstack(
                    rx.link(
                        "#" + t["number"].to(str) + " " + t["title"].to(str),
                        href="/agent/tickets/" + t["number"].to(str),
                    ),
                    rx.badge(t["status"]),
                    rx.text(t["organization"], size="1", color_scheme="gray"),
                    wrap="wrap",
                ),
            ),
            rx.text("No open tickets assigned to you.", color_scheme="gray"),
        ),
        width="100%",
        role="region",
        aria_label="My tickets",
    )


def _queue_row(t) -> rx.Component:
    label = "#" + t["number"].to(str) + " " + t["title"].to(str)
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.link(label, href="/agent/tickets/" + t["number"].to(str)),
                    rx.badge(t["status"]),
                    rx.badge(t["priority"], variant="outline"),
                    rx.cond(
                        t["update_due_soon"].to(bool),
                        rx.badge(
                            rx.icon("clock", size=12),
                            "Update due soon",
                            color_scheme="orange",
                        ),
                    ),
                    wrap="wrap",
                    align="center",
                ),
                rx.text(
                    t["organization"].to(str),
                    " · ",
                    rx.cond(t["mine"].to(bool), "Yours", "Unassigned"),
                    size="1",
                    color_scheme="gray",
                ),
                rx.text(t["next_due"].to(str), size="2", title=t["next_due_at"].to(str)),
                spacing="1",
                align="start",
            ),
            rx.spacer(),
            rx.cond(
                t["mine"].to(bool),
                rx.fragment(),
                rx.button(
                    "Take",
                    on_click=S.take(t["number"].to(int), t["version"].to(int)),
                    size="2",
                    aria_label="Take ticket " + label,
                ),
            ),
            width="100%",
            align="center",
        ),
        style={"list_style": "none", "padding": "6px 0"},
    )


def team_queue() -> rx.Component:
    return rx.vstack(
        rx.heading("Team queue", size="4"),
        rx.text(
            "Unassigned tickets and your own, what falls due first at the top.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            S.team_queue.length() > 0,
            rx.el.ul(rx.foreach(S.team_queue, _queue_row), style={"padding": 0, "margin": 0}),
            rx.text("Nothing waiting: no unassigned tickets.", color_scheme="gray"),
        ),
        width="100%",
        role="region",
        aria_label="Team queue",
    )


def agent_page() -> rx.Component:
    return page_frame(
        rx.vstack(
            rx.heading("Agent console", size="6"),
            rx.cond(
                S.created_notice != "",
                rx.callout(S.created_notice, icon="ticket", color_scheme="green", role="status"),
            ),
            rx.grid(
                rx.vstack(waiting_chats(), my_chats(), width="100%", spacing="5"),
                rx.vstack(
                    open_chat(),
                    rx.cond(S.converting, convert_form()),
                    team_queue(),
                    my_tickets(),
                    width="100%",
                    spacing="5",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="5",
                width="100%",
            ),
            width="100%",
            on_mount=[S.load, rx.call_script(TIMER_JS)],
        ),
        role=rx.cond(AgentConsoleState.user_role == "manager", "manager", "agent"),
        max_width="1300px",
    )
