"""The page frame: a header with the product name, the role's links and "Sign out"."""

from __future__ import annotations

import reflex as rx

from support_portal import urls
from support_portal.state.session import SessionState

NAV: dict[str, list[tuple[str, str]]] = {
    "client": [("My tickets", urls.CLIENT), ("Notification settings", urls.CLIENT_SETTINGS)],
    "agent": [("Console", urls.AGENT), ("My notifications", urls.STAFF_PROFILE)],
    "manager": [
        ("Board", urls.MANAGER),
        ("Systemic issues", urls.MANAGER_SYSTEMIC),
        ("Reports", urls.MANAGER_REPORTS),
        ("Notifications", urls.MANAGER_NOTIFICATIONS),
        ("Agent console", urls.AGENT),
        ("My notifications", urls.STAFF_PROFILE),
    ],
}


def _nav_links(role: str) -> rx.Component:
    return rx.hstack(
        # 40px tall: comfortable to tap on a phone.
        *[
            rx.link(
                label,
                href=href,
                size="2",
                min_height="40px",
                display="inline-flex",
                align_items="center",
            )
            for label, href in NAV[role]
        ],
        spacing="4",
        wrap="wrap",
    )


def header() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.hstack(
                rx.icon("life-buoy", size=22),
                rx.heading("Support Portal", size="4"),
                align="center",
                spacing="2",
            ),
            rx.match(
                SessionState.user_role,
                ("client", _nav_links("client")),
                ("agent", _nav_links("agent")),
                ("manager", _nav_links("manager")),
                rx.fragment(),
            ),
            rx.spacer(),
            rx.hstack(
                rx.text(SessionState.user_name, size="2", color_scheme="gray"),
                rx.button("Sign out", on_click=SessionState.sign_out, variant="soft", size="3"),
                align="center",
                spacing="3",
            ),
            align="center",
            wrap="wrap",
            spacing="4",
            width="100%",
        ),
        as_="header",
        padding_x="1em",
        padding_y="0.75em",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
    )


def page_frame(*children: rx.Component, role: str, max_width: str = "1100px") -> rx.Component:
    """A page that shows its content only once the server has confirmed the user's role."""
    return rx.box(
        header(),
        rx.cond(
            SessionState.user_role == role,
            rx.box(
                *children,
                as_="main",
                padding="1em",
                max_width=max_width,
                margin_x="auto",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="4em"),
        ),
        width="100%",
        min_height="100vh",
    )
