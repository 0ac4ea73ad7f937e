"""The client's pages in a real browser: tickets, a live timeline, adding details,
closing the loop, isolation between organizations, settings, and a 375 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from support_portal.clock import utcnow
from support_portal.testkit.files import PNG
from tests.e2e.conftest import RESULTS, sign_in

DANA = "dana@brightsmiles.example"  # Bright Smiles Dental
LEE = "lee@brightsmiles.example"  # Bright Smiles Dental, Dana's colleague
# Demo tickets: 1001 in progress (Dana), 1007 and 1013 resolved (Dana), 1003 Harbor Fitness.
INTERNAL_NOTE = "Looks related to last week's platform release"


def _open_ticket(page, number: int) -> None:
    page.goto(f"/client/tickets/{number}")
    expect(page.get_by_role("heading", name=re.compile(f"^#{number} "))).to_be_visible()


@pytest.fixture
def unassigned_ticket(app_env) -> int:
    """A new ticket of Dana's that nobody holds (other tests may assign the demo ones)."""
    from sqlmodel import Session, select

    from support_portal import db as db_module
    from support_portal.models import User
    from support_portal.services import tickets
    from support_portal.services.authz import Principal
    from support_portal.testkit.factories import good_draft

    engine = db_module.make_engine(app_env["DB_URL"])
    with Session(engine, expire_on_commit=False) as s:
        dana = s.exec(select(User).where(User.email == DANA)).one()
        agent = s.exec(select(User).where(User.email == "alex@agency.example")).one()
        ticket = tickets.create_ticket(
            session=s,
            principal=Principal.of(agent),
            draft=good_draft(),
            organization_id=dana.organization_id,
            requester_id=dana.id,
            now=utcnow(),
        )
        s.commit()
        number = ticket.number
    engine.dispose()
    return number


def test_a_client_sees_her_tickets_with_status_owner_and_next_update(new_page, unassigned_ticket):
    page = new_page()
    sign_in(page, DANA)
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    card = page.get_by_role("link", name=re.compile(r"^#1001 "))
    expect(card).to_contain_text("The team is working on it")
    expect(card).to_contain_text("Who is on it: Alex Kim")
    expect(card).to_contain_text("Last update")
    expect(page.get_by_role("link", name=re.compile(f"^#{unassigned_ticket} "))).to_contain_text(
        "Not assigned yet"
    )
    # Another organization's tickets are not listed.
    expect(page.get_by_role("link", name=re.compile(r"^#1003 "))).to_have_count(0)
    card.click()
    expect(page).to_have_url(re.compile("/client/tickets/1001/?$"))
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("Ticket opened from your chat")
    expect(timeline).to_contain_text("Alex Kim is now working on it")
    expect(timeline).to_contain_text("I reproduced this on your sub-account")
    # Exact time in the organization's zone (Chicago) on hover.
    expect(timeline.locator("time").first).to_have_attribute("title", re.compile(r"C[SD]T$"))


def test_details_added_in_one_browser_appear_live_in_another_and_no_internal_note_is_sent(
    new_page,
):
    frames: list[str] = []
    watcher = new_page()
    watcher.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(str(p))))
    sign_in(watcher, LEE)
    expect(watcher.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    _open_ticket(watcher, 1001)

    page = new_page()
    sign_in(page, DANA)
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    _open_ticket(page, 1001)
    page.get_by_label("Add details").fill("It also skips the SMS for Tuesday bookings.")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Attach screenshots or logs").click()
    chooser.value.set_files(
        files=[{"name": "workflow-history.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(page.get_by_text("workflow-history.png")).to_be_visible()
    page.get_by_role("button", name="Send details").click()
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("You added details")
    expect(page.get_by_label("Add details")).to_have_value("")
    # The screenshot is served only through the checked download route.
    link = timeline.get_by_role("link", name="workflow-history.png")
    href = link.get_attribute("href")
    assert href and href.startswith("/files/")
    response = page.request.get(href)
    assert response.status == 200 and response.body() == PNG

    # Lee did nothing: the update arrives on her open page without a reload.
    live = watcher.get_by_role("list", name="Timeline")
    expect(live).to_contain_text("Dana Brooks added details")
    expect(live).to_contain_text("It also skips the SMS for Tuesday bookings.")
    expect(live.get_by_role("link", name="workflow-history.png")).to_be_visible()
    assert frames, "no websocket frames were recorded"
    assert not any(INTERNAL_NOTE in f for f in frames)


def test_the_teams_public_update_arrives_live_and_its_internal_note_never_does(new_page):
    frames: list[str] = []
    client = new_page()
    client.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(str(p))))
    sign_in(client, DANA)
    expect(client.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    _open_ticket(client, 1019)

    agent = new_page()
    sign_in(agent, "alex@agency.example")
    expect(agent).to_have_url(re.compile("/agent/?$"))
    agent.goto("/agent/tickets/1019")
    agent.get_by_label("Internal note").fill("Secret: billing flagged this account")
    agent.get_by_role("button", name="Add internal note").click()
    expect(agent.get_by_role("list", name="Timeline")).to_contain_text("Secret: billing")
    agent.get_by_label("Update for the client").fill("Found it: the pause switch is per team.")
    agent.get_by_role("button", name="Post update").click()

    timeline = client.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("Update from Alex Kim")
    expect(timeline).to_contain_text("Found it: the pause switch is per team.")
    expect(timeline).not_to_contain_text("Secret: billing")
    assert not any("Secret: billing" in f for f in frames)


def test_a_client_confirms_a_resolved_ticket(new_page):
    page = new_page()
    sign_in(page, DANA)
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    _open_ticket(page, 1007)
    expect(page.get_by_text("Fixed: please confirm").first).to_be_visible()
    page.get_by_role("button", name="Confirm fix").click()
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("Closed")
    expect(page.get_by_role("button", name="Confirm fix")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("button", name="Confirm fix")).to_have_count(0)


def test_still_broken_needs_a_reason_and_reopens_the_ticket(new_page):
    page = new_page()
    sign_in(page, DANA)
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    _open_ticket(page, 1013)
    page.get_by_role("button", name="Still broken").click()
    page.get_by_role("button", name="Reopen ticket").click()
    expect(page.get_by_role("alert")).to_contain_text("Say what is still broken")
    page.get_by_label("What is still broken?").fill("Buyers still get two reminders.")
    page.get_by_role("button", name="Reopen ticket").click()
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("Reopened: The team is working on it")
    expect(timeline).to_contain_text("Buyers still get two reminders.")


def test_another_organizations_ticket_looks_exactly_like_a_missing_one(new_page):
    page = new_page()
    sign_in(page, DANA)
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    texts = []
    for number in (1003, 98765):
        page.goto(f"/client/tickets/{number}")
        expect(page.get_by_role("heading", name="Ticket not found")).to_be_visible()
        texts.append(page.locator("body").inner_text())
    assert texts[0] == texts[1]


def test_notification_settings_refuse_sms_without_a_phone_and_keep_what_was_typed(new_page):
    page = new_page()
    sign_in(page, LEE)
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    page.goto("/client/settings")
    sms = page.get_by_role("switch", name="SMS updates")
    expect(sms).to_be_visible()
    sms.click()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("mobile number")
    expect(sms).to_be_checked()
    page.get_by_label("Phone number").fill("(415) 555-2671")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label("Phone number")).to_have_value("+14155552671")
    expect(page.get_by_role("switch", name="SMS updates")).to_be_checked()


def _fits_a_phone(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"client-{name}-375px.png"), full_page=True)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name}: page is {scroll}px wide on a {inner}px screen"
    # The tap target: a text field's frame, a switch's whole labelled row.
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, input, textarea, a')]
            .filter(e => e.offsetParent !== null && e.type !== 'file'
                && e.getAttribute('aria-hidden') !== 'true')
            .map(e => e.closest('.rt-TextFieldRoot, label') || e)
            .map(e => [e.textContent || e.id, e.getBoundingClientRect().height])
            .filter(([, h]) => h < 40)"""
    )
    assert small == [], f"{name}: controls under 40px tall: {small}"


def test_the_client_pages_fit_a_375px_phone_without_horizontal_scrolling(new_page):
    page = new_page(width=375, height=812)
    sign_in(page, DANA)
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^#1001 "))).to_be_visible()
    _fits_a_phone(page, "tickets")
    _open_ticket(page, 1019)
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("Ticket opened")
    _fits_a_phone(page, "ticket")
    page.goto("/client/settings")
    expect(page.get_by_role("switch", name="Email updates")).to_be_visible()
    _fits_a_phone(page, "settings")


def test_after_signing_out_the_next_person_in_the_same_tab_gets_nothing_of_the_last_ticket(
    new_page,
):
    page = new_page()
    sign_in(page, DANA)
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    _open_ticket(page, 1001)
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(str(p))))
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile("/login/?$"))
    sign_in(page, "olivia@harborfitness.example")
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^#1003 "))).to_be_visible()
    # One more round trip: once the server has answered a later event of this tab, whatever
    # it had queued for the tab before has arrived too.
    page.get_by_role("link", name="Notification settings").click()
    expect(page.get_by_role("switch", name="Email updates")).to_be_visible()
    assert not any("Appointment reminder workflow stopped sending SMS" in f for f in frames)


def test_relative_times_stay_true_while_the_page_stays_open(new_page, unassigned_ticket):
    from datetime import UTC, datetime

    from support_portal.services.client_views import relative_time

    page = new_page()
    sign_in(page, DANA)
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    _open_ticket(page, unassigned_ticket)
    opened = page.locator("ol time[data-ticks]").first
    expect(opened).to_have_text("just now")
    at = datetime.fromisoformat(opened.get_attribute("datetime"))

    # The page's clock, moved by the test: three hours and a half later, with no push from
    # the server, the page says so at its next tick.
    page.clock.install()
    page.clock.run_for("03:30:00")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    browser_now = datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, UTC)
    expect(opened).to_have_text(relative_time(at, browser_now))
    expect(opened).to_have_text("3 hours ago")
    # The exact time stays on hover and for screen readers.
    assert opened.get_attribute("title") == opened.get_attribute("aria-label") != ""
