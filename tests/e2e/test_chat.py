"""Live chat between a client's and an agent's browsers, side by side, through to a ticket."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from support_portal.testkit.files import PNG
from tests.e2e.conftest import sign_in

LIVE = 2_000  # what "real time" means here: the other side shows it within two seconds


def _send(page: Page, text: str) -> None:
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def test_a_client_and_an_agent_chat_live_and_the_chat_becomes_a_ticket(new_page):
    agent = new_page()
    sign_in(agent, "sam@agency.example")
    expect(agent.get_by_role("heading", name="Waiting chats")).to_be_visible()

    client = new_page()
    sign_in(client, "dana@brightsmiles.example")
    client.get_by_role("button", name="Start a chat").click()
    expect(client.get_by_text("Waiting for an agent")).to_be_visible()
    first = "The booking form rejects every mobile phone number we enter"
    _send(client, first)
    expect(client.get_by_role("log")).to_contain_text(first)

    # The queue is live in the agent's console: no reload.
    accept = agent.get_by_role("button", name="Accept chat from Dana Brooks")
    expect(accept).to_be_visible()
    accept.click()
    agent_log = agent.get_by_role("log")
    expect(agent_log).to_contain_text(first)
    expect(client.get_by_text("Chatting with Sam Patel")).to_be_visible(timeout=LIVE)

    _send(agent, "Which form is it, the new patient form?")
    expect(client.get_by_role("log")).to_contain_text("the new patient form?", timeout=LIVE)
    _send(client, "Yes, the new patient intake form on our website")
    expect(agent_log).to_contain_text("new patient intake form", timeout=LIVE)

    # Both sides rebuild the chat from the database after a reload.
    client.reload()
    expect(client.get_by_role("log")).to_contain_text("the new patient form?")
    agent.reload()
    expect(agent.get_by_role("log")).to_contain_text("new patient intake form")

    # CHAT_ESCALATION_MINUTES is 0.1 for the app under test.
    flag = agent.get_by_text("0.1 minutes without resolution: convert to a ticket")
    expect(flag.first).to_be_visible()
    expect(agent.get_by_label("Elapsed time").first).to_have_text(re.compile(r"^\d\d:\d\d$"))

    agent.get_by_role("button", name="Convert to ticket").click()
    expect(agent.get_by_label("Title", exact=True)).to_have_value(re.compile("booking form"))
    tried = agent.get_by_label("What was the client trying to do?")
    tried.fill("it")
    agent.get_by_role("button", name="Create ticket").click()
    expect(agent.get_by_text("Be specific about what the client was trying to do")).to_be_visible()
    expect(agent.get_by_text("Say what happened instead.")).to_be_visible()
    expect(tried).to_have_value("it")

    # A screenshot travels with the ticket; a file that is not what its name says is refused.
    upload = agent.locator("#convert-screenshots input[type=file]")
    upload.set_input_files(
        [{"name": "notes.png", "mimeType": "image/png", "buffer": b"just some text"}]
    )
    agent.get_by_role("button", name="Upload screenshots").click()
    expect(agent.get_by_text(re.compile("notes.png: "))).to_be_visible()
    upload.set_input_files([{"name": "form-error.png", "mimeType": "image/png", "buffer": PNG}])
    agent.get_by_role("button", name="Upload screenshots").click()
    expect(agent.get_by_text("Attached: form-error.png")).to_be_visible()

    tried.fill("Add a new patient through the intake form on the clinic website")
    agent.get_by_label("What happened instead?").fill(
        "Form shows 'invalid phone' for every mobile number and does not submit"
    )
    agent.get_by_label("Error messages").fill("Please enter a valid phone number")
    agent.get_by_label("Category").select_option("Bug")
    agent.get_by_label("Affected area").select_option("Forms & funnels")
    agent.get_by_role("button", name="Create ticket").click()
    created = agent.get_by_role("status").filter(has_text=re.compile(r"Ticket #\d+ created"))
    expect(created).to_be_visible()
    number = re.search(r"#(\d+)", created.inner_text()).group(1)

    expect(client.get_by_role("log")).to_contain_text(f"#{number}", timeout=LIVE)
    expect(client.get_by_role("log")).to_contain_text("Expect a first response by")
    client.reload()
    link = client.get_by_role("link", name=f"Ticket #{number}")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", f"/client/tickets/{number}")

    agent.goto(f"/agent/tickets/{number}")
    timeline = agent.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("Created from a chat")
    expect(timeline).to_contain_text("new patient intake form")
    expect(agent.get_by_role("link", name="form-error.png")).to_be_visible()


def test_the_queue_is_live_in_every_agents_console_and_a_resolved_chat_ends_for_the_client(
    new_page,
):
    alex = new_page()
    sign_in(alex, "alex@agency.example")
    sam = new_page()
    sign_in(sam, "sam@agency.example")
    for console in (alex, sam):
        expect(console.get_by_role("heading", name="Waiting chats")).to_be_visible()

    client = new_page()
    sign_in(client, "olivia@harborfitness.example")
    client.get_by_role("button", name="Start a chat").click()
    _send(client, "How do I add a second trainer calendar?")

    accept_on_sam = sam.get_by_role("button", name="Accept chat from Olivia Shaw")
    expect(accept_on_sam).to_be_visible()
    accept_on_alex = alex.get_by_role("button", name="Accept chat from Olivia Shaw")
    expect(accept_on_alex).to_be_visible()
    accept_on_alex.click()
    expect(alex.get_by_role("log")).to_contain_text("second trainer calendar")
    # Taken by Alex: gone from Sam's queue without a reload.
    expect(accept_on_sam).to_have_count(0)

    _send(alex, "Open Calendars, then New calendar, and pick the trainer as the owner")
    expect(client.get_by_role("log")).to_contain_text("pick the trainer", timeout=LIVE)
    alex.get_by_role("button", name="Mark resolved").click()
    expect(client.get_by_role("log")).to_contain_text("marked this chat as resolved")
    expect(client.get_by_role("button", name="Start a chat")).to_be_visible()
    expect(client.get_by_label("Message", exact=True)).to_have_count(0)
