"""The live room of a client's ticket: a push after a team update rebuilds the public view of
every client who has the ticket open, and of nobody else."""

from __future__ import annotations

import json
import time

from support_portal.realtime import topics
from support_portal.realtime.ticket_live import TicketLive, live_topic, push_ticket_update
from support_portal.services import tickets
from support_portal.testkit.factories import make_org, make_ticket, make_user, principal
from tests.fake_tabs import fake_tabs


async def test_a_team_update_is_pushed_to_the_open_pages_of_the_tickets_clients(
    session, clock, monkeypatch
):
    org = make_org(session, timezone="Europe/London")
    dana = make_user(session, "client", organization=org)
    lee = make_user(session, "client", organization=org)
    stranger = make_user(session, "client")
    agent = make_user(session, "agent", name="Alex Kim")
    ticket = make_ticket(session, requester=dana, agent=agent, now=clock())
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body="Refund approved internally",
        internal=True,
        now=clock.advance(minutes=1),
    )
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body="We found it: a bad phone field mapping. Fix going out today.",
        now=clock.advance(minutes=1),
    )
    session.commit()
    other = make_ticket(session, requester=dana, agent=agent, now=clock())
    session.commit()
    with fake_tabs(monkeypatch) as tabs:
        # Dana has the ticket open in one tab and her other ticket in another; Lee may see
        # the ticket but has no page open; a stranger's tab sits in a topic for the
        # ticket (as a forged join would), but the stranger is no viewer of it.
        for tab, ticket_id, user in (
            ("dana-tab", ticket.id, dana),
            ("dana-other-tab", other.id, dana),
            ("stranger-tab", ticket.id, stranger),
        ):
            tabs.open(tab)
            tabs.state(tab, TicketLive)._ticket_id = ticket_id
            await topics.registry().join(
                live_topic(ticket_id, user.id), tab, until=time.time() + 60, owner=tab
            )

        assert await push_ticket_update(ticket.id) == 1

        sent = json.dumps(tabs.state("dana-tab", TicketLive).dict(), default=str)
        assert "We found it: a bad phone field mapping." in sent
        assert "Refund approved internally" not in sent
        assert tabs.state("dana-other-tab", TicketLive).items == []
        assert tabs.state("stranger-tab", TicketLive).items == []
        assert await topics.registry().members(live_topic(ticket.id, lee.id)) == []


async def test_a_tab_that_moved_to_another_ticket_keeps_what_it_shows(session, clock, monkeypatch):
    dana = make_user(session, "client")
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=dana, agent=agent, now=clock())
    session.commit()
    with fake_tabs(monkeypatch) as tabs:
        tabs.open("tab")
        await topics.registry().join(
            live_topic(ticket.id, dana.id), "tab", until=time.time() + 60, owner="s"
        )
        tabs.state("tab", TicketLive)._ticket_id = ticket.id + 1000

        assert await push_ticket_update(ticket.id) == 1  # reached, and ignored by the tab
        assert tabs.state("tab", TicketLive).items == []
