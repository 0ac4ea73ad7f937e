"""Creating a ticket costs a fixed, small number of SQL statements, whatever else is stored.

Counts, not time: a lookup added per notification or per event (an N+1) fails here long
before anyone notices it on a busy day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import delete, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_portal.clock import utcnow
from support_portal.models import Notification, Ticket, TicketEvent
from support_portal.services import tickets
from support_portal.testkit.factories import good_draft, make_user, principal

# requester and organization (one query), the managers (a new ticket is news for all of
# them), the ticket, its two outbox rows (team and client), its "created" event, and one row
# of the live-change feed; PostgreSQL takes the ticket's id from its sequence first and sends
# both outbox rows in one statement.
STATEMENTS = {"sqlite": 7, "postgresql": 7}


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def create_one(engine: Engine, agent, client, title: str) -> Ticket:  # noqa: ANN001
    # A fresh unit of work per ticket, as in the console and the REST API.
    with Session(engine, expire_on_commit=False) as s:
        ticket = tickets.create_ticket(
            session=s,
            principal=principal(agent),
            draft=good_draft(title=title),
            organization_id=client.organization_id,
            requester_id=client.id,
            now=utcnow(),
        )
        s.commit()
        return ticket


def test_creating_a_ticket_takes_a_fixed_number_of_statements_however_many_exist(session):
    engine = session.get_bind()
    client = make_user(session, "client")
    agent = make_user(session, "agent")
    session.commit()
    create_one(engine, agent, client, "Reminder SMS skipped for first contact")
    expected = STATEMENTS[engine.dialect.name]

    for n in range(5):
        with counting(engine) as statements:
            create_one(engine, agent, client, f"Reminder SMS skipped for contact {n}")
        assert len(statements) == expected, "\n".join(statements)

    with Session(engine) as s:
        assert len(s.exec(select(Ticket)).all()) == 6
        assert len(s.exec(select(TicketEvent)).all()) == 6
        assert len(s.exec(select(Notification)).all()) == 12


def test_every_ticket_number_is_the_offset_plus_its_id_even_after_the_newest_was_removed(
    session,
):
    engine = session.get_bind()
    client = make_user(session, "client")
    agent = make_user(session, "agent")
    session.commit()
    first = create_one(engine, agent, client, "Calendar sync stopped for one location")
    newest = create_one(engine, agent, client, "Calendar sync stopped for all locations")
    with Session(engine) as s:
        for table in (Notification, TicketEvent):
            s.exec(delete(table).where(table.ticket_id == newest.id))  # type: ignore[call-overload]
        s.exec(delete(Ticket).where(Ticket.id == newest.id))  # type: ignore[call-overload]
        s.commit()
    later = [create_one(engine, agent, client, f"Invoices not sent, run {n}") for n in range(3)]

    with Session(engine) as s:
        stored = s.exec(select(Ticket.id, Ticket.number).order_by(Ticket.id)).all()
    assert [number for _, number in stored] == [
        tickets.TICKET_NUMBER_OFFSET + ticket_id for ticket_id, _ in stored
    ]
    assert [t.number for t in [first, *later]] == [number for _, number in stored]
    assert len(set(number for _, number in stored)) == 4
