"""The SLA sweep: each warning, breach, reminder and auto-close happens once."""

from __future__ import annotations

import os
import threading

import pytest
from sqlmodel import Session, func, select

from support_portal import db as db_module
from support_portal.jobs import runner
from support_portal.jobs.sla_jobs import run_sla_sweep
from support_portal.models import Notification, Ticket, TicketEvent, User
from support_portal.services import tickets
from support_portal.testkit.factories import make_ticket, make_user, principal


def _events(session: Session, ticket: Ticket, kind: str) -> list[TicketEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)
        ).all()
    )


def _notes(session: Session, kind: str) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.kind == kind)).all())


def _setup(session, clock, **kw):
    manager = make_user(session, "manager")
    agent = make_user(session, "agent")
    ticket = make_ticket(session, now=clock.now, agent=agent, **kw)
    tickets.assign(
        session=session,
        principal=principal(manager),
        ticket=ticket,
        assignee_id=agent.id,
        now=clock.now,
    )
    session.commit()
    return manager, agent, ticket


def test_the_sla_job_is_registered_with_the_runner():
    assert "sla" in dict(runner.registered_jobs())


def test_a_warning_at_three_quarters_and_a_breach_are_each_recorded_once(session, clock):
    manager, agent, ticket = _setup(session, clock, priority="high")  # due 14:00, warn 13:00
    assert run_sla_sweep(session, clock.advance(minutes=30)) == 0
    assert run_sla_sweep(session, clock.advance(hours=2, minutes=30)) >= 1  # 13:00
    run_sla_sweep(session, clock.advance(minutes=10))
    warnings = _events(session, ticket, "sla_warning")
    assert [e.data["target"] for e in warnings] == ["first_response"]
    recipients = {n.to_address for n in _notes(session, "sla_warning")}
    assert recipients == {agent.email, manager.email}
    assert _events(session, ticket, "sla_breach") == []
    run_sla_sweep(session, clock.advance(hours=1))  # 14:10: breached
    run_sla_sweep(session, clock.advance(hours=1))
    assert len(_events(session, ticket, "sla_breach")) == 1
    assert len(_notes(session, "sla_breach")) == 2


def test_a_ticket_that_waits_on_the_client_raises_no_first_response_alarm(session, clock):
    _, agent, ticket = _setup(session, clock, priority="urgent")
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to="waiting_on_client",
        now=clock.advance(minutes=5),
    )
    session.commit()
    run_sla_sweep(session, clock.advance(days=10))
    assert _events(session, ticket, "sla_breach") == []


def test_the_assignee_is_reminded_before_48_hours_pass_without_an_update(session, clock):
    _, agent, ticket = _setup(session, clock)
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body="On it",
        now=clock.now,
    )
    session.commit()
    run_sla_sweep(session, clock.advance(hours=35))
    assert _events(session, ticket, "update_reminder") == []
    run_sla_sweep(session, clock.advance(hours=2))
    run_sla_sweep(session, clock.advance(hours=1))
    assert len(_events(session, ticket, "update_reminder")) == 1
    assert [n.to_address for n in _notes(session, "update_reminder")] == [agent.email]


def test_a_resolved_ticket_reminds_the_client_then_closes_itself_once(session, clock):
    _, agent, ticket = _setup(session, clock)
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to="resolved",
        now=clock.now,
    )
    session.commit()
    run_sla_sweep(session, clock.advance(days=2))
    assert _notes(session, "auto_close_warning") == []
    run_sla_sweep(session, clock.advance(days=1, minutes=1))
    run_sla_sweep(session, clock.advance(days=1))
    assert len(_events(session, ticket, "auto_close_warning")) == 1
    assert len(_notes(session, "auto_close_warning")) == 1
    session.refresh(ticket)
    assert ticket.status == "resolved"
    run_sla_sweep(session, clock.advance(days=3))
    run_sla_sweep(session, clock.advance(days=1))
    session.refresh(ticket)
    assert ticket.status == "closed"
    closes = [e for e in _events(session, ticket, "status_changed") if e.data["to"] == "closed"]
    assert len(closes) == 1 and closes[0].actor_role == "system"
    assert len(_notes(session, "ticket_closed")) == 1


def test_the_auto_close_warning_says_how_to_keep_the_ticket_open_and_a_reply_does(session, clock):
    _, agent, ticket = _setup(session, clock)
    tickets.change_status(
        session=session, principal=principal(agent), ticket=ticket, to="resolved", now=clock.now
    )
    session.commit()
    run_sla_sweep(session, clock.advance(days=3, minutes=1))
    [email] = [n for n in _notes(session, "auto_close_warning") if n.channel == "email"]
    assert "To keep it open, reply to this email" in email.body_text
    requester = session.get(User, ticket.requester_id)
    tickets.add_client_details(
        session=session,
        principal=principal(requester),
        ticket=ticket,
        body="The reminders still do not send.",
        now=clock.advance(hours=1),
    )
    session.commit()
    run_sla_sweep(session, clock.advance(days=5))
    session.refresh(ticket)
    assert ticket.status == "in_progress"


def test_the_close_delays_are_settings(session, clock, settings_env):
    settings_env(AUTO_CLOSE_REMINDER_DAYS="1", AUTO_CLOSE_DAYS="2")
    _, agent, ticket = _setup(session, clock)
    tickets.change_status(
        session=session, principal=principal(agent), ticket=ticket, to="resolved", now=clock.now
    )
    session.commit()
    run_sla_sweep(session, clock.advance(days=2, minutes=1))
    session.refresh(ticket)
    assert ticket.status == "closed"


def test_a_reopened_ticket_is_not_closed_by_the_job(session, clock):
    _, agent, ticket = _setup(session, clock)
    tickets.change_status(
        session=session, principal=principal(agent), ticket=ticket, to="resolved", now=clock.now
    )
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to="in_progress",
        now=clock.advance(days=1),
    )
    session.commit()
    run_sla_sweep(session, clock.advance(days=8))
    session.refresh(ticket)
    assert ticket.status == "in_progress"


def test_the_sweep_reads_only_tickets_whose_check_time_has_passed(session, clock):
    _, _, ticket = _setup(session, clock)
    later = ticket.sla_check_at
    assert later is not None and later > clock.now
    assert run_sla_sweep(session, clock.now) == 0


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_workers_at_once_on_postgres_record_each_step_once(db_url, clock):
    engine = db_module.get_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        manager = make_user(s, "manager")
        agent = make_user(s, "agent")
        made = []
        for i in range(40):
            t = make_ticket(s, now=clock.now, agent=agent, priority="urgent")
            if i % 2:
                tickets.change_status(
                    session=s,
                    principal=principal(manager),
                    ticket=t,
                    to="resolved",
                    now=clock.now,
                )
            made.append(t.id)
        s.commit()
    now = clock.advance(days=10)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(engine, expire_on_commit=False) as s:
                barrier.wait()
                run_sla_sweep(s, now)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as s:
        counts = dict(
            s.exec(select(TicketEvent.kind, func.count()).group_by(TicketEvent.kind)).all()
        )
        closed = s.exec(select(func.count()).where(Ticket.status == "closed")).one()
    assert closed == 20
    # First response, resolution and public update of each open ticket, once each.
    assert counts["sla_breach"] == 20 * 3
    assert counts["auto_close"] == 20
    assert counts.get("sla_warning", 0) == 0  # the breach supersedes a late warning
