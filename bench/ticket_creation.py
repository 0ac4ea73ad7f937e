"""Ticket creation throughput: tickets per second, each with its event and outbox rows.

Target: over 200 a second (django-helpdesk: 77-88 on these machines). Runs on a fresh SQLite
file by default, or on PostgreSQL with BENCH_DATABASE_URL. Reports the best of three rounds
(wall clock, and CPU time of this process) and the SQL statements one ticket takes.
"""

from __future__ import annotations

import os
import tempfile
import time

from sqlalchemy import event
from sqlmodel import Session, SQLModel, func, select

N = int(os.environ.get("BENCH_TICKETS", "1000"))


def main() -> dict[str, float]:
    tmp = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    os.environ["DB_URL"] = url
    from support_portal.clock import utcnow
    from support_portal.db import get_engine
    from support_portal.models import Notification, TicketEvent
    from support_portal.services import tickets
    from support_portal.services.accounts import create_organization, create_user
    from support_portal.services.authz import Principal
    from support_portal.testkit.factories import good_draft

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
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    def create(i: int) -> None:
        # One transaction per ticket, as a user creating tickets one by one would.
        with Session(engine, expire_on_commit=False) as s:
            tickets.create_ticket(
                session=s,
                principal=who,
                draft=good_draft(title=f"Reminder SMS skipped {i}"),
                organization_id=org_id,
                requester_id=client_id,
                now=utcnow(),
            )
            s.commit()

    create(-1)  # warm-up: first compilation of each statement and template
    event.listen(engine, "before_cursor_execute", count)
    create(-2)
    event.remove(engine, "before_cursor_execute", count)
    # The machine is shared: the best of a few rounds is the least disturbed one, and CPU
    # time (this process only) shows the work done whatever else is running.
    rounds, per_round = 3, max(1, N // 3)
    best_wall = best_cpu = float("inf")
    start = time.perf_counter()
    for r in range(rounds):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for i in range(per_round):
            create(r * per_round + i)
        best_wall = min(best_wall, time.perf_counter() - wall0)
        best_cpu = min(best_cpu, time.process_time() - cpu0)
    elapsed = time.perf_counter() - start
    created = rounds * per_round
    with Session(engine) as s:
        events = s.exec(select(func.count()).select_from(TicketEvent)).one()
        outbox = s.exec(select(func.count()).select_from(Notification)).one()
    assert events >= created and outbox >= created
    return {
        "tickets": created,
        "seconds": round(elapsed, 3),
        "tickets_per_second": round(per_round / best_wall, 1),
        "tickets_per_cpu_second": round(per_round / best_cpu, 1),
        "sql_statements_per_ticket": statements,
        "backend": engine.dialect.name,
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


if __name__ == "__main__":
    from bench.results import record

    figures = main()
    record("ticket_creation", figures)
    print(figures)
