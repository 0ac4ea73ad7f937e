"""Screens that never leave a person stranded: an unknown address, empty lists, refused
input that keeps what was typed."""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from support_portal.clock import utcnow
from tests.e2e.conftest import sign_in

DANA = "dana@brightsmiles.example"
LEE = "lee@brightsmiles.example"  # Dana's colleague
AGENT = "alex@agency.example"
MANAGER = "manager@agency.example"


@pytest.fixture
def fresh_ticket(app_env) -> int:
    """A new ticket of Dana's, with nothing scheduled on it yet."""
    from sqlmodel import Session, select

    from support_portal import db as db_module
    from support_portal.models import User
    from support_portal.services import tickets
    from support_portal.services.authz import Principal
    from support_portal.testkit.factories import good_draft

    engine = db_module.make_engine(app_env["DB_URL"])
    with Session(engine, expire_on_commit=False) as s:
        dana = s.exec(select(User).where(User.email == DANA)).one()
        agent = s.exec(select(User).where(User.email == AGENT)).one()
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


def test_an_unknown_address_shows_the_header_and_a_way_home(new_page):
    page = new_page()
    sign_in(page, DANA)
    expect(page).to_have_url(re.compile(r"/client/?$"))
    page.goto("/client/no-such-page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    # The usual header, with the person's own links and "Sign out".
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("link", name="Notification settings")).to_be_visible()
    page.get_by_role("link", name="Back to my home page").click()
    expect(page).to_have_url(re.compile(r"/client/?$"))
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()


def test_an_unknown_address_sends_a_visitor_to_sign_in(new_page):
    page = new_page()
    page.goto("/nowhere")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_role("link", name="Go to sign in").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_an_empty_board_column_says_so(new_page):
    page = new_page()
    sign_in(page, MANAGER)
    expect(page.get_by_role("heading", name="Board")).to_be_visible()
    page.get_by_label("Search").fill("no ticket is called this")
    for column in ("New", "Resolved"):
        region = page.get_by_role("region", name=column, exact=True)
        expect(region.get_by_text("No tickets here.")).to_be_visible()


def test_a_ticket_without_zoom_calls_says_so(new_page, fresh_ticket):
    page = new_page()
    sign_in(page, AGENT)
    expect(page).to_have_url(re.compile(r"/agent/?$"))
    page.goto(f"/agent/tickets/{fresh_ticket}")
    expect(page.get_by_role("heading", name=re.compile(f"Ticket #{fresh_ticket}"))).to_be_visible()
    expect(page.get_by_text("No Zoom calls scheduled for this ticket.")).to_be_visible()


def test_a_chat_message_over_the_limit_is_refused_and_stays_in_the_box(new_page):
    page = new_page()
    sign_in(page, LEE)
    box = page.get_by_label("Message", exact=True)
    start = page.get_by_role("button", name="Start a chat")
    # The demo may already hold a chat of hers; otherwise she starts one.
    expect(start.or_(box)).to_be_visible()
    if start.is_visible():
        # Her open chat may still be loading, and then the button gives way to the box.
        with contextlib.suppress(PlaywrightTimeoutError):
            start.click(timeout=5_000)
    expect(box).to_be_visible()
    # A counter shows near the limit, before anything is refused.
    box.fill("x" * 3_700)
    expect(page.get_by_text("3700 / 4000 characters")).to_be_visible()
    long_text = "The error log says: " + "timeout " * 510
    box.fill(long_text)
    expect(page.get_by_text(re.compile(r"4100 / 4000 characters \(too long\)"))).to_be_visible()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("keep it under 4,000 characters")
    expect(box).to_have_value(long_text)
    # Shortened, it is sent and the box is cleared for the next message.
    box.fill("The error log says: timeout")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("log")).to_contain_text("The error log says: timeout")
    expect(box).to_have_value("")


def test_an_over_long_update_or_note_is_refused_and_kept(new_page, fresh_ticket):
    page = new_page()
    sign_in(page, AGENT)
    expect(page).to_have_url(re.compile(r"/agent/?$"))
    page.goto(f"/agent/tickets/{fresh_ticket}")
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline).to_be_visible()
    for label, button in (
        ("Update for the client", "Post update"),
        ("Internal note", "Add internal note"),
    ):
        box = page.get_by_label(label, exact=True)
        too_long = "Steps tried: " + "restart the workflow; " * 460
        box.fill(too_long)
        expect(page.get_by_text(f"{len(too_long)} / 10000 characters (too long)")).to_be_visible()
        page.get_by_role("button", name=button).click()
        expect(page.get_by_text("keep it under 10,000 characters").first).to_be_visible()
        expect(box).to_have_value(too_long)
        box.fill(f"{label}: restarted the workflow")
        page.get_by_role("button", name=button).click()
        expect(timeline).to_contain_text(f"{label}: restarted the workflow")
        expect(box).to_have_value("")


def test_over_long_details_are_refused_and_kept(new_page, fresh_ticket):
    page = new_page()
    sign_in(page, DANA)
    expect(page).to_have_url(re.compile(r"/client/?$"))
    page.goto(f"/client/tickets/{fresh_ticket}")
    box = page.get_by_label("Add details")
    too_long = "What I saw: " + "the form spins forever. " * 430
    box.fill(too_long)
    expect(page.get_by_text(f"{len(too_long)} / 10000 characters (too long)")).to_be_visible()
    page.get_by_role("button", name="Send details").click()
    expect(page.get_by_text("These details are too long").first).to_be_visible()
    expect(box).to_have_value(too_long)


def test_the_status_control_offers_only_allowed_moves_and_a_reopen_asks_why(new_page, fresh_ticket):
    page = new_page()
    sign_in(page, AGENT)
    expect(page).to_have_url(re.compile(r"/agent/?$"))
    page.goto(f"/agent/tickets/{fresh_ticket}")
    status = page.get_by_role("heading", name=re.compile(r"^Status: "))
    expect(status).to_have_text("Status: New")
    moves = page.get_by_role("group", name="Change status")
    expect(moves.get_by_role("button")).to_have_text(
        [
            "Start work on it",
            "Wait for the client's answer",
            "Resolve and ask the client to confirm",
        ]
    )
    expect(page.get_by_role("button", name="Reopen the ticket")).to_have_count(0)

    page.get_by_label("Note for the client (optional)").fill("The carrier filter is fixed")
    moves.get_by_role("button", name="Resolve and ask the client to confirm").click()
    expect(status).to_have_text("Status: Resolved")
    # A second click cannot undo it: the only move left is a reopen, which asks why.
    expect(moves).to_have_count(0)
    reopen = page.get_by_role("button", name="Reopen the ticket")
    reopen.click()
    expect(page.get_by_text("Say why the ticket is reopened.")).to_be_visible()
    expect(status).to_have_text("Status: Resolved")

    page.get_by_label("Why reopen it?").fill("The client still sees failed texts")
    reopen.click()
    expect(status).to_have_text("Status: In progress")
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("The client still sees failed texts")
    expect(timeline).to_contain_text("The carrier filter is fixed")
