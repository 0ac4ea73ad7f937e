"""`/client/settings`: how the client hears about their tickets."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import page_frame
from support_portal.components.notification_settings import Wording, notification_form
from support_portal.state.client import ClientSettingsState


def client_settings_page() -> rx.Component:
    return page_frame(
        notification_form(
            ClientSettingsState,
            Wording(
                heading="Notification settings",
                email_label="Email updates",
                email_hint="We email you when your tickets change.",
                sms_label="SMS updates",
                sms_hint="We text your mobile when your tickets change.",
                phone_label="Phone number",
            ),
        ),
        role="client",
        max_width="600px",
    )
