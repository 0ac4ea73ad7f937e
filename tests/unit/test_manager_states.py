"""The systemic-issues and reports handlers check the user on the server at every call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.models import Problem
from support_portal.services import auth
from support_portal.state.reports import ReportsState
from support_portal.state.systemic import SystemicState
from support_portal.testkit.factories import PASSWORD, make_org, make_ticket, make_user
from tests.session_cookie import with_session_cookie


def signed_in_state(cls, session, user):
    token, _ = auth.sign_in(session=session, email=user.email, password=PASSWORD, now=utcnow())
    state = cls(_reflex_internal_init=True)
    return with_session_cookie(state, token)


@pytest.fixture
def two_tickets(session):
    org = make_org(session)
    client = make_user(session, "client", organization=org)
    agent = make_user(session, "agent")
    made = [make_ticket(session, requester=client, agent=agent) for _ in range(2)]
    session.commit()
    return client, agent, made


@pytest.mark.parametrize("role", ["client", "agent"])
async def test_only_a_manager_can_declare_a_problem_from_the_panel(session, two_tickets, role):
    client, agent, made = two_tickets
    who = client if role == "client" else agent
    state = signed_in_state(SystemicState, session, who)
    form = {"title": "Sneaky", "numbers": f"{made[0].number}, {made[1].number}"}
    await SystemicState.declare_from_numbers.fn(state, form)
    session.expire_all()
    assert session.exec(select(Problem)).all() == []


async def test_a_manager_declares_a_problem_from_the_panel_and_sees_it(session, two_tickets):
    _, _, made = two_tickets
    manager = make_user(session, "manager")
    session.commit()
    state = signed_in_state(SystemicState, session, manager)
    form = {"title": "Reminder SMS", "numbers": f"#{made[0].number} #{made[1].number}"}
    await SystemicState.declare_from_numbers.fn(state, form)
    [problem] = state.open_problems
    assert problem.title == "Reminder SMS"
    assert [t.number for t in problem.tickets] == [made[0].number, made[1].number]


async def test_a_non_manager_gets_no_report_rows_or_csv(session, two_tickets):
    client, _, _ = two_tickets
    state = signed_in_state(ReportsState, session, client)
    state.start, state.end = "2026-01-01", "2026-12-31"
    await ReportsState.set_end.fn(state, "2026-12-31")
    assert state.by_organization == []
    result = await ReportsState.download_csv.fn(state, "by_organization")
    assert "download" not in str(result).lower()


async def test_a_manager_gets_report_rows_and_a_csv_download(session, two_tickets):
    manager = make_user(session, "manager")
    session.commit()
    state = signed_in_state(ReportsState, session, manager)
    today = utcnow().date()
    state.start = (today - timedelta(days=7)).isoformat()
    await ReportsState.set_end.fn(state, today.isoformat())
    assert state.error == ""
    assert sum(r["tickets"] for r in state.by_organization) == 2
    result = await ReportsState.download_csv.fn(state, "by_organization")
    assert "download" in str(result).lower()
