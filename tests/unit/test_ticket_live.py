"""The live room of a client's ticket: a push after a team update rebuilds the public view of
every client who has the ticket open, and of nobody else."""

from __future__ import annotations

import contextlib
import json

from support_portal.services import tickets
from support_portal.state import ticket_live
from support_portal.state.ticket_live import TicketLive, live_token, push_ticket_update
from tests.factories import make_org, make_ticket, make_user, principal


class FakeApp:
    """Stands in for `rx.App.modify_state`: one TicketLive per shared token."""

    def __init__(self, watching: set[str]) -> None:
        self.rooms: dict[str, TicketLive] = {}
        self.watching = watching

    @contextlib.asynccontextmanager
    async def modify_state(self, token):
        assert token.cls is TicketLive
        live = self.rooms.setdefault(token.ident, TicketLive(_reflex_internal_init=True))
        if token.ident in self.watching:
            live._linked_from = {"browser-tab-token"}
        root = self

        class Root:
            async def get_state(self, cls):
                assert cls is TicketLive
                return root.rooms[token.ident]

        yield Root()


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
    dana_room = live_token(ticket.id, dana.id)
    app = FakeApp(watching={dana_room})
    monkeypatch.setattr(ticket_live, "_app", lambda: app)

    assert await push_ticket_update(ticket.id) == 1

    sent = json.dumps(app.rooms[dana_room].dict(), default=str)
    assert "We found it: a bad phone field mapping." in sent
    assert "Refund approved internally" not in sent
    # Lee may see the ticket but has no page open: her room is left empty.
    assert app.rooms[live_token(ticket.id, lee.id)].items == []
    # Nobody outside the ticket's organization gets a room at all.
    assert not any(f"viewer-{stranger.id}" in t for t in app.rooms)


def test_room_tokens_are_valid_shared_state_tokens():
    assert "_" not in live_token(12, 34)
