"""Script and HTML typed into any text field are shown as text on every page that shows them.

A client's name, a ticket's title and fields, a public update, a chat message and a problem's
title all carry markup that would run if a page put it into the DOM as HTML. Each page must show
the characters and run nothing: `window.__xss` stays undefined and no such element exists.
"""

from __future__ import annotations

import importlib.util
import re

import pytest
from playwright.sync_api import Page, expect

from support_portal.clock import utcnow
from support_portal.db import session_scope
from support_portal.services import chat, problems, tickets
from support_portal.services.authz import Principal
from support_portal.testkit.factories import good_draft
from tests.e2e.app_world import AppWorld, app_database, make_people, tag
from tests.e2e.conftest import sign_in

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = "<script>window.__xss=1</script>"


@pytest.fixture(scope="module")
def world(app_env, app_url) -> AppWorld:
    sfx = tag()
    w = AppWorld()
    with app_database(app_env), session_scope() as s:
        people = make_people(
            s,
            sfx,
            client_x=f"Mal {IMG} {sfx}",
            agent_x=f"Agent {sfx}",
            manager_x=f"Manager {sfx}",
        )
        agent = Principal.of(people["agent_x"])
        client = Principal.of(people["client_x"])
        ticket = tickets.create_ticket(
            session=s,
            principal=agent,
            draft=good_draft(
                title=f"Form fails {SCRIPT} {IMG} {sfx}",
                tried_to_do=f"submit the booking form {SCRIPT}",
                happened_instead=f"the page froze {IMG}",
                error_messages=f"Error {SCRIPT}",
            ),
            organization_id=people["client_x"].organization_id,
            requester_id=people["client_x"].id,
            assignee_id=people["agent_x"].id,
            now=utcnow(),
        )
        tickets.post_update(
            session=s, principal=agent, ticket=ticket, body=f"Update {IMG}", now=utcnow()
        )
        live = chat.start_chat(session=s, principal=client, now=utcnow())
        chat.post_message(
            session=s, principal=client, chat_id=live.id, body=f"Help {SCRIPT}", now=utcnow()
        )
        chat.post_message(
            session=s, principal=client, chat_id=live.id, body=f"Also {IMG}", now=utcnow()
        )
        chat.accept_chat(session=s, principal=agent, chat_id=live.id, now=utcnow())
        problems.declare_problem(
            session=s,
            principal=Principal.of(people["manager_x"]),
            title=f"Outage {IMG} {sfx}",
            ticket_ids=[ticket.id],
            now=utcnow(),
        )
        s.commit()
        w.emails = {k: u.email for k, u in people.items()}
        w.names = {k: u.name for k, u in people.items()}
        w.ids = {"ticket": ticket.number}
    return w


def _ran_nothing(page: Page) -> None:
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("script", has_text="__xss").count() == 0


def _shows(page: Page, text: str) -> None:
    expect(page.get_by_text(text, exact=False).first).to_be_visible()


def test_the_agent_ticket_page_shows_markup_as_text(new_page, world):
    page = new_page()
    sign_in(page, world.emails["agent_x"])
    expect(page).to_have_url(re.compile("/agent/?$"))
    page.goto(f"/agent/tickets/{world.ids['ticket']}")
    _shows(page, f"Form fails {SCRIPT} {IMG}")
    _shows(page, f"submit the booking form {SCRIPT}")
    _shows(page, f"the page froze {IMG}")
    _shows(page, f"Update {IMG}")
    _shows(page, world.names["client_x"])
    _ran_nothing(page)


def test_the_agent_console_chat_shows_markup_as_text(new_page, world):
    page = new_page()
    sign_in(page, world.emails["agent_x"])
    expect(page).to_have_url(re.compile("/agent/?$"))
    page.get_by_role("button", name=f"Open chat with {world.names['client_x']}").click()
    log = page.get_by_role("log")
    expect(log).to_contain_text(f"Help {SCRIPT}")
    expect(log).to_contain_text(f"Also {IMG}")
    _shows(page, world.names["client_x"])
    _ran_nothing(page)


def test_the_client_chat_and_timeline_show_markup_as_text(new_page, world):
    page = new_page()
    sign_in(page, world.emails["client_x"])
    expect(page).to_have_url(re.compile("/client/?$"))
    expect(page.get_by_role("log")).to_contain_text(f"Help {SCRIPT}")
    _ran_nothing(page)
    if importlib.util.find_spec("support_portal.pages.client_ticket") is None:
        pytest.skip("no client ticket page yet")
    page.goto(f"/client/tickets/{world.ids['ticket']}")
    _shows(page, f"Form fails {SCRIPT} {IMG}")
    _shows(page, f"Update {IMG}")
    _ran_nothing(page)


def test_the_managers_pages_show_markup_as_text(new_page, world):
    page = new_page()
    sign_in(page, world.emails["manager_x"])
    expect(page).to_have_url(re.compile("/manager/?$"))
    page.goto("/manager/systemic")
    _shows(page, f"Outage {IMG}")
    _ran_nothing(page)
    if importlib.util.find_spec("support_portal.state.board") is None:
        pytest.skip("no board yet")
    page.goto("/manager")
    # Columns show their first cards; the search brings this one up wherever it sorts.
    page.get_by_label("Search").fill("Form fails")
    _shows(page, f"Form fails {SCRIPT} {IMG}")
    _ran_nothing(page)
