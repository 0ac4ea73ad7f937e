"""While converting a chat, the agent sees similar open tickets and links the new one."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import Session, select

from support_portal import db as db_module
from support_portal.models import Ticket, TicketEvent
from tests.e2e.conftest import sign_in


def test_the_agent_links_a_new_ticket_to_a_similar_open_one(new_page, app_env):
    client = new_page()
    sign_in(client, "tom@harborfitness.example")
    client.get_by_role("button", name="Start a chat").click()
    client.get_by_label("Message", exact=True).fill("Our Google calendar sync double books slots")
    client.get_by_role("button", name="Send", exact=True).click()

    agent = new_page()
    sign_in(agent, "alex@agency.example")
    agent.get_by_role("button", name="Accept chat from Tom Hughes").click()
    agent.get_by_role("button", name="Convert to ticket").click()

    title = agent.get_by_label("Title", exact=True)
    title.fill("Google Calendar sync shows double bookings")
    agent.get_by_label("What happened instead?").fill(
        "slots already booked in Google still show as available and clients double book"
    )
    agent.get_by_label("What was the client trying to do?").click()  # leaves the field above

    similar = agent.get_by_role("region", name="Similar open tickets")
    # Demo ticket #1003 (Harbor Fitness' calendar sync) is the same problem.
    row = similar.get_by_role("link", name=re.compile(r"^#1003 "))
    expect(row).to_be_visible()
    similar.get_by_role("button", name=re.compile(r"^Link to (#1003|problem)")).first.click()
    expect(similar.get_by_text(re.compile("Will be linked to"))).to_be_visible()

    agent.get_by_label("What was the client trying to do?").fill(
        "sync the team calendar with Google Calendar so booked slots are blocked"
    )
    agent.get_by_label("Steps to reproduce").fill("Book 10am in Google, open the booking widget")
    agent.get_by_label("Affected area").select_option("Calendars")
    agent.get_by_role("button", name="Create ticket").click()
    created = agent.get_by_role("status").filter(has_text=re.compile(r"Ticket #\d+ created"))
    expect(created).to_be_visible()
    number = int(re.search(r"#(\d+)", created.inner_text()).group(1))

    engine = db_module.make_engine(app_env["DB_URL"])
    with Session(engine) as s:
        new = s.exec(select(Ticket).where(Ticket.number == number)).one()
        kinds = {
            e.kind: e.data
            for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == new.id)).all()
        }
    engine.dispose()
    linked = kinds.get("related_ticket") or kinds.get("linked_to_problem")
    assert linked is not None, kinds
