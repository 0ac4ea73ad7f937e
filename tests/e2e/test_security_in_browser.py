"""The served app in Chromium: every page runs under its Content-Security-Policy with no
violation, every kind of route sends the security headers, CORS admits only the app's own
origin, and the session cookie is one that page scripts cannot read."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import col, select

from support_portal.db import session_scope
from support_portal.models import Organization, Ticket, User
from support_portal.urls import SESSION_COOKIE
from tests.e2e.app_world import app_database
from tests.e2e.conftest import sign_in

CLIENT, AGENT, MANAGER = (
    "dana@brightsmiles.example",
    "alex@agency.example",
    "manager@agency.example",
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def a_ticket_number_of(app_env, email: str) -> int:
    with app_database(app_env), session_scope() as s:
        user = s.exec(select(User).where(User.email == email)).one()
        org = s.get(Organization, user.organization_id)
        return s.exec(
            select(Ticket.number)
            .where(Ticket.organization_id == org.id)
            .order_by(col(Ticket.number))
        ).first()


def csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return found


def visit(page, path: str, heading: str | re.Pattern[str]) -> None:
    response = page.goto(path)
    assert "script-src" in response.headers["content-security-policy"], path
    # The heading is rendered from state that came over the websocket: the app ran.
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()


@pytest.mark.parametrize(
    ("email", "pages"),
    [
        (
            CLIENT,
            [("/client", "My tickets"), ("/client/settings", "Notification settings")],
        ),
        (AGENT, [("/agent", "Agent console")]),
        (
            MANAGER,
            [
                ("/manager", "Board"),
                ("/manager/notifications", "Notifications"),
                ("/manager/reports", "Reports"),
                ("/manager/systemic", "Systemic issues"),
            ],
        ),
    ],
)
def test_every_page_runs_under_its_csp_without_a_violation(new_page, app_env, email, pages):
    page = new_page()
    violations = csp_violations(page)
    response = page.goto("/login")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    sign_in(page, email)
    expect(page).not_to_have_url(re.compile("/login/?$"))
    for path, heading in pages:
        visit(page, path, heading)
    number = a_ticket_number_of(app_env, CLIENT)
    ticket_page = "/client/tickets" if email == CLIENT else "/agent/tickets"
    if email != MANAGER:
        visit(page, f"{ticket_page}/{number}", re.compile(f"#{number}"))
    assert violations == []


def test_every_kind_of_route_sends_the_security_headers(new_page, app_url):
    page = new_page()
    page.goto("/login")
    for path in ["/login", "/_event/?EIO=4&transport=polling", "/api/v1/tickets", "/files/1"]:
        response = page.request.get(path)
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (path, name, response.headers)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


def test_cors_admits_only_the_apps_own_origin_preflight_included(new_page, app_url):
    page = new_page()
    page.goto("/login")
    preflight = {"Access-Control-Request-Method": "POST"}
    foreign = page.request.fetch(
        "/api/v1/tickets",
        method="OPTIONS",
        headers={"Origin": "https://evil.example", **preflight},
    )
    assert foreign.headers.get("access-control-allow-origin") is None
    own = page.request.fetch(
        "/api/v1/tickets", method="OPTIONS", headers={"Origin": app_url, **preflight}
    )
    assert own.headers.get("access-control-allow-origin") == app_url
    # A page elsewhere cannot read answers with the user's cookies either.
    simple = page.request.get("/api/v1/tickets", headers={"Origin": "https://evil.example"})
    assert simple.headers.get("access-control-allow-origin") is None


def test_the_session_cookie_is_httponly_and_never_sent_down_the_websocket(new_page):
    page = new_page()
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(str(p))))
    sign_in(page, MANAGER)
    expect(page.get_by_role("heading", name="Board", exact=True)).to_be_visible()
    [cookie] = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False  # served over plain http here; Secure behind https
    assert SESSION_COOKIE not in page.evaluate("document.cookie")
    assert frames and not any(cookie["value"] in f for f in frames)
    # Signing out clears the cookie, which no page script could have done.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile("/login/?$"))
    assert [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE] == []
