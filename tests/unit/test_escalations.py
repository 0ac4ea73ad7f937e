"""Loom walkthroughs, Zoom escalations and the support path on a ticket."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.domain.links import LinkRefused, check_url, classify, split_links
from support_portal.models import Notification, TicketEvent
from support_portal.services import escalations
from support_portal.services.errors import Conflict, Forbidden, ValidationFailed
from support_portal.testkit.factories import make_org, make_ticket, make_user, principal

LOOM = "https://www.loom.com/share/0123456789abcdef0123456789abcdef"


def test_a_loom_share_address_is_a_walkthrough_and_others_are_plain_links():
    assert classify(LOOM).kind == "loom"
    assert classify(LOOM).video_id == "0123456789abcdef0123456789abcdef"
    assert classify("https://loom.com/embed/0123456789abcdef0123456789abcdef").kind == "loom"
    assert classify("https://www.loom.com/pricing").kind == "link"
    assert classify("https://evil-loom.com/share/0123456789abcdef0123456789abcdef").kind == "link"
    assert classify("https://docs.example.com/page").kind == "link"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "ftp://x.example/a",
        "not a link",
        "http://[unclosed",
    ],
)
def test_script_and_other_schemes_are_refused(url):
    with pytest.raises(LinkRefused):
        check_url(url)


def test_links_inside_text_are_cut_out_safely():
    parts = split_links(f"See {LOOM}, and https://example.com/a. Not javascript:alert(1)")
    assert [(p.kind, p.text) for p in parts] == [
        ("text", "See "),
        ("loom", LOOM),
        ("text", ", and "),
        ("link", "https://example.com/a"),
        ("text", ". Not javascript:alert(1)"),
    ]


def test_a_walkthrough_and_a_plain_link_land_on_the_timeline(session):
    client = make_user(session, "client")
    ticket = make_ticket(session, requester=client)
    assert (
        escalations.add_link(
            session=session,
            principal=principal(client),
            ticket=ticket,
            url=LOOM,
            title="How the reminder fails",
            now=utcnow(),
        )
        == "loom"
    )
    assert (
        escalations.add_link(
            session=session,
            principal=principal(client),
            ticket=ticket,
            url="https://status.example.com/incident",
            now=utcnow(),
        )
        == "link"
    )
    with pytest.raises(ValidationFailed) as err:
        escalations.add_link(
            session=session,
            principal=principal(client),
            ticket=ticket,
            url="javascript:alert(document.cookie)",
            now=utcnow(),
        )
    assert "http" in err.value.errors["url"]
    kinds = [
        e.kind
        for e in session.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        ).all()
    ]
    assert kinds == ["created", "walkthrough", "link"]


def test_a_zoom_escalation_is_stored_in_utc_from_the_clients_time_and_notifies_them(session, clock):
    org = make_org(session, timezone="Australia/Sydney")
    client = make_user(session, "client", organization=org)
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    esc = escalations.schedule_zoom(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        meeting_url="https://us02web.zoom.us/j/81234567890",
        local_time=datetime(2026, 3, 5, 9, 30),
        attendees="Mia, Alex",
        now=clock(),
    )
    # 09:30 in Sydney (UTC+11 in March) is 22:30 UTC the day before.
    assert esc.scheduled_at.isoformat() == "2026-03-04T22:30:00+00:00"
    rows = session.exec(select(Notification).where(Notification.kind == "zoom_scheduled")).all()
    assert len(rows) == 1 and rows[0].to_address == client.email
    assert "Thu 05 Mar 2026, 09:30 AEDT" in rows[0].body_text


def test_a_zoom_link_must_be_a_zoom_meeting_and_in_the_future(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, agent=agent, now=clock())
    with pytest.raises(ValidationFailed) as err:
        escalations.schedule_zoom(
            session=session,
            principal=principal(agent),
            ticket=ticket,
            meeting_url="https://example.com/j/1",
            local_time=datetime(2020, 1, 1, 9, 0),
            attendees="",
            now=clock(),
        )
    assert set(err.value.errors) == {"meeting_url", "scheduled_at", "attendees"}


def test_only_the_team_schedules_zoom(session, clock):
    client = make_user(session, "client")
    ticket = make_ticket(session, requester=client, now=clock())
    with pytest.raises(Forbidden):
        escalations.schedule_zoom(
            session=session,
            principal=principal(client),
            ticket=ticket,
            meeting_url="https://zoom.us/j/1",
            local_time=datetime(2026, 4, 1, 9),
            attendees="me",
            now=utcnow(),
        )


def test_the_outcome_is_recorded_once_and_can_resolve_the_ticket(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, agent=agent, now=clock())
    esc = escalations.schedule_zoom(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        meeting_url="https://zoom.us/j/81234567890",
        local_time=datetime(2026, 3, 10, 10, 0),
        attendees="Dana, Alex",
        now=clock(),
    )
    escalations.record_zoom_outcome(
        session=session,
        principal=principal(agent),
        escalation_id=esc.id,
        outcome="Fixed the trigger live",
        resolved_on_call=True,
        resolve_ticket=True,
        now=clock.advance(days=8),
    )
    assert ticket.status == "resolved"  # still waiting for the client's confirmation
    with pytest.raises(Conflict, match="already recorded"):
        escalations.record_zoom_outcome(
            session=session,
            principal=principal(agent),
            escalation_id=esc.id,
            outcome="again",
            resolved_on_call=False,
            now=utcnow(),
        )


def test_the_support_path_typed_at_conversion_is_on_the_ticket(session):
    ticket = make_ticket(
        session,
        support_path=[
            {"channel": "chat", "outcome": "Reproduced the skipped SMS step"},
            {"channel": "loom", "outcome": "Client recorded the settings page"},
        ],
    )
    assert [p["channel"] for p in ticket.support_path] == ["chat", "loom"]


def test_a_tried_channel_without_its_outcome_is_refused(session):
    with pytest.raises(ValidationFailed) as err:
        make_ticket(session, support_path=[{"channel": "zoom", "outcome": " "}])
    assert "support_path_zoom" in err.value.errors


def test_a_workflow_link_must_be_a_web_address(session):
    with pytest.raises(ValidationFailed) as err:
        make_ticket(
            session, affected_workflow_name="Reminders", affected_workflow_url="javascript:alert(1)"
        )
    assert "affected_workflow_url" in err.value.errors


def test_an_agent_cannot_record_the_outcome_of_a_call_from_another_agents_chat(session, clock):
    from support_portal.models import ChatSession

    client = make_user(session, "client")
    holder = make_user(session, "agent")
    other = make_user(session, "agent")
    chat = ChatSession(
        organization_id=client.organization_id,
        client_id=client.id,
        agent_id=holder.id,
        status="active",
        created_at=clock(),
    )
    session.add(chat)
    session.flush()
    esc = escalations.schedule_zoom(
        session=session,
        principal=principal(holder),
        chat_id=chat.id,
        meeting_url="https://zoom.us/j/81234567890",
        local_time=datetime(2026, 3, 10, 10, 0),
        attendees="A, B",
        now=clock(),
    )
    from support_portal.services.errors import NotFound

    with pytest.raises(NotFound):
        escalations.record_zoom_outcome(
            session=session,
            principal=principal(other),
            escalation_id=esc.id,
            outcome="x",
            resolved_on_call=False,
            now=utcnow(),
        )
    escalations.record_zoom_outcome(
        session=session,
        principal=principal(holder),
        escalation_id=esc.id,
        outcome="Solved live",
        resolved_on_call=True,
        now=utcnow(),
    )
    assert esc.outcome == "Solved live"
