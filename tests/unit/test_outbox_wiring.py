"""The app works out of the box: with no provider credentials, notifications go to the log."""

from __future__ import annotations

from support_portal.jobs.runner import registered_jobs
from support_portal.notify.channels import (
    ConsoleChannel,
    SendGridChannel,
    TwilioChannel,
    build_channels,
)
from support_portal.settings import Settings


def test_the_outbox_job_runs_with_the_other_jobs():
    assert "outbox" in dict(registered_jobs())


def test_without_credentials_both_channels_are_the_console():
    channels = build_channels(Settings())
    assert isinstance(channels["email"], ConsoleChannel)
    assert isinstance(channels["sms"], ConsoleChannel)


def test_with_credentials_the_real_providers_are_used():
    channels = build_channels(
        Settings(
            sendgrid_api_key="SG.key",
            twilio_account_sid="AC" + "0" * 32,
            twilio_auth_token="token",
            twilio_messaging_service_sid="MG" + "0" * 32,
        )
    )
    assert isinstance(channels["email"], SendGridChannel)
    assert isinstance(channels["sms"], TwilioChannel)
