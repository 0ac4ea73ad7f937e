"""SLA targets on tickets: due times per priority, the clock paused while waiting on the client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from support_portal.domain import sla as rules
from support_portal.domain.business_calendar import BusinessCalendar
from support_portal.services import sla, tickets
from support_portal.testkit.factories import make_ticket, make_user, principal

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def board_badge(ticket, now: datetime) -> tuple[str, str]:
    """The (text, tone) the board shows for this ticket, from its stored plan."""
    text, tone, _ = rules.badge(
        status=ticket.status,
        first_response_due=ticket.first_response_due_at,
        update_due=ticket.next_update_due_at,
        resolution_due=ticket.resolution_due_at,
        paused_at=ticket.sla_paused_at,
        now=now,
    )
    return text, tone


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
    text, tone = board_badge(ticket, clock.advance(days=3))
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


def test_the_badge_says_breached_once_a_target_has_passed(session, clock):
    ticket = make_ticket(session, now=clock.now)  # the 48-hour update is due first
    assert board_badge(ticket, clock.now) == ("2d 0h left", "ok")
    assert board_badge(ticket, clock.advance(hours=45)) == ("3h 00m left", "warning")
    assert board_badge(ticket, clock.advance(hours=3, minutes=1)) == ("Breached", "breached")


def test_the_plan_gives_the_due_times_and_the_next_check_the_sweep_and_board_use():
    cal = BusinessCalendar(timezone="America/New_York")
    created = ny(2026, 3, 3, 10)  # a Tuesday
    clock = rules.SlaClock(priority="high", status="new", created_at=created)
    planned = rules.plan(
        rules.SlaPolicy(),
        cal,
        clock,
        resolved_at=None,
        auto_close_reminder_days=3,
        auto_close_days=7,
    )
    assert planned.due(rules.Target.FIRST_RESPONSE) == ny(2026, 3, 3, 14)
    assert planned.due(rules.Target.UPDATE) == ny(2026, 3, 5, 10)
    assert planned.check_at == ny(2026, 3, 3, 13)  # 75% of the first-response target
    assert planned.next_check(ny(2026, 3, 3, 13)) == ny(2026, 3, 3, 14)

    resolved = rules.SlaClock(
        priority="high",
        status="resolved",
        created_at=created,
        paused_at=ny(2026, 3, 4, 9),
        first_response_at=ny(2026, 3, 3, 11),
    )
    after_fix = rules.plan(
        rules.SlaPolicy(),
        cal,
        resolved,
        resolved_at=ny(2026, 3, 4, 9),
        auto_close_reminder_days=3,
        auto_close_days=7,
    )
    assert [c.step for c in after_fix.checkpoints] == [
        rules.Step.AUTO_CLOSE_WARNING,
        rules.Step.AUTO_CLOSE,
    ]


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
    assert board_badge(ticket, reopened_at)[1] != "breached"
    # The 48-hour update clock starts again from the reopening.
    assert ticket.next_update_due_at == datetime(2026, 3, 20, 15, tzinfo=UTC)


def test_a_closed_ticket_reopened_by_the_client_runs_its_clock_again(session, clock):
    manager = make_user(session, "manager")
    ticket = make_ticket(session, now=clock.now, agent=manager)
    for to, who in (("resolved", manager), ("closed", manager)):
        tickets.change_status(
            session=session,
            principal=principal(who),
            ticket=ticket,
            to=to,
            reason="Fixed",
            now=clock.advance(hours=1),
        )
    requester = session.get(type(manager), ticket.requester_id)
    tickets.change_status(
        session=session,
        principal=principal(requester),
        ticket=ticket,
        to="in_progress",
        reason="It broke again",
        now=clock.advance(days=1),
    )
    assert ticket.sla_paused_at is None
    assert ticket.next_update_due_at == clock.now + timedelta(hours=48)
    assert board_badge(ticket, clock.now)[1] == "ok"
