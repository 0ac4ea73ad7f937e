"""`/login`: email and password, then on to the page of the user's role."""

from __future__ import annotations

import reflex as rx

from support_portal import urls
from support_portal.state.login import LoginState

FORM_ID = "sign-in-form"


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            # A plain form post: the server answers with the HttpOnly session cookie.
            rx.el.form(
                rx.vstack(
                    rx.hstack(
                        rx.icon("life-buoy", size=28),
                        rx.heading("Support Portal", size="6"),
                        align="center",
                    ),
                    rx.text(
                        "Sign in to follow your tickets or work the queue.", color_scheme="gray"
                    ),
                    rx.cond(
                        LoginState.error != "",
                        rx.callout(
                            LoginState.error,
                            icon="triangle-alert",
                            color_scheme="red",
                            role="alert",
                            width="100%",
                        ),
                    ),
                    rx.el.label("Email", html_for="email", font_weight="500"),
                    rx.input(
                        id="email",
                        name="email",
                        type="email",
                        value=LoginState.email,
                        on_change=LoginState.set_email,
                        auto_complete="username",
                        required=True,
                        width="100%",
                        size="3",
                    ),
                    rx.el.label("Password", html_for="password", font_weight="500"),
                    rx.input(
                        id="password",
                        name="password",
                        type="password",
                        auto_complete="current-password",
                        required=True,
                        width="100%",
                        size="3",
                    ),
                    rx.button("Sign in", type="submit", width="100%", size="3"),
                    spacing="3",
                    width="100%",
                ),
                id=FORM_ID,
                method="post",
                action=urls.SIGN_IN_POST,
                # Reflex's form always prevents the browser's own submit; submit() here posts
                # it natively (in the browser only: the password never goes over the socket).
                on_submit=rx.call_script(f"document.getElementById('{FORM_ID}').submit()"),
            ),
            width="100%",
            max_width="420px",
            size="4",
        ),
        min_height="100vh",
        padding="1em",
    )
