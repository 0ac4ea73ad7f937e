"""The Zoom escalation form, shared by the ticket page and the chat console."""

from __future__ import annotations

from typing import Any

import reflex as rx


def field_error(errors: Any, key: str, field_id: str) -> rx.Component:
    return rx.cond(
        errors[key],
        rx.text(errors[key], id=f"{field_id}-error", color_scheme="red", size="1"),
    )


def _labelled(label: Any, field_id: str, control: rx.Component, errors: Any, key: str):
    return rx.vstack(
        rx.el.label(*label, html_for=field_id, font_weight="500", font_size="0.9em"),
        control,
        field_error(errors, key, field_id),
        spacing="1",
        width="100%",
    )


def schedule_zoom_form(*, on_submit: Any, client_tz: Any, errors: Any) -> rx.Component:
    """Meeting link, time as the client reads it (datetime-local, client's zone), attendees."""
    return rx.form(
        rx.vstack(
            rx.heading("Schedule Zoom call", size="3"),
            _labelled(
                ("Meeting link",),
                "zoom-meeting_url",
                rx.input(
                    id="zoom-meeting_url",
                    name="meeting_url",
                    placeholder="https://us02web.zoom.us/j/...",
                    width="100%",
                ),
                errors,
                "zoom_meeting_url",
            ),
            _labelled(
                ("Date and time (client's time zone: ", client_tz, ")"),
                "zoom-scheduled_at",
                rx.el.input(id="zoom-scheduled_at", name="scheduled_at", type="datetime-local"),
                errors,
                "zoom_scheduled_at",
            ),
            _labelled(
                ("Who attends",),
                "zoom-attendees",
                rx.input(id="zoom-attendees", name="attendees", width="100%"),
                errors,
                "zoom_attendees",
            ),
            rx.button("Schedule Zoom call", type="submit"),
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )
