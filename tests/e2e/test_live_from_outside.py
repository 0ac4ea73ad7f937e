"""Changes that come from no page reach the open pages without a reload: an SMS reply
arriving through Twilio's webhook shows on the agent's and the client's open ticket pages,
and a reply on a resolved ticket moves its card on an open board back to In progress."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect
from twilio.request_validator import RequestValidator

from support_portal.api.webhooks import TWILIO_INBOUND
from tests.e2e.conftest import APP_ENV, DEMO_PASSWORD, sign_in

CLIENT = "noah.sms@brightsmiles.example"
PHONE = "+14155550142"
REPLY = "Still happening: the reminder SMS went out twice this morning"


def _client_with_phone_and_ticket(
    app_env,
    *,
    email: str = CLIENT,
    phone: str = PHONE,
    title: str = "Appointment reminder SMS sent twice",
    resolved: bool = False,
) -> int:
    """A client of Bright Smiles who takes updates by SMS, and a ticket of theirs (the team
    marked it resolved, if asked)."""
    from sqlmodel import Session, select

    from support_portal import db as db_module
    from support_portal.clock import utcnow
    from support_portal.domain.lifecycle import Status
    from support_portal.models import Organization, User
    from support_portal.services import accounts, tickets
    from support_portal.services.authz import Principal
    from support_portal.testkit.factories import good_draft

    engine = db_module.make_engine(app_env["DB_URL"])
    with Session(engine, expire_on_commit=False) as s:
        org = s.exec(select(Organization).where(Organization.name == "Bright Smiles Dental")).one()
        agent = s.exec(select(User).where(User.email == "alex@agency.example")).one()
        client = accounts.create_user(
            session=s,
            email=email,
            name="Noah Reyes",
            role="client",
            password=DEMO_PASSWORD,
            organization=org,
            phone=phone,
            notify_sms=True,
        )
        s.flush()
        ticket = tickets.create_ticket(
            session=s,
            principal=Principal.of(agent),
            draft=good_draft(title=title),
            organization_id=org.id,
            requester_id=client.id,
            now=utcnow(),
        )
        if resolved:
            tickets.change_status(
                session=s,
                principal=Principal.of(agent),
                ticket=ticket,
                to=Status.RESOLVED,
                reason="The duplicate reminder job is switched off.",
                now=utcnow(),
            )
        s.commit()
        number = ticket.number
    engine.dispose()
    return number


def _sms_from_twilio(
    app_url: str,
    app_env,
    body: str,
    *,
    phone: str = PHONE,
    sid: str = "SMe2e0000000000000000000000000001",
) -> None:
    """What Twilio posts for an incoming SMS, signed with the account's auth token over the
    URL Twilio was given (the app's public base URL, its own address unless set)."""
    public = app_env.get("PUBLIC_BASE_URL", app_url).rstrip("/")
    params = {"MessageSid": sid, "From": phone, "Body": body}
    token = APP_ENV["TWILIO_AUTH_TOKEN"]
    signature = RequestValidator(token).compute_signature(public + TWILIO_INBOUND, params)
    r = httpx.post(app_url + TWILIO_INBOUND, data=params, headers={"X-Twilio-Signature": signature})
    assert r.status_code == 200, r.text


def test_an_sms_reply_appears_on_the_open_agent_and_client_pages(new_page, app_env, app_url):
    number = _client_with_phone_and_ticket(app_env)
    agent = new_page()
    sign_in(agent, "alex@agency.example")
    expect(agent.get_by_role("heading", name="Waiting chats")).to_be_visible()
    agent.goto(f"/agent/tickets/{number}")
    team_timeline = agent.get_by_role("list", name="Timeline")
    expect(team_timeline).to_be_visible()
    client = new_page()
    sign_in(client, CLIENT)
    expect(client.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    client.goto(f"/client/tickets/{number}")
    expect(client.get_by_role("heading", name=re.compile(f"^#{number} "))).to_be_visible()
    client_timeline = client.get_by_role("list", name="Timeline")
    expect(client_timeline).to_be_visible()
    expect(team_timeline).not_to_contain_text(REPLY)

    _sms_from_twilio(app_url, app_env, f"about #{number}: {REPLY}")

    # No reload: both pages show it within a few seconds.
    expect(team_timeline).to_contain_text(REPLY, timeout=10_000)
    expect(client_timeline).to_contain_text(REPLY, timeout=10_000)


def _column(page, name: str):
    return page.get_by_role("region", name=name, exact=True)


def test_a_reply_on_a_resolved_ticket_moves_its_card_to_in_progress_on_an_open_board(
    new_page, app_env, app_url
):
    title = "Online booking widget shows no free slots"
    number = _client_with_phone_and_ticket(
        app_env,
        email="ivy.sms@brightsmiles.example",
        phone="+14155550143",
        title=title,
        resolved=True,
    )
    board = new_page(1600, 1000)
    sign_in(board, "manager@agency.example")
    expect(board.get_by_role("heading", name="Board")).to_be_visible()
    # Only this ticket on the board, so no column hides it behind "Show more".
    board.get_by_role("search").get_by_label("Search").fill(title)
    card = f"Ticket #{number}"
    expect(_column(board, "Resolved").get_by_role("article", name=card, exact=True)).to_be_visible()
    expect(
        _column(board, "In progress").get_by_role("article", name=card, exact=True)
    ).to_have_count(0)

    _sms_from_twilio(
        app_url,
        app_env,
        "The widget still shows no slots for next week",
        phone="+14155550143",
        sid="SMe2e0000000000000000000000000002",
    )

    # No reload: the reply reopened it, and the open board shows the card moved.
    in_progress = _column(board, "In progress").get_by_role("article", name=card, exact=True)
    expect(in_progress).to_be_visible(timeout=10_000)
    expect(_column(board, "Resolved").get_by_role("article", name=card, exact=True)).to_have_count(
        0
    )
