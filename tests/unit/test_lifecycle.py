"""The ticket lifecycle: every allowed and forbidden transition, and a replayable history."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support_portal.domain.lifecycle import (
    TRANSITIONS,
    Status,
    TransitionNotAllowed,
    allowed_targets,
    check_transition,
    replay,
)
from support_portal.domain.roles import Actor

ALL_PAIRS = [(a, b) for a, b in itertools.product(Status, Status) if a != b]

EXPECTED_ALLOWED = {
    (Status.NEW, Status.IN_PROGRESS): {"agent", "manager"},
    (Status.NEW, Status.WAITING_ON_CLIENT): {"agent", "manager"},
    (Status.NEW, Status.RESOLVED): {"agent", "manager"},
    (Status.IN_PROGRESS, Status.NEW): {"manager"},
    (Status.IN_PROGRESS, Status.WAITING_ON_CLIENT): {"agent", "manager"},
    (Status.IN_PROGRESS, Status.RESOLVED): {"agent", "manager"},
    (Status.WAITING_ON_CLIENT, Status.IN_PROGRESS): {"agent", "manager", "client"},
    (Status.WAITING_ON_CLIENT, Status.RESOLVED): {"agent", "manager"},
    (Status.RESOLVED, Status.CLOSED): {"client", "manager", "system"},
    (Status.RESOLVED, Status.IN_PROGRESS): {"agent", "manager", "client"},
    (Status.CLOSED, Status.IN_PROGRESS): {"client", "manager"},
}


@pytest.mark.parametrize(("old", "new"), ALL_PAIRS)
@pytest.mark.parametrize("actor", list(Actor))
def test_each_transition_is_allowed_exactly_for_the_listed_actors(old, new, actor):
    allowed = actor.value in EXPECTED_ALLOWED.get((old, new), set())
    if allowed:
        t = check_transition(old, new, actor)
        assert (t.old, t.new, t.actor) == (old, new, actor)
    else:
        with pytest.raises(TransitionNotAllowed):
            check_transition(old, new, actor)


def test_the_table_holds_nothing_beyond_the_expected_transitions():
    assert {k: {a.value for a in v} for k, v in TRANSITIONS.items()} == EXPECTED_ALLOWED


def test_an_agent_cannot_close_a_resolved_ticket_and_is_told_why():
    with pytest.raises(TransitionNotAllowed, match="agent cannot move a ticket from resolved"):
        check_transition(Status.RESOLVED, Status.CLOSED, Actor.AGENT)


def test_a_new_ticket_cannot_jump_straight_to_closed():
    with pytest.raises(TransitionNotAllowed, match="cannot go from new to closed"):
        check_transition(Status.NEW, Status.CLOSED, Actor.MANAGER)


def test_a_reopen_always_lands_in_progress():
    assert check_transition(Status.RESOLVED, Status.IN_PROGRESS, Actor.CLIENT).is_reopen
    assert check_transition(Status.CLOSED, Status.IN_PROGRESS, Actor.MANAGER).is_reopen
    assert Status.NEW not in allowed_targets(Status.CLOSED, Actor.MANAGER)


def test_moving_to_the_same_status_is_refused():
    with pytest.raises(TransitionNotAllowed, match="already"):
        check_transition(Status.NEW, Status.NEW, Actor.MANAGER)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(list(Status)), st.sampled_from(list(Actor))), max_size=40)
)
def test_any_sequence_of_attempts_leaves_a_history_that_replays_to_the_status(attempts):
    status = Status.NEW
    history: list[tuple[str, str]] = []
    for target, actor in attempts:
        try:
            t = check_transition(status, target, actor)
        except TransitionNotAllowed:
            continue  # a refused change leaves everything as it was
        history.append((t.old.value, t.new.value))
        status = t.new
    assert replay(history) == status


def test_replay_rejects_a_broken_history():
    with pytest.raises(ValueError):
        replay([("new", "in_progress"), ("new", "resolved")])


def _effects(old, new, actor, clocks, now):
    from support_portal.domain.business_calendar import BusinessCalendar
    from support_portal.domain.lifecycle import effects_of

    return effects_of(
        check_transition(old, new, actor),
        clocks,
        now=now,
        cal=BusinessCalendar(timezone="America/New_York"),
    )


def test_resolving_stamps_the_fix_and_stops_the_sla_until_the_client_answers():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from support_portal.domain.lifecycle import Clocks

    now = datetime(2026, 3, 3, 10, tzinfo=ZoneInfo("America/New_York"))
    after = _effects(Status.IN_PROGRESS, Status.RESOLVED, Actor.AGENT, Clocks(), now)
    assert (after.resolved_at, after.closed_at, after.sla_paused_at) == (now, None, now)


def test_a_reopen_clears_the_fix_adds_the_time_waited_and_restarts_the_update_clock():
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from support_portal.domain.lifecycle import Clocks

    resolved = datetime(2026, 3, 3, 10, tzinfo=ZoneInfo("America/New_York"))  # Tuesday
    closed = resolved + timedelta(days=1)
    before = Clocks(
        resolved_at=resolved,
        closed_at=closed,
        sla_paused_at=resolved,
        sla_paused_seconds=600.0,
        last_public_update_at=resolved - timedelta(hours=5),
    )
    reopened = resolved + timedelta(days=2)  # Thursday 10:00: two working days later
    after = _effects(Status.CLOSED, Status.IN_PROGRESS, Actor.CLIENT, before, reopened)
    assert (after.resolved_at, after.closed_at, after.sla_paused_at) == (None, None, None)
    assert after.sla_paused_seconds == 600.0 + 2 * 8 * 3600
    assert after.last_public_update_at == reopened


def test_closing_a_resolved_ticket_keeps_the_clock_stopped():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from support_portal.domain.lifecycle import Clocks

    resolved = datetime(2026, 3, 3, 10, tzinfo=ZoneInfo("America/New_York"))
    now = datetime(2026, 3, 5, 10, tzinfo=ZoneInfo("America/New_York"))
    before = Clocks(resolved_at=resolved, sla_paused_at=resolved)
    after = _effects(Status.RESOLVED, Status.CLOSED, Actor.CLIENT, before, now)
    assert (after.resolved_at, after.closed_at, after.sla_paused_at) == (resolved, now, resolved)
    assert after.sla_paused_seconds == 0.0
