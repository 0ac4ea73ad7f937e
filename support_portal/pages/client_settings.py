"""`/client/settings`: how the client hears about their tickets."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import page_frame
from support_portal.state.client import ClientSettingsState

ROW = {"min_height": "44px", "width": "100%", "cursor": "pointer"}


def _switch(label: str, ident: str, checked, on_change, hint: str) -> rx.Component:
    return rx.el.label(
        rx.vstack(
            rx.text(label, weight="medium"),
            rx.text(hint, size="2", color_scheme="gray"),
            spacing="0",
            flex="1",
            align="start",
        ),
        rx.switch(id=ident, name=ident, checked=checked, on_change=on_change, size="3"),
        html_for=ident,
        style={**ROW, "display": "flex", "align_items": "center", "gap": "1em"},
    )


def client_settings_page() -> rx.Component:
    s = ClientSettingsState
    return page_frame(
        rx.form(
            rx.vstack(
                rx.heading("Notification settings", size="6"),
                _switch(
                    "Email updates",
                    "notify-email",
                    s.notify_email,
                    s.set_notify_email,
                    "We email you when your tickets change.",
                ),
                _switch(
                    "SMS updates",
                    "notify-sms",
                    s.notify_sms,
                    s.set_notify_sms,
                    "We text your mobile when your tickets change.",
                ),
                rx.el.label("Phone number", html_for="phone", font_weight="500"),
                rx.input(
                    id="phone",
                    name="phone",
                    type="tel",
                    value=s.phone,
                    on_change=s.set_phone,
                    placeholder="+1 555 123 4567",
                    auto_complete="tel",
                    width="100%",
                    size="3",
                ),
                rx.cond(
                    s.phone_error != "",
                    rx.callout(
                        s.phone_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                        width="100%",
                    ),
                ),
                rx.cond(s.saved, rx.text("Saved.", role="status", color_scheme="green")),
                rx.button("Save settings", type="submit", size="3"),
                spacing="3",
                width="100%",
                align="start",
            ),
            on_submit=s.save,
            reset_on_submit=False,
        ),
        role="client",
        max_width="600px",
    )
