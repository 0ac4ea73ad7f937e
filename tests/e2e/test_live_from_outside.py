"""Changes that come from no page reach the open pages without a reload: an SMS reply
arriving through Twilio's webhook shows on the agent's and the client's open ticket pages."""

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


def _client_with_phone_and_ticket(app_env) -> int:
    """A client of Bright Smiles who takes updates by SMS, and a ticket of theirs."""
    from sqlmodel import Session, select

    from support_portal import db as db_module
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
            email=CLIENT,
            name="Noah Reyes",
            role="client",
            password=DEMO_PASSWORD,
            organization=org,
            phone=PHONE,
            notify_sms=True,
        )
        s.flush()
        ticket = tickets.create_ticket(
            session=s,
            principal=Principal.of(agent),
            draft=good_draft(title="Appointment reminder SMS sent twice"),
            organization_id=org.id,
            requester_id=client.id,
        )
        s.commit()
        number = ticket.number
    engine.dispose()
    return number


def _sms_from_twilio(app_url: str, app_env, body: str) -> None:
    """What Twilio posts for an incoming SMS, signed with the account's auth token over the
    URL Twilio was given (the app's public base URL)."""
    public = app_env.get("PUBLIC_BASE_URL", "http://localhost:3000").rstrip("/")
    params = {"MessageSid": "SMe2e0000000000000000000000000001", "From": PHONE, "Body": body}
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
