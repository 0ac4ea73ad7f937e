"""The client's live chat panel on /client."""

from __future__ import annotations

import reflex as rx

from support_portal.components.chat import message_list, send_form
from support_portal.domain.chat_rules import ChatStatus
from support_portal.state.chat import ChatRoomState, ClientChatState


def _ticket_link() -> rx.Component:
    return rx.cond(
        ChatRoomState.ticket_number > 0,
        rx.callout(
            rx.hstack(
                rx.text("Your chat became a ticket:"),
                rx.link(
                    "Ticket #" + ChatRoomState.ticket_number.to_string(),
                    href=ChatRoomState.client_ticket_href,
                    # Tall enough to tap on a phone.
                    min_height="40px",
                    display="inline-flex",
                    align_items="center",
                ),
                spacing="2",
                wrap="wrap",
            ),
            icon="ticket",
            color_scheme="green",
        ),
    )


def client_chat_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Live chat", size="4"),
            rx.cond(
                ChatRoomState.is_open,
                rx.vstack(
                    rx.cond(
                        ChatRoomState.status == ChatStatus.WAITING.value,
                        rx.text("Waiting for an agent to join…", color_scheme="gray"),
                        rx.text("Chatting with ", ChatRoomState.agent_name),
                    ),
                    message_list(ChatRoomState.messages),
                    send_form(state=ClientChatState, form_id="client-chat"),
                    width="100%",
                ),
                rx.vstack(
                    rx.cond(
                        ChatRoomState.messages.length() > 0,
                        message_list(ChatRoomState.messages),
                    ),
                    _ticket_link(),
                    rx.text("Need help right now? Our team is online.", color_scheme="gray"),
                    rx.button("Start a chat", on_click=ClientChatState.start_chat, size="3"),
                    width="100%",
                ),
            ),
            rx.cond(
                ClientChatState.chat_error != "",
                rx.callout(ClientChatState.chat_error, color_scheme="red", role="alert"),
            ),
            width="100%",
            on_mount=ClientChatState.load,
        ),
        width="100%",
    )
