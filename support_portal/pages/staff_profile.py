"""`/profile`: how a team member hears about new and changed tickets."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import page_frame
from support_portal.state.profile import StaffProfileState

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


def staff_profile_page() -> rx.Component:
    s = StaffProfileState
    return page_frame(
        rx.form(
            rx.vstack(
                rx.heading("My notifications", size="6"),
                _switch(
                    "Email",
                    "staff-notify-email",
                    s.notify_email,
                    s.set_notify_email,
                    "New tickets, assignments and SLA warnings by email.",
                ),
                _switch(
                    "SMS",
                    "staff-notify-sms",
                    s.notify_sms,
                    s.set_notify_sms,
                    "The same by text. Urgent tickets are texted to your mobile either way.",
                ),
                rx.el.label("Mobile number", html_for="staff-phone", font_weight="500"),
                rx.input(
                    id="staff-phone",
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
        role=rx.cond(StaffProfileState.user_role == "manager", "manager", "agent"),
        max_width="600px",
    )
