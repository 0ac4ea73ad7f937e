"""What the pages get to render for links, the support path and Zoom calls (view data)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.models import TicketEvent
from support_portal.services import agent_tickets, board, escalations, tickets
from support_portal.services import chat as chat_service
from support_portal.settings import get_settings
from support_portal.state.agent_console import support_path_from_form
from support_portal.state.agent_ticket import event_view, support_path_view
from support_portal.testkit.factories import good_draft, make_org, make_ticket, make_user, principal

LOOM = "https://www.loom.com/share/0123456789abcdef0123456789abcdef"
MESSAGE = f"Watch {LOOM} then read https://help.example.com/sms and javascript:alert(1)"


def _chat_with_message(session, clock, body: str):
    client = principal(make_user(session, "client"))
    agent = principal(make_user(session, "agent"))
    chat = chat_service.start_chat(session=session, principal=client, now=clock())
    chat_service.accept_chat(session=session, principal=agent, chat_id=chat.id, now=clock())
    chat_service.post_message(
        session=session, principal=client, chat_id=chat.id, body=body, now=clock()
    )
    return chat, agent


def test_a_chat_message_shows_a_loom_chip_a_plain_link_and_a_script_link_as_text(session, clock):
    chat, _ = _chat_with_message(session, clock, MESSAGE)
    message = chat_service.room_snapshot(session=session, chat_id=chat.id, now=utcnow())[
        "messages"
    ][-1]
    assert message["segments"] == [
        {"kind": "text", "text": "Watch "},
        {"kind": "loom", "text": LOOM},
        {"kind": "text", "text": " then read "},
        {"kind": "link", "text": "https://help.example.com/sms"},
        {"kind": "text", "text": " and javascript:alert(1)"},
    ]


def test_a_public_update_body_is_cut_into_the_same_segments(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, agent=agent, now=clock())
    tickets.post_update(
        session=session, principal=principal(agent), ticket=ticket, body=MESSAGE, now=utcnow()
    )
    rows = agent_tickets.team_timeline(session=session, principal=principal(agent), ticket=ticket)
    update = event_view(rows[-1], "UTC")
    assert [s["kind"] for s in update["segments"]] == ["text", "loom", "text", "link", "text"]
    assert "javascript:alert(1)" in update["segments"][-1]["text"]


def test_a_walkthrough_event_carries_its_title_and_address_for_the_timeline(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, agent=agent, now=clock())
    escalations.add_link(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        url=LOOM,
        title="Trigger tour",
        now=utcnow(),
    )
    rows = agent_tickets.team_timeline(session=session, principal=principal(agent), ticket=ticket)
    view = event_view(rows[-1], "UTC")
    assert (view["kind"], view["link_title"], view["link_url"]) == (
        "walkthrough",
        "Trigger tour",
        LOOM,
    )


def test_ticked_channels_become_the_support_path_and_unticked_ones_are_left_out():
    path, kept = support_path_from_form(
        {
            "tried_chat": "on",
            "outcome_chat": "Reproduced it live",
            "outcome_loom": "typed but not ticked",
            "tried_zoom": "on",
            "outcome_zoom": "",
        }
    )
    assert path == [
        {"channel": "chat", "outcome": "Reproduced it live"},
        {"channel": "zoom", "outcome": ""},
    ]
    assert kept["outcome_loom"] == "typed but not ticked" and kept["tried_loom"] == ""
    assert support_path_view(path)[1]["channel"] == "Zoom call"


def test_a_zoom_call_is_listed_in_the_clients_and_the_agencys_time(session, clock):
    org = make_org(session, timezone="Australia/Sydney")
    client = make_user(session, "client", organization=org)
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    escalations.schedule_zoom(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        meeting_url="https://zoom.us/j/81234567890",
        local_time=datetime(2026, 3, 5, 9, 30),
        attendees="Mia, Alex",
        now=clock(),
    )
    [view] = escalations.escalation_views(
        session=session, principal=principal(agent), ticket=ticket
    )
    assert view["client_time"] == "Thu 05 Mar 2026, 09:30 AEDT"
    assert get_settings().agency_timezone == "America/New_York"
    assert view["agency_time"] == "Wed 04 Mar 2026, 17:30 EST"
    assert view["has_outcome"] is False


def test_a_zoom_call_scheduled_from_a_chat_moves_to_the_ticket_made_from_it(session, clock):
    chat, agent = _chat_with_message(session, clock, "Reminders skip the SMS step every time")
    escalations.schedule_zoom(
        session=session,
        principal=agent,
        chat_id=chat.id,
        meeting_url="https://zoom.us/j/81234567890",
        local_time=datetime(2026, 3, 5, 9, 30),
        attendees="Client, Alex",
        now=clock(),
    )
    ticket = chat_service.convert_to_ticket(
        session=session, principal=agent, chat_id=chat.id, draft=good_draft(), now=clock()
    )
    assert len(escalations.escalation_views(session=session, principal=agent, ticket=ticket)) == 1
    kinds = session.exec(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)).all()
    assert "zoom_scheduled" in kinds


def test_the_board_card_names_the_affected_workflow(session, clock):
    manager = make_user(session, "manager")
    make_ticket(session, now=clock(), affected_workflow_name="New lead SMS follow-up")
    session.commit()
    data = board.board_data(session=session, principal=principal(manager), now=clock())
    assert [c.workflow for c in data.columns["new"]] == ["New lead SMS follow-up"]
