"""What a client sees of their tickets: only public events, only whitelisted data, only
their organization's tickets, in their own time zone."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.domain.lifecycle import Status
from support_portal.models import Notification
from support_portal.services import client_views, tickets
from support_portal.services.errors import NotFound
from support_portal.services.timeline import append_event
from support_portal.testkit.factories import good_draft, make_org, make_ticket, make_user, principal

SECRET = "Customer is on the cheap plan, do not escalate"


def _setup(session, clock, tz="America/Chicago"):
    org = make_org(session, timezone=tz)
    client = make_user(session, "client", organization=org)
    agent = make_user(session, "agent", name="Alex Kim")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    return client, agent, ticket


def _as_text(view) -> str:
    return json.dumps(dataclasses.asdict(view))


def test_a_clients_view_never_contains_internal_notes_or_internal_data(session, clock):
    client, agent, ticket = _setup(session, clock)
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body=SECRET,
        internal=True,
        now=clock.advance(minutes=5),
    )
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body="We found the cause and are fixing it.",
        data={"internal_cost": SECRET},
        now=clock.advance(minutes=5),
    )
    # An event kind the client page does not know (e.g. an SLA warning) stays hidden too.
    append_event(
        session,
        ticket=ticket,
        kind="sla_warning",
        actor=None,
        now=clock.advance(minutes=1),
        data={"note": SECRET},
    )
    session.commit()
    view = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    text = _as_text(view)
    assert SECRET not in text
    assert "We found the cause and are fixing it." in text
    assert [i.kind for i in view.items if i.kind != "notification"] == [
        "created",
        "public_update",
    ]


def test_the_live_state_sent_to_the_browser_holds_no_internal_text(session, clock):
    from support_portal.realtime.ticket_live import TicketLive

    client, agent, ticket = _setup(session, clock)
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body=SECRET,
        internal=True,
        now=clock.advance(minutes=5),
    )
    session.commit()
    view = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    live = TicketLive(_reflex_internal_init=True)
    live._show(view, ticket.id)
    sent = json.dumps(live.dict(), default=str)
    assert "Ticket opened" in sent
    assert SECRET not in sent


def test_another_organizations_ticket_is_not_found_like_a_missing_one(session, clock):
    _, _, ticket = _setup(session, clock)
    stranger = make_user(session, "client")
    session.commit()
    for number in (ticket.number, 999_999):
        with pytest.raises(NotFound, match="Ticket not found"):
            client_views.ticket_view(
                session=session, principal=principal(stranger), number=number, now=utcnow()
            )


def test_my_tickets_lists_my_organizations_tickets_open_first_with_who_and_when(session, clock):
    client, agent, first = _setup(session, clock)
    colleague = make_user(
        session,
        "client",
        organization=session.get(client_views.Organization, client.organization_id),
    )
    second = make_ticket(session, requester=colleague, agent=agent, now=clock.advance(hours=1))
    make_ticket(session, now=clock())  # another organization's
    tickets.assign(
        session=session,
        principal=principal(agent),
        ticket=first,
        assignee_id=agent.id,
        now=clock.advance(minutes=1),
    )
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=first,
        to=Status.RESOLVED,
        reason="The reminder step sends again",
        now=clock.advance(minutes=1),
    )
    session.commit()
    rows = client_views.list_my_tickets(
        session=session, principal=principal(client), now=clock.advance(hours=2)
    )
    assert [r.ticket_number for r in rows] == [second.number, first.number]
    open_row, resolved_row = rows
    assert open_row.assignee == "Not assigned yet"
    assert open_row.status_words == "Received, waiting for the team"
    assert open_row.due.startswith("First response due")
    assert resolved_row.assignee == "Alex Kim"
    assert resolved_row.status_words == "Fixed: please confirm"
    assert resolved_row.last_update == "2 hours ago"
    assert "CST" in resolved_row.last_update_exact


def test_the_timeline_shows_notifications_sent_to_me_with_delivery_status(session, clock):
    client, agent, ticket = _setup(session, clock)
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body="On it.",
        now=clock.advance(minutes=3),
    )
    session.commit()
    for note in session.exec(select(Notification)).all():
        note.status = "delivered"
    session.commit()
    view = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    notes = [i for i in view.items if i.kind == "notification"]
    assert notes and all(i.headline == "Email sent to you: delivered" for i in notes)
    # Oldest first; the team's notifications are not the client's business.
    assert view.items[0].kind == "created"
    assert len(notes) == 2  # ticket_created_client and public_update, to this client only


def test_the_created_event_shows_the_chat_transcript(session, clock):
    client = make_user(session, "client")
    agent = make_user(session, "agent")
    ticket = tickets.create_ticket(
        session=session,
        principal=principal(agent),
        draft=good_draft(),
        organization_id=client.organization_id,
        requester_id=client.id,
        transcript=[
            {"sender": "client", "body": "The reminders stopped.", "at": "x", "ip": SECRET},
            {"sender": "agent", "body": "I see it too.", "at": "y"},
        ],
        now=clock(),
    )
    session.commit()
    view = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    created = view.items[0]
    assert created.headline == "Ticket opened from your chat"
    assert created.body == "You: The reminders stopped.\nSupport: I see it too."
    assert SECRET not in _as_text(view)


def test_after_the_client_confirms_a_fix_the_page_shows_it_closed_and_offers_only_reopen(
    session, clock
):
    # The change itself (status, event, who is told) is tested in test_ticket_services.
    client, agent, ticket = _setup(session, clock)
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to=Status.RESOLVED,
        now=clock.advance(hours=1),
    )
    resolved = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    assert resolved.can_confirm and resolved.can_reopen
    tickets.confirm_fix(
        session=session, principal=principal(client), ticket=ticket, now=clock.advance(hours=1)
    )
    session.commit()
    view = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    assert "Closed" in [i.headline for i in view.items]
    assert not view.can_confirm and view.can_reopen


def test_adding_details_records_them_and_notifies_the_assignee(session, clock):
    client, agent, ticket = _setup(session, clock)
    tickets.assign(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        assignee_id=agent.id,
        now=clock(),
    )
    tickets.add_client_details(
        session=session,
        principal=principal(client),
        ticket=ticket,
        body="It happens on mobile too.",
        now=clock.advance(minutes=2),
    )
    session.commit()
    kinds = {
        n.kind for n in session.exec(select(Notification)).all() if n.recipient_user_id == agent.id
    }
    assert "client_details" in kinds
    view = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    item = next(i for i in view.items if i.kind == "client_details")
    assert item.headline == "You added details" and item.body == "It happens on mobile too."


def test_relative_times_read_naturally(clock):
    now = clock()
    assert client_views.relative_time(now - timedelta(seconds=10), now) == "just now"
    assert client_views.relative_time(now - timedelta(minutes=1), now) == "1 minute ago"
    assert client_views.relative_time(now - timedelta(hours=5), now) == "5 hours ago"
    assert client_views.relative_time(now + timedelta(days=2, hours=1), now) == "in 2 days"


def test_a_message_that_could_not_be_delivered_says_so_with_its_reason(session, clock):
    client, agent, ticket = _setup(session, clock)
    session.commit()
    [note] = session.exec(
        select(Notification).where(Notification.recipient_user_id == client.id)
    ).all()
    note.status, note.last_error = "undelivered", "phone unreachable"
    other = Notification(
        kind="x",
        channel="email",
        to_address="a@b.c",
        ticket_id=ticket.id,
        recipient_user_id=client.id,
        status="failed",
        last_error="HTTP 500 from provider",
        subject="Subject",
        created_at=clock(),
    )
    session.add(other)
    session.commit()
    view = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    notes = [i for i in view.items if i.kind == "notification"]
    assert [n.headline for n in notes] == [
        "Email sent to you: not delivered",
        "Email sent to you: not delivered",
    ]
    assert notes[0].body == "Reason: phone unreachable"
    assert "HTTP 500" not in _as_text(view)
