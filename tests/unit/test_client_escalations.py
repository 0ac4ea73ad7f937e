"""Walkthroughs, links and Zoom calls on the client's timeline: public keys only, the
client's time zone, and never a script link."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

from support_portal.clock import utcnow
from support_portal.services import client_views, escalations, tickets
from support_portal.services.timeline import append_event
from support_portal.testkit.factories import make_org, make_ticket, make_user, principal

LOOM = "https://www.loom.com/share/0123456789abcdef0123456789abcdef"


def _setup(session, clock):
    org = make_org(session, timezone="Australia/Sydney")
    client = make_user(session, "client", organization=org)
    agent = make_user(session, "agent", name="Alex Kim")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    return client, agent, ticket


def _items(session, client, ticket, kind):
    view = client_views.build_ticket_view(
        session=session, principal=principal(client), ticket=ticket, now=utcnow()
    )
    return [i for i in view.items if i.kind == kind]


def test_a_zoom_call_shows_on_the_clients_timeline_in_their_time_zone(session, clock):
    client, agent, ticket = _setup(session, clock)
    esc = escalations.schedule_zoom(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        meeting_url="https://us02web.zoom.us/j/81234567890",
        local_time=datetime(2026, 3, 5, 9, 30),
        attendees="Mia, Alex",
        now=clock(),
    )
    escalations.record_zoom_outcome(
        session=session,
        principal=principal(agent),
        escalation_id=esc.id,
        outcome="Re-linked the SMS step",
        resolved_on_call=True,
        now=clock(),
    )
    [call] = _items(session, client, ticket, "zoom_scheduled")
    assert call.headline == "Zoom call scheduled for Thu 05 Mar 2026, 09:30 AEDT"
    assert call.link_url == "https://us02web.zoom.us/j/81234567890"
    assert call.body == "Who attends: Mia, Alex"
    [outcome] = _items(session, client, ticket, "zoom_outcome")
    assert outcome.headline == "Zoom call: solved on the call"
    assert outcome.body == "Re-linked the SMS step"
    view = client_views.build_ticket_view(
        session=session, principal=principal(client), ticket=ticket, now=utcnow()
    )
    assert "escalation_id" not in json.dumps(dataclasses.asdict(view))


def test_walkthroughs_and_links_show_with_their_titles_and_only_public_keys(session, clock):
    client, agent, ticket = _setup(session, clock)
    escalations.add_link(
        session=session,
        principal=principal(client),
        ticket=ticket,
        url=LOOM,
        title="My screen",
        now=utcnow(),
    )
    escalations.add_link(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        url="https://status.example.com/incident",
        now=utcnow(),
    )
    [walkthrough] = _items(session, client, ticket, "walkthrough")
    assert (walkthrough.headline, walkthrough.link_title, walkthrough.link_url) == (
        "You added a walkthrough",
        "My screen",
        LOOM,
    )
    [link] = _items(session, client, ticket, "link")
    assert link.headline == "Alex Kim added a link"
    assert link.link_url == "https://status.example.com/incident"


def test_a_script_address_never_becomes_a_link_for_the_client(session, clock):
    client, agent, ticket = _setup(session, clock)
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body=f"Watch {LOOM} and not javascript:alert(1)",
        now=utcnow(),
    )
    # A row written around the services, with a script address in it.
    append_event(
        session,
        ticket=ticket,
        kind="link",
        actor=principal(agent),
        now=clock(),
        data={"url": "javascript:alert(1)", "title": "Click me", "author": "Alex Kim"},
    )
    [update] = _items(session, client, ticket, "public_update")
    assert [(p.kind, p.text) for p in update.parts] == [
        ("text", "Watch "),
        ("loom", LOOM),
        ("text", " and not javascript:alert(1)"),
    ]
    [forged] = _items(session, client, ticket, "link")
    assert forged.link_url == ""
