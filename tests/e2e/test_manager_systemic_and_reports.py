"""A manager reads the reports and works the systemic-issues panel in the browser."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func
from sqlmodel import Session, select

from support_portal import db as db_module
from support_portal.clock import utcnow
from support_portal.models import (
    Notification,
    Problem,
    ProblemTicket,
    SystemicCandidate,
    Ticket,
    TicketEvent,
    User,
)
from support_portal.services import tickets
from support_portal.services.authz import Principal
from support_portal.services.reports import CHARTS
from support_portal.testkit.factories import good_draft
from tests.e2e.conftest import sign_in


def test_a_manager_sees_each_report_chart_and_downloads_its_rows(new_page):
    page = new_page()
    sign_in(page, "manager@agency.example")
    expect(page.get_by_role("heading", name="Board", exact=True)).to_be_visible()
    page.get_by_role("link", name="Reports").click()
    expect(page).to_have_url(re.compile("/manager/reports/?$"))
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    # The zone the days are counted in is said (the app's test settings keep the default).
    expect(page.get_by_text("calendar days in America/New_York.")).to_be_visible()
    for title in CHARTS.values():
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.get_by_label("From", exact=True)).not_to_have_value("")
    expect(page.get_by_label("To", exact=True)).not_to_have_value("")
    for title in CHARTS.values():
        chart = page.get_by_role("figure", name=title, exact=True)
        expect(chart.locator("svg").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV: Tickets by organization").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "name,tickets"
    assert any("Bright Smiles Dental" in line for line in text.splitlines())


def test_a_manager_declares_a_problem_from_tickets_and_posts_an_update(new_page, undo_problems):
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
    problem = page.get_by_role("region", name="Reminder SMS skipped", exact=True)
    expect(problem.get_by_role("heading", name="Reminder SMS skipped")).to_be_visible()
    # Other open problems may be listed too: this one's own form is used.
    problem.get_by_label("Update for every linked ticket").fill("The provider is fixing it.")
    problem.get_by_role("button", name="Post update").click()
    expect(page.get_by_text("Update posted on every linked ticket.")).to_be_visible()


def test_a_client_is_kept_out_of_systemic_issues_and_reports(new_page):
    page = new_page()
    sign_in(page, "dana@brightsmiles.example")
    expect(page).to_have_url(re.compile("/client/?$"))
    for path in ("/manager/systemic", "/manager/reports"):
        page.goto(path)
        expect(page).to_have_url(re.compile("/client/?$"))
    expect(page.get_by_role("heading", name="Systemic issues")).to_have_count(0)


@pytest.fixture
def undo_problems(app_env):
    """Problems declared in a test, and what they wrote, are removed so other tests see the
    demo data as seeded."""
    engine = db_module.make_engine(app_env["DB_URL"])

    def top(model) -> int:
        with Session(engine) as session:
            return session.exec(select(func.max(model.id))).one() or 0

    marks = {m: top(m) for m in (Problem, TicketEvent, Notification, SystemicCandidate)}
    yield
    with Session(engine) as session:
        problem_ids = session.exec(select(Problem.id).where(Problem.id > marks[Problem])).all()
        doomed = [
            *session.exec(select(Notification).where(Notification.id > marks[Notification])),
            *session.exec(select(TicketEvent).where(TicketEvent.id > marks[TicketEvent])),
            *session.exec(select(ProblemTicket).where(ProblemTicket.problem_id.in_(problem_ids))),
            *session.exec(
                select(SystemicCandidate).where(SystemicCandidate.id > marks[SystemicCandidate])
            ),
        ]
        for row in doomed:
            session.delete(row)
        session.flush()
        for problem_id in problem_ids:
            session.delete(session.get(Problem, problem_id))
        session.commit()
    engine.dispose()


PARAPHRASES = [
    ("dana@brightsmiles.example", "Webinar registration page rejects every coupon code"),
    ("olivia@harborfitness.example", "Coupon codes rejected on our webinar registration page"),
    ("mia@summitrealty.example", "Webinar registration coupon code always rejected"),
]


@pytest.fixture
def systemic_tickets(app_env, undo_problems):
    """Three clients of three organizations report the same problem; removed afterwards."""
    engine = db_module.make_engine(app_env["DB_URL"])
    made: list[int] = []
    with Session(engine) as session:
        agent = session.exec(select(User).where(User.email == "alex@agency.example")).one()
        for email, title in PARAPHRASES:
            client = session.exec(select(User).where(User.email == email)).one()
            ticket = tickets.create_ticket(
                session=session,
                principal=Principal.of(agent),
                draft=good_draft(
                    title=title,
                    tried_to_do="register for the webinar with the partner coupon code",
                    happened_instead="the registration page says the coupon code is invalid",
                    error_messages="Coupon code invalid or expired",
                    affected_area="Forms & funnels",
                ),
                organization_id=client.organization_id,
                requester_id=client.id,
                now=utcnow(),
            )
            made.append(ticket.id)
        session.commit()
    yield made
    with Session(engine) as session:
        for row in session.exec(select(TicketEvent).where(TicketEvent.ticket_id.in_(made))):
            session.delete(row)
        for row in session.exec(select(Notification).where(Notification.ticket_id.in_(made))):
            session.delete(row)
        # Runs before `undo_problems` removes the problem itself.
        for row in session.exec(select(ProblemTicket).where(ProblemTicket.ticket_id.in_(made))):
            session.delete(row)
        session.flush()
        for ticket_id in made:
            session.delete(session.get(Ticket, ticket_id))
        session.commit()
    engine.dispose()


def test_a_manager_sees_a_new_candidate_and_declares_it_a_problem(new_page, systemic_tickets):
    page = new_page()
    sign_in(page, "manager@agency.example")
    expect(page.get_by_role("heading", name="Board", exact=True)).to_be_visible()
    heading = page.get_by_role("heading", name=re.compile("Forms & funnels: 3 tickets from 3"))
    # The detection job runs every second in the app under test: reload until it has run.
    deadline = time.monotonic() + 20
    while True:
        page.goto("/manager/systemic")
        expect(page.get_by_role("heading", name="Candidates", exact=True)).to_be_visible()
        try:
            expect(heading).to_be_visible(timeout=2000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    card = page.get_by_role("article", name=re.compile("Forms & funnels: 3 tickets from 3"))
    expect(card).to_contain_text("Bright Smiles Dental")
    expect(card).to_contain_text("Harbor Fitness")
    expect(card).to_contain_text("coupon")
    card.get_by_label("Problem title").fill("Webinar coupons rejected")
    card.get_by_role("button", name="Declare problem").click()
    expect(page.get_by_role("heading", name="Webinar coupons rejected")).to_be_visible()
    expect(heading).to_have_count(0)
