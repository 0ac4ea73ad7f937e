"""The escalation rule alerts the agent who holds the chat: as the chat passes the threshold
their console shows a toast and the tab's title says so, until the chat is dealt with."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, sign_in

AGENT = "quinn@agency.example"
CLIENT = "ava@harborfitness.example"
# CHAT_ESCALATION_MINUTES is 0.1 for the app under test (six seconds).
FLAG = "0.1 minutes without resolution: convert to a ticket"


def _people(app_env) -> None:
    """An agent and a client of their own, so no other test's chats are in their way."""
    from sqlmodel import Session, select

    from support_portal import db as db_module
    from support_portal.models import Organization
    from support_portal.services import accounts

    engine = db_module.make_engine(app_env["DB_URL"])
    with Session(engine) as s:
        org = s.exec(select(Organization).where(Organization.name == "Harbor Fitness")).one()
        accounts.create_user(
            session=s, email=AGENT, name="Quinn Hart", role="agent", password=DEMO_PASSWORD
        )
        accounts.create_user(
            session=s,
            email=CLIENT,
            name="Ava Lopez",
            role="client",
            password=DEMO_PASSWORD,
            organization=org,
        )
        s.commit()
    engine.dispose()


def test_the_holding_agent_is_alerted_when_the_chat_passes_the_threshold(new_page, app_env):
    _people(app_env)
    agent = new_page()
    sign_in(agent, AGENT)
    expect(agent.get_by_role("heading", name="Waiting chats")).to_be_visible()
    client = new_page()
    sign_in(client, CLIENT)
    client.get_by_role("button", name="Start a chat").click()
    expect(client.get_by_text("Waiting for an agent")).to_be_visible()
    agent.get_by_role("button", name="Accept chat from Ava Lopez").click()
    expect(agent.get_by_role("button", name="Open chat with Ava Lopez")).to_be_visible()

    expect(agent.get_by_text(f"Chat with Ava Lopez: {FLAG}")).to_be_visible(timeout=20_000)
    expect(agent).to_have_title(re.compile(f"^\u26a0 {re.escape(FLAG)} \u00b7 Agent console"))

    # A reload keeps the title's mark but does not toast the same chat again.
    agent.reload()
    expect(agent).to_have_title(re.compile(f"^\u26a0 {re.escape(FLAG)}"))
    expect(agent.get_by_text(f"Chat with Ava Lopez: {FLAG}")).to_have_count(0)

    # Dealt with: the title is the page's own again.
    agent.get_by_role("button", name="Mark resolved").click()
    expect(agent.get_by_role("button", name="Open chat with Ava Lopez")).to_have_count(0)
    expect(agent).to_have_title("Agent console · Support Portal")
