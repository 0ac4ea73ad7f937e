"""Bulk seeding of open tickets for the board and SLA benchmarks (fast inserts, real SLA times)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import insert
from sqlmodel import Session, select

from support_portal.models import Organization, Ticket, User
from support_portal.services import sla

STATUSES = ("new", "in_progress", "waiting_on_client")
PRIORITIES = ("urgent", "high", "normal", "low")


def seed_open_tickets(session: Session, n: int, now: datetime, *, start_number: int) -> None:
    orgs = session.exec(select(Organization)).all()
    clients = {
        u.organization_id: u for u in session.exec(select(User).where(User.role == "client"))
    }
    staff = session.exec(select(User).where(User.role.in_(["agent", "manager"]))).all()
    rows = []
    for i in range(n):
        org = orgs[i % len(orgs)]
        created = now - timedelta(hours=i % 90)
        # A plain namespace, not a Ticket: building 100,000 SQLModel objects is the slow part.
        t = SimpleNamespace(
            number=start_number + i,
            organization_id=org.id,
            requester_id=clients[org.id].id,
            assignee_id=staff[i % len(staff)].id if i % 5 else None,
            status=STATUSES[i % 3],
            priority=PRIORITIES[i % 4],
            title=f"Workflow step skipped for contacts, case {i}",
            reply_token=secrets.token_hex(10),
            created_at=created,
            updated_at=created,
            last_public_update_at=created,
            sla_paused_at=created if STATUSES[i % 3] == "waiting_on_client" else None,
            sla_paused_seconds=0.0,
            first_response_at=None,
            resolved_at=None,
        )
        sla.refresh(t, created)  # type: ignore[arg-type]
        rows.append(vars(t))
        if len(rows) == 5000:
            session.execute(insert(Ticket), rows)
            rows = []
    if rows:
        session.execute(insert(Ticket), rows)
    session.commit()
