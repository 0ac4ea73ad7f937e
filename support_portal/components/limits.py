"""A character counter that shows near a field's limit, so nobody learns of it by refusal."""

from __future__ import annotations

import reflex as rx

from support_portal.domain.text_limits import COUNTER_FROM


def char_counter(length: rx.Var, limit: int, *, field_id: str) -> rx.Component:
    return rx.cond(
        length >= int(limit * COUNTER_FROM),
        rx.text(
            length.to_string(),
            f" / {limit} characters",
            rx.cond(length > limit, " (too long)", ""),
            id=f"{field_id}-count",
            size="1",
            color_scheme=rx.cond(length > limit, "red", "gray"),
            aria_live="polite",
        ),
    )
