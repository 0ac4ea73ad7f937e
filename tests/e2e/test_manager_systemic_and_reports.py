"""A manager reads the reports and works the systemic-issues panel in the browser."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from support_portal.services.reports import CHARTS
from tests.e2e.conftest import sign_in


def test_a_manager_sees_each_report_chart_and_downloads_its_rows(new_page):
    page = new_page()
    sign_in(page, "manager@agency.example")
    expect(page.get_by_role("heading", name="Board", exact=True)).to_be_visible()
    page.get_by_role("link", name="Reports").click()
    expect(page).to_have_url(re.compile("/manager/reports/?$"))
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    for title in CHARTS.values():
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.get_by_label("From", exact=True)).not_to_have_value("")
    expect(page.get_by_label("To", exact=True)).not_to_have_value("")
    expect(page.locator(".recharts-surface").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV: Tickets by organization").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "name,tickets"
    assert any("Bright Smiles Dental" in line for line in text.splitlines())


def test_a_manager_declares_a_problem_from_tickets_and_posts_an_update(new_page):
    page = new_page()
    sign_in(page, "manager@agency.example")
    expect(page.get_by_role("heading", name="Board", exact=True)).to_be_visible()
    page.get_by_role("link", name="Systemic issues").click()
    expect(page).to_have_url(re.compile("/manager/systemic/?$"))
    expect(page.get_by_role("heading", name="Systemic issues", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Candidates", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Open problems", exact=True)).to_be_visible()

    page.get_by_label("Problem title", exact=True).last.fill("Reminder SMS skipped")
    page.get_by_label("Ticket numbers").fill("1001, 1002")
    page.get_by_role("button", name="Declare problem").last.click()
    problem = page.get_by_role("heading", name="Reminder SMS skipped")
    expect(problem).to_be_visible()
    page.get_by_label("Update for every linked ticket").fill("The provider is fixing it.")
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_text("Update posted on every linked ticket.")).to_be_visible()


def test_a_client_is_kept_out_of_systemic_issues_and_reports(new_page):
    page = new_page()
    sign_in(page, "dana@brightsmiles.example")
    expect(page).to_have_url(re.compile("/client/?$"))
    for path in ("/manager/systemic", "/manager/reports"):
        page.goto(path)
        expect(page).to_have_url(re.compile("/client/?$"))
    expect(page.get_by_role("heading", name="Systemic issues")).to_have_count(0)
