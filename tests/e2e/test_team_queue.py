"""An agent sees the work nobody holds in the console's team queue and takes a ticket."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_an_agent_takes_an_unassigned_ticket_from_the_team_queue(new_page):
    page = new_page()
    sign_in(page, "sam@agency.example")
    queue = page.get_by_role("region", name="Team queue")
    take = queue.get_by_role("button", name=re.compile(r"^Take ticket #\d+"))
    expect(take.first).to_be_visible()
    expect(queue).to_contain_text(
        re.compile(r"(First response|Next update|Resolution) (due in|overdue by)")
    )
    name = take.first.get_attribute("aria-label") or ""
    number = re.search(r"#(\d+)", name).group(1)
    row = queue.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=re.compile(f"^#{number} "))
    )
    expect(row).to_contain_text("Unassigned")

    take.first.click()

    expect(page.get_by_text(f"Ticket #{number} is yours.")).to_be_visible()
    expect(row).to_contain_text("Yours")
    expect(row.get_by_role("button", name=re.compile("^Take"))).to_have_count(0)
    mine = page.get_by_role("region", name="My tickets")
    expect(mine.get_by_role("link", name=re.compile(f"^#{number} "))).to_be_visible()
