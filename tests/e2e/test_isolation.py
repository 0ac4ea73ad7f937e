"""A client of one organization cannot reach another's tickets or files through the pages,
and a session that was signed out, expired or throttled is refused by the next page and event."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.db import session_scope
from support_portal.models import AuthSession, SignInThrottle, TicketEvent, User
from support_portal.services import attachments, sign_in_throttle, tickets
from support_portal.services.authz import Principal
from support_portal.testkit.factories import good_draft
from support_portal.testkit.files import PNG
from tests.e2e.app_world import AppWorld, app_database, make_people, tag
from tests.e2e.conftest import sign_in


@pytest.fixture(scope="module")
def world(app_env, app_url) -> AppWorld:
    sfx = tag()
    w = AppWorld()
    with app_database(app_env), session_scope() as s:
        people = make_people(
            s,
            sfx,
            client_a=f"Ann {sfx}",
            client_b=f"Ben {sfx}",
            agent_x=f"Agent {sfx}",
        )
        agent = Principal.of(people["agent_x"])

        def ticket(who: User, title: str):
            return tickets.create_ticket(
                session=s,
                principal=agent,
                draft=good_draft(title=title),
                organization_id=who.organization_id,
                requester_id=who.id,
                assignee_id=people["agent_x"].id,
                now=utcnow(),
            )

        ticket_a = ticket(people["client_a"], f"Ann's own ticket {sfx}")
        ticket_b = ticket(people["client_b"], f"Ben's private ticket {sfx}")

        def store(t) -> int:
            return attachments.store_attachment(
                session=s,
                principal=agent,
                filename="shot.png",
                data=PNG,
                ticket_id=t.id,
                now=utcnow(),
            ).id

        w.ids = {
            "ticket_a": ticket_a.number,
            "ticket_b": ticket_b.number,
            "file_a": store(ticket_a),
            "file_b": store(ticket_b),
        }
        s.commit()
        w.emails = {k: u.email for k, u in people.items()}
        w.names = {k: u.name for k, u in people.items()}
    return w


def test_another_organizations_file_gets_404_like_a_missing_one(new_page, world):
    page = new_page()
    sign_in(page, world.emails["client_a"])
    expect(page).to_have_url(re.compile("/client/?$"))
    own = page.request.get(f"/files/{world.ids['file_a']}")
    assert own.status == 200 and own.body() == PNG
    theirs = page.request.get(f"/files/{world.ids['file_b']}")
    missing = page.request.get("/files/99999999")
    assert theirs.status == 404 and missing.status == 404
    assert theirs.body() == missing.body()


def test_a_file_url_without_a_session_is_refused(new_page, world):
    page = new_page()
    response = page.request.get(f"/files/{world.ids['file_a']}")
    assert response.status == 401
    assert response.body() != PNG


def test_another_organizations_ticket_page_reads_like_a_missing_one(new_page, world):
    pytest.importorskip("support_portal.pages.client_ticket", reason="no client ticket page yet")
    page = new_page()
    sign_in(page, world.emails["client_a"])
    expect(page).to_have_url(re.compile("/client/?$"))
    page.goto(f"/client/tickets/{world.ids['ticket_a']}")
    expect(page.get_by_role("heading", name=re.compile("Ann's own ticket"))).to_be_visible()

    page.goto("/client/tickets/99999999")
    expect(page.get_by_role("heading", name="Ticket not found")).to_be_visible()
    missing_text = page.locator("body").inner_text()

    page.goto(f"/client/tickets/{world.ids['ticket_b']}")
    expect(page.get_by_role("heading", name="Ticket not found")).to_be_visible()
    expect(page.get_by_text("Ben's private ticket")).to_have_count(0)
    assert page.locator("body").inner_text() == missing_text


def test_a_client_who_opens_the_agents_ticket_page_is_turned_away(new_page, world):
    page = new_page()
    sign_in(page, world.emails["client_a"])
    expect(page).to_have_url(re.compile("/client/?$"))
    page.goto(f"/agent/tickets/{world.ids['ticket_b']}")
    expect(page).to_have_url(re.compile("/client/?$"))
    expect(page.get_by_text("Ben's private ticket")).to_have_count(0)


def test_after_sign_out_going_back_lands_on_sign_in(new_page, world):
    page = new_page()
    sign_in(page, world.emails["client_a"])
    expect(page).to_have_url(re.compile("/client/?$"))
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile("/login/?$"))
    page.go_back()
    expect(page).to_have_url(re.compile("/login/?$"))
    response = page.request.get(f"/files/{world.ids['file_a']}")
    assert response.status == 401


def _expire_sessions_of(email: str) -> None:
    with session_scope() as s:
        user = s.exec(select(User).where(User.email == email)).one()
        for row in s.exec(select(AuthSession).where(AuthSession.user_id == user.id)).all():
            row.expires_at = utcnow() - timedelta(minutes=1)
            s.add(row)
        s.commit()


def test_a_session_expired_in_the_database_is_refused_on_the_next_page_load(
    new_page, world, app_env
):
    page = new_page()
    sign_in(page, world.emails["client_a"])
    expect(page).to_have_url(re.compile("/client/?$"))
    with app_database(app_env):
        _expire_sessions_of(world.emails["client_a"])
    page.reload()
    expect(page).to_have_url(re.compile("/login/?$"))


def test_a_session_expired_in_the_database_is_refused_on_the_next_event(new_page, world, app_env):
    page = new_page()
    sign_in(page, world.emails["agent_x"])
    expect(page).to_have_url(re.compile("/agent/?$"))
    page.goto(f"/agent/tickets/{world.ids['ticket_a']}")
    heading = page.get_by_role("heading", name=re.compile(f"Ticket #{world.ids['ticket_a']}"))
    expect(heading).to_be_visible()
    expect(page.get_by_label("Update for the client")).to_be_visible()
    with app_database(app_env):
        _expire_sessions_of(world.emails["agent_x"])
    text = f"Posted after expiry {tag()}"
    page.get_by_label("Update for the client").fill(text)
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_text("Please sign in again.")).to_be_visible()
    with app_database(app_env), session_scope() as s:
        bodies = [e.data.get("body") for e in s.exec(select(TicketEvent)).all()]
    assert text not in bodies


def test_sign_in_is_refused_after_too_many_failures_even_with_the_right_password(
    new_page, world, app_env
):
    email = world.emails["client_b"]
    # The email has used its tries, and this browser's address has been failing too.
    with app_database(app_env), session_scope() as s:
        for key, tries in (
            (sign_in_throttle.email_key(email), int(app_env["LOGIN_MAX_FAILURES"])),
            (sign_in_throttle.address_key("127.0.0.1"), 3),
        ):
            s.merge(SignInThrottle(key=key, tries=tries, window_started_at=utcnow()))
        s.commit()
    page = new_page()
    sign_in(page, email)
    expect(page.get_by_role("alert")).to_contain_text("Too many failed attempts")
    expect(page).to_have_url(re.compile(r"/login/?\?error=locked"))
    page.goto("/client")
    expect(page).to_have_url(re.compile("/login/?$"))
