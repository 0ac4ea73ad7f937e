"""Live channels around a ticket in the browser: the support path typed at conversion, Loom
walkthroughs and plain links, and Zoom escalations shown in the client's time zone."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in

LOOM = "https://www.loom.com/share/0123456789abcdef0123456789abcdef"
WORKFLOW = "https://app.crm.example/location/loc_sr_03/workflows/42"


def _send(page: Page, text: str) -> None:
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def _schedule_zoom(page: Page, when: str, attendees: str) -> None:
    page.get_by_label("Meeting link").fill("https://us02web.zoom.us/j/81234567890")
    page.get_by_label("Date and time (client's time zone: Australia/Sydney)").fill(when)
    page.get_by_label("Who attends").fill(attendees)
    page.get_by_role("button", name="Schedule Zoom call").click()


def test_the_support_path_links_and_zoom_calls_reach_the_team_in_the_clients_time(new_page):
    agent = new_page()
    sign_in(agent, "alex@agency.example")
    expect(agent.get_by_role("heading", name="Waiting chats")).to_be_visible()
    client = new_page()
    sign_in(client, "jack@summitrealty.example")
    client.get_by_role("button", name="Start a chat").click()
    _send(client, "New leads no longer get the follow-up SMS from our workflow")
    agent.get_by_role("button", name="Accept chat from Jack Wilson").click()

    # Links in chat: a Loom chip and a plain link open in a new tab; a script link stays text.
    _send(agent, f"Here is how: {LOOM} and https://help.example.com/sms or javascript:alert(1)")
    log = client.get_by_role("log")
    expect(log).to_contain_text("javascript:alert(1)")
    expect(log.get_by_role("link", name=f"Walkthrough: {LOOM}")).to_have_attribute(
        "target", "_blank"
    )
    expect(log.get_by_role("link", name="https://help.example.com/sms")).to_have_attribute(
        "rel", "noopener noreferrer"
    )
    expect(log.get_by_role("link")).to_have_count(2)

    # A Zoom call from the live chat, typed in the client's time zone (Sydney).
    agent.get_by_text("Escalate to a Zoom call").click()
    _schedule_zoom(agent, "2027-03-05T09:30", "Mia, Alex")
    expect(agent.get_by_role("status").filter(has_text="Zoom call scheduled")).to_be_visible()

    agent.get_by_role("button", name="Convert to ticket").click()
    expect(agent.get_by_label("Tried: Live chat")).to_be_checked()
    agent.get_by_label("What was the client trying to do?").fill(
        "Send the follow-up SMS to every new lead from the lead intake workflow"
    )
    agent.get_by_label("What happened instead?").fill(
        "The workflow stops after the email step and no SMS goes out to new leads"
    )
    agent.get_by_label("Error messages").fill("Action skipped: SMS step not reached")
    agent.get_by_label("What the live chat achieved").fill("Reproduced with a test lead")
    agent.get_by_label("Tried: Loom walkthrough").check()
    agent.get_by_label("Affected workflow or automation").fill("New lead SMS follow-up")
    agent.get_by_label("Workflow link").fill(WORKFLOW)
    agent.get_by_role("button", name="Create ticket").click()
    expect(agent.get_by_text("Say what the loom walkthrough achieved")).to_be_visible()
    expect(agent.get_by_label("Affected workflow or automation")).to_have_value(
        "New lead SMS follow-up"
    )
    agent.get_by_label("What the loom walkthrough achieved").fill("Client showed the settings")
    agent.get_by_role("button", name="Create ticket").click()
    created = agent.get_by_role("status").filter(has_text=re.compile(r"Ticket #\d+ created"))
    expect(created).to_be_visible()
    number = re.search(r"#(\d+)", created.inner_text()).group(1)

    agent.goto(f"/agent/tickets/{number}")
    context = agent.get_by_role("region", name="Ticket context")
    expect(context).to_contain_text("Live chat: Reproduced with a test lead")
    expect(context).to_contain_text("Loom walkthrough: Client showed the settings")
    expect(context).to_contain_text("loc_sr_03")
    expect(context).to_contain_text("New lead SMS follow-up")
    workflow = context.get_by_role("link", name="Open workflow")
    expect(workflow).to_have_attribute("href", WORKFLOW)
    expect(workflow).to_have_attribute("target", "_blank")
    expect(workflow).to_have_attribute("rel", "noopener noreferrer")

    # Walkthroughs and links added on the ticket.
    timeline = agent.get_by_role("list", name="Timeline")
    agent.get_by_label("Link", exact=True).fill(LOOM)
    agent.get_by_label("Title", exact=True).fill("Where the SMS step is skipped")
    agent.get_by_role("button", name="Add link").click()
    walkthrough = timeline.get_by_role("link", name="Where the SMS step is skipped")
    expect(walkthrough).to_have_attribute("href", LOOM)
    expect(walkthrough).to_have_attribute("target", "_blank")
    expect(timeline).to_contain_text("Walkthrough:")
    expect(agent.get_by_label("Link", exact=True)).to_have_value("")
    agent.get_by_label("Link", exact=True).fill("https://status.example.com/incident")
    agent.get_by_role("button", name="Add link").click()
    expect(timeline.get_by_role("link", name="https://status.example.com/incident")).to_be_visible()
    agent.get_by_label("Link", exact=True).fill("javascript:alert(1)")
    agent.get_by_role("button", name="Add link").click()
    expect(agent.get_by_text("Only web links (http or https) can be added.").first).to_be_visible()
    expect(timeline.locator("a[href^='javascript']")).to_have_count(0)

    # The call from the chat moved to the ticket; another one is scheduled from the ticket.
    calls = agent.get_by_role("list", name="Zoom calls")
    expect(calls.get_by_role("listitem")).to_have_count(1)
    _schedule_zoom(agent, "2027-03-12T15:00", "Mia, Jack, Alex")
    expect(calls.get_by_role("listitem")).to_have_count(2)
    call = calls.get_by_role("listitem").filter(has_text="Mia, Jack, Alex")
    # 15:00 in Sydney (AEDT, UTC+11) is 23:00 the day before in New York (EST, UTC-5).
    expect(call).to_contain_text("Client's time: Fri 12 Mar 2027, 15:00 AEDT")
    expect(call).to_contain_text("Agency time: Thu 11 Mar 2027, 23:00 EST")
    expect(timeline).to_contain_text("Zoom call scheduled for Fri 12 Mar 2027, 15:00 AEDT")

    call.get_by_label("Outcome", exact=True).fill("Re-linked the SMS step; test lead got it")
    call.get_by_label("Resolved on the call").check()
    call.get_by_role("button", name="Record outcome").click()
    expect(call).to_contain_text("Outcome (resolved on the call): Re-linked the SMS step")
    expect(call.get_by_role("button", name="Record outcome")).to_have_count(0)
    expect(calls.get_by_role("button", name="Record outcome")).to_have_count(1)
    expect(timeline).to_contain_text("Zoom call outcome (resolved on the call)")

    # The client sees the calls in their own time zone, the walkthrough, and adds their own.
    client.goto(f"/client/tickets/{number}")
    mine = client.get_by_role("list", name="Timeline")
    expect(mine).to_contain_text("Zoom call scheduled for Fri 12 Mar 2027, 15:00 AEDT")
    expect(mine).to_contain_text("Who attends: Mia, Jack, Alex")
    expect(mine).to_contain_text("Zoom call: solved on the call")
    join = mine.get_by_role("link", name="Join the Zoom call").first
    expect(join).to_have_attribute("href", "https://us02web.zoom.us/j/81234567890")
    expect(join).to_have_attribute("target", "_blank")
    expect(mine.get_by_role("link", name="Where the SMS step is skipped")).to_have_attribute(
        "href", LOOM
    )
    expect(mine.locator("a[href^='javascript']")).to_have_count(0)
    client.get_by_label("Link", exact=True).fill(LOOM.replace("0123", "4567"))
    client.get_by_label("Title", exact=True).fill("The lead that got no SMS")
    client.get_by_role("button", name="Add link").click()
    expect(mine.get_by_role("link", name="The lead that got no SMS")).to_have_attribute(
        "target", "_blank"
    )
    expect(mine).to_contain_text("You added a walkthrough")
    agent.reload()
    expect(timeline.get_by_role("link", name="The lead that got no SMS")).to_be_visible()
