"""An agent works their own tickets from the console."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_an_agent_opens_a_ticket_posts_an_update_a_note_and_moves_its_status(new_page):
    page = new_page()
    sign_in(page, "alex@agency.example")
    tickets = page.get_by_role("region", name="My tickets")
    first = tickets.get_by_role("link").first
    expect(first).to_be_visible()
    number = re.match(r"#(\d+)", first.inner_text()).group(1)
    first.click()
    expect(page).to_have_url(re.compile(f"/agent/tickets/{number}/?$"))
    expect(page.get_by_role("heading", name=re.compile(f"Ticket #{number}"))).to_be_visible()
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("Created")

    page.get_by_label("Update for the client").fill("We found the cause and are testing a fix")
    page.get_by_role("button", name="Post update").click()
    expect(timeline).to_contain_text("We found the cause and are testing a fix")

    page.get_by_label("Internal note").fill("Cause is the carrier filter on the number pool")
    page.get_by_role("button", name="Add internal note").click()
    note = timeline.locator("div").filter(has_text="Cause is the carrier filter").last
    expect(note).to_contain_text("Internal")

    # Each allowed move is its own button, named for what it does.
    moves = page.get_by_role("group", name="Change status").get_by_role("button")
    expect(moves.first).to_be_visible()
    status = page.get_by_role("heading", name=re.compile(r"^Status: "))
    before = status.inner_text()
    moves.first.click()
    expect(status).not_to_have_text(before)
    expect(timeline).to_contain_text("→ " + status.inner_text().removeprefix("Status: "))
