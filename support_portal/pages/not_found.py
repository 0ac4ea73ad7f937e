"""The 404 page: the usual header, what happened, and a way back."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import header
from support_portal.state.not_found import NotFoundState


def not_found_page() -> rx.Component:
    return rx.box(
        header(),
        rx.center(
            rx.vstack(
                rx.heading("Page not found", size="6"),
                rx.text(
                    "There is no page at this address. It may have moved, or the link "
                    "may be mistyped.",
                    color_scheme="gray",
                ),
                rx.link(rx.button(NotFoundState.home_label, size="3"), href=NotFoundState.home_url),
                align="center",
                spacing="4",
                text_align="center",
            ),
            as_="main",
            padding="4em 1em",
        ),
        width="100%",
        min_height="100vh",
    )
