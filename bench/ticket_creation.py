"""Ticket creation throughput: tickets per second, each with its event and outbox rows.

Target: over 200 a second (django-helpdesk: 77-88 on these machines). Runs on a fresh SQLite
file by default, or on PostgreSQL with BENCH_DATABASE_URL.
"""

from __future__ import annotations

import os
import tempfile
import time

from sqlmodel import Session, SQLModel, func, select

N = int(os.environ.get("BENCH_TICKETS", "1000"))


def main() -> dict[str, float]:
    tmp = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    os.environ["DB_URL"] = url
    from support_portal.db import get_engine
    from support_portal.models import Notification, TicketEvent
    from support_portal.services import tickets
    from support_portal.services.accounts import create_organization, create_user
    from support_portal.services.authz import Principal
    from tests.factories import good_draft

    engine = get_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        org = create_organization(session=s, name="Bench Org", timezone="UTC")
        client = create_user(
            session=s,
            email="c@bench.example",
            name="C",
            role="client",
            password="bench-password",
            organization=org,
        )
        agent = create_user(
            session=s, email="a@bench.example", name="A", role="agent", password="bench-password"
        )
        s.commit()
        who = Principal.of(agent)
        org_id, client_id = org.id, client.id
    start = time.perf_counter()
    for i in range(N):
        # One transaction per ticket, as a user creating tickets one by one would.
        with Session(engine, expire_on_commit=False) as s:
            tickets.create_ticket(
                session=s,
                principal=who,
                draft=good_draft(title=f"Reminder SMS skipped {i}"),
                organization_id=org_id,
                requester_id=client_id,
            )
            s.commit()
    elapsed = time.perf_counter() - start
    with Session(engine) as s:
        events = s.exec(select(func.count()).select_from(TicketEvent)).one()
        outbox = s.exec(select(func.count()).select_from(Notification)).one()
    assert events >= N and outbox >= N
    return {
        "tickets": N,
        "seconds": round(elapsed, 3),
        "tickets_per_second": round(N / elapsed, 1),
        "backend": engine.dialect.name,
    }


if __name__ == "__main__":
    from bench.results import record

    figures = main()
    record("ticket_creation", figures)
    print(figures)
