"""The notification-settings form shared by the client's settings and the team's profile:
email and SMS switches and the phone number, which keeps what was typed when refused."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

ROW = {"min_height": "44px", "width": "100%", "cursor": "pointer"}


@dataclass(frozen=True)
class Wording:
    heading: str
    email_label: str
    email_hint: str
    sms_label: str
    sms_hint: str
    phone_label: str
    id_prefix: str = ""


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


def notification_form(s: type[rx.State], words: Wording) -> rx.Component:
    """`s` holds notify_email, notify_sms, phone, phone_error, saved and their setters, and
    `save` (the form's submit)."""
    phone_id = f"{words.id_prefix}phone"
    return rx.form(
        rx.vstack(
            rx.heading(words.heading, size="6"),
            _switch(
                words.email_label,
                f"{words.id_prefix}notify-email",
                s.notify_email,
                s.set_notify_email,
                words.email_hint,
            ),
            _switch(
                words.sms_label,
                f"{words.id_prefix}notify-sms",
                s.notify_sms,
                s.set_notify_sms,
                words.sms_hint,
            ),
            rx.el.label(words.phone_label, html_for=phone_id, font_weight="500"),
            rx.input(
                id=phone_id,
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
    )
