"""Managers see what the outbox sent; others are kept out."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_a_manager_sees_recent_notifications_with_their_status(new_page):
    page = new_page()
    sign_in(page, "manager@agency.example")
    expect(page).to_have_url(re.compile("/manager/?$"))
    page.goto("/manager/notifications")
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    table = page.get_by_role("region", name="Recent notifications").get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="Provider id")).to_be_visible()
    first = table.get_by_role("row").nth(1)
    expect(first).to_contain_text(re.compile(r"#\d{4}"))
    expect(first).to_contain_text(re.compile(r"sent|delivered"))


def test_an_agent_who_opens_the_notifications_page_is_turned_away(new_page):
    page = new_page()
    sign_in(page, "alex@agency.example")
    expect(page).to_have_url(re.compile("/agent/?$"))
    page.goto("/manager/notifications")
    expect(page).to_have_url(re.compile("/agent/?$"))
    expect(page.get_by_role("region", name="Recent notifications")).to_have_count(0)


def test_the_running_app_serves_the_webhooks_and_refuses_unsigned_calls(app_url):
    for path in (
        "/api/webhooks/twilio/status",
        "/api/webhooks/twilio/inbound",
        "/api/webhooks/sendgrid/events",
        "/api/webhooks/sendgrid/inbound",
    ):
        response = httpx.post(f"{app_url}{path}", data={"Body": "STOP"}, timeout=10)
        assert response.status_code == 403, path
