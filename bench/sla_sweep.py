"""The SLA sweep over 100,000 open tickets: one pass with 200 of them due, and one with none.

Target: under 2 s a pass. The sweep reads only tickets whose indexed `sla_check_at` has
passed, so its cost follows the work due, not the size of the table. SQLite by default,
PostgreSQL with BENCH_DATABASE_URL. Figures go to bench/results.json ("sla_sweep").
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, SQLModel, select

N = int(os.environ.get("BENCH_SWEEP_TICKETS", "100000"))
DUE = 200


def main() -> dict[str, float]:
    tmp = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    os.environ["DB_URL"] = url
    from bench.seed import seed_open_tickets
    from support_portal.clock import utcnow
    from support_portal.db import get_engine
    from support_portal.jobs.sla_jobs import run_sla_sweep
    from support_portal.models import Ticket
    from support_portal.services.accounts import create_organization, create_user

    engine = get_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    now = utcnow()
    with Session(engine, expire_on_commit=False) as s:
        for i in range(3):
            org = create_organization(session=s, name=f"Org {i}", timezone="UTC")
            create_user(
                session=s, email=f"c{i}@bench.example", name=f"C{i}", role="client",
                password="bench-password", organization=org,
            )  # fmt: skip
        create_user(
            session=s, email="m@bench.example", name="M", role="manager", password="bench-password"
        )
        create_user(
            session=s, email="a@bench.example", name="A", role="agent", password="bench-password"
        )
        s.commit()
        start = time.perf_counter()
        seed_open_tickets(s, N, now, start_number=1001)
        seed_s = time.perf_counter() - start
        # Everything planned for later, except DUE tickets whose next step is due now.
        s.execute(update(Ticket).values(sla_check_at=now + timedelta(days=30)))
        ids = s.exec(select(Ticket.id).order_by(Ticket.id).limit(DUE)).all()
        s.execute(update(Ticket).where(Ticket.id.in_(ids)).values(sla_check_at=now))
        s.commit()
    with Session(engine, expire_on_commit=False) as s:
        start = time.perf_counter()
        steps = run_sla_sweep(s, now + timedelta(seconds=1))
        busy = time.perf_counter() - start
    with Session(engine, expire_on_commit=False) as s:
        start = time.perf_counter()
        run_sla_sweep(s, now + timedelta(seconds=2))
        idle = time.perf_counter() - start
    figures = {
        "open_tickets": N,
        "tickets_due": DUE,
        "steps_taken": steps,
        "sweep_with_due_ms": round(busy * 1000, 1),
        "sweep_nothing_due_ms": round(idle * 1000, 2),
        "seed_s": round(seed_s, 1),
        "database": url.split(":", 1)[0],
    }
    from bench.results import record

    record("sla_sweep", figures)
    for key, value in figures.items():
        print(f"{key:<24} {value}")
    return figures


if __name__ == "__main__":
    main()
