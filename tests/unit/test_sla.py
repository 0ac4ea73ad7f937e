"""SLA targets on tickets: due times per priority, the clock paused while waiting on the client."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from support_portal.domain import sla as rules
from support_portal.domain.business_calendar import BusinessCalendar
from support_portal.services import sla, tickets
from support_portal.testkit.factories import make_ticket, make_user, principal

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def test_first_response_targets_follow_priority_in_business_hours(session, clock):
    # clock: Tuesday 3 March 2026, 10:00 New York.
    urgent = make_ticket(session, now=clock.now, priority="urgent")
    high = make_ticket(session, now=clock.now, priority="high")
    normal = make_ticket(session, now=clock.now, priority="normal")
    assert urgent.first_response_due_at == ny(2026, 3, 3, 11)
    assert high.first_response_due_at == ny(2026, 3, 3, 14)
    assert normal.first_response_due_at == ny(2026, 3, 6, 10)
    assert normal.next_update_due_at == ny(2026, 3, 5, 10)


def test_raising_the_priority_brings_the_due_time_forward(session, clock):
    manager = make_user(session, "manager")
    ticket = make_ticket(session, now=clock.now)
    tickets.set_priority(
        session=session,
        principal=principal(manager),
        ticket=ticket,
        priority="urgent",
        now=clock.advance(minutes=10),
    )
    assert ticket.first_response_due_at == ny(2026, 3, 3, 11)


def test_waiting_on_the_client_stops_the_clock_and_replying_restarts_it(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, now=clock.now, agent=agent)
    resolution_due = ticket.resolution_due_at
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to="waiting_on_client",
        now=clock.advance(hours=1),
    )
    assert ticket.sla_paused_at == clock.now
    assert ticket.next_update_due_at is None
    # Three business days pass while the client is silent.
    text, tone, _ = sla.status_of(ticket, clock.advance(days=3))
    assert tone == "paused" and text.startswith("Paused")
    requester = session.get(type(agent), ticket.requester_id)
    tickets.add_client_details(
        session=session,
        principal=principal(requester),
        ticket=ticket,
        body="Here it is",
        now=clock.now,
    )
    assert ticket.sla_paused_at is None
    assert ticket.sla_paused_seconds == 3 * 8 * 3600
    assert ticket.resolution_due_at == sla.calendar().add(resolution_due, 3 * 8 * 3600)


def test_a_paused_ticket_shows_the_time_it_had_left():
    cal = BusinessCalendar()
    start = ny(2026, 3, 3, 10)
    d = rules.Deadline(rules.Target.FIRST_RESPONSE, start, start, ny(2026, 3, 3, 14), True)
    paused = ny(2026, 3, 3, 12)
    assert rules.time_left(cal, d, ny(2026, 3, 10, 12), paused) == 2 * 3600
    assert not rules.is_breached(d, ny(2026, 3, 10, 12), paused)
    assert rules.is_breached(d, ny(2026, 3, 3, 15), None)


def test_the_badge_says_breached_once_a_target_has_passed(session, clock):
    ticket = make_ticket(session, now=clock.now, priority="urgent")
    assert sla.status_of(ticket, clock.now)[1] == "ok"
    assert sla.status_of(ticket, clock.advance(minutes=50))[1] == "warning"
    text, tone, left = sla.status_of(ticket, clock.advance(minutes=20))
    assert (text, tone) == ("Breached", "breached") and left < 0


def test_a_first_response_stops_the_first_response_target(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, now=clock.now, agent=agent)
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body="Looking into it",
        now=clock.advance(hours=1),
    )
    assert ticket.first_response_due_at is None
    assert ticket.resolution_due_at is not None
    assert ticket.next_update_due_at == datetime(2026, 3, 5, 16, tzinfo=UTC)


def test_a_status_change_without_a_word_to_the_client_is_not_a_response(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, now=clock.now, agent=agent)
    first_due, update_due = ticket.first_response_due_at, ticket.next_update_due_at
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to="in_progress",
        now=clock.advance(hours=1),
    )
    assert ticket.first_response_at is None
    assert ticket.first_response_due_at == first_due
    assert ticket.next_update_due_at == update_due


def test_a_status_change_with_a_public_note_answers_the_client(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, now=clock.now, agent=agent)
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to="in_progress",
        reason="Reproduced it; a fix is on its way.",
        now=clock.advance(hours=1),
    )
    assert ticket.first_response_at == clock.now
    assert ticket.next_update_due_at == datetime(2026, 3, 5, 16, tzinfo=UTC)
    assert ticket.first_response_due_at is None


def test_time_spent_resolved_does_not_count_against_resolution(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, now=clock.now, agent=agent)  # Tuesday 10:00 New York
    resolution_due = ticket.resolution_due_at
    tickets.post_update(
        session=session, principal=principal(agent), ticket=ticket, body="On it", now=clock.now
    )
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to="resolved",
        reason="Fixed the SMS step",
        now=clock.advance(days=1),
    )
    resolved_at = clock.now
    # Resolved for two weeks (ten working days), then the client says it is still broken.
    requester = session.get(type(agent), ticket.requester_id)
    reopened_at = clock.advance(days=14)
    tickets.change_status(
        session=session,
        principal=principal(requester),
        ticket=ticket,
        to="in_progress",
        reason="Still no SMS",
        now=reopened_at,
    )
    resolved_for = sla.calendar().seconds_between(resolved_at, reopened_at)
    assert resolved_for >= 10 * 8 * 3600  # ten working days
    assert ticket.resolution_due_at == sla.calendar().add(resolution_due, resolved_for)
    assert sla.status_of(ticket, reopened_at)[1] != "breached"
    # The 48-hour update clock starts again from the reopening.
    assert ticket.next_update_due_at == datetime(2026, 3, 20, 15, tzinfo=UTC)
