"""`/profile`: how a team member hears about new and changed tickets."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import page_frame
from support_portal.components.notification_settings import Wording, notification_form
from support_portal.state.profile import StaffProfileState


def staff_profile_page() -> rx.Component:
    return page_frame(
        notification_form(
            StaffProfileState,
            Wording(
                heading="My notifications",
                email_label="Email",
                email_hint="New tickets, assignments and SLA warnings by email.",
                sms_label="SMS",
                sms_hint="The same by text. Urgent tickets are texted to your mobile either way.",
                phone_label="Mobile number",
                id_prefix="staff-",
            ),
        ),
        role=rx.cond(StaffProfileState.user_role == "manager", "manager", "agent"),
        max_width="600px",
    )
