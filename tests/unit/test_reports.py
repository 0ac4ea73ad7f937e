"""The figures behind each report chart match a data set whose answers are known."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from support_portal.models import ChatSession, User
from support_portal.services import reports, tickets
from support_portal.services.errors import Forbidden, ValidationFailed
from support_portal.testkit.factories import make_org, make_ticket, make_user, principal

MON = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
NOW = MON + timedelta(days=9)  # Wednesday of the next week


@pytest.fixture
def seeded(session):
    manager = make_user(session, "manager", name="Morgan Manager")
    alex = make_user(session, "agent", name="Alex Agent")
    sam = make_user(session, "agent", name="Sam Agent")
    acme = make_org(session, name="Acme")
    beta = make_org(session, name="Beta")
    ann = make_user(session, "client", organization=acme)
    bob = make_user(session, "client", organization=beta)

    def ticket(when, requester, *, assignee=None, answered=None, status=None, **kw):
        """A ticket driven through the services: opened at `when`, assigned, answered with a
        public update at `answered`, then moved to `status` (a list of (status, time))."""
        t = make_ticket(session, requester=requester, agent=alex, now=when, **kw)
        if assignee is not None:
            tickets.assign(
                session=session,
                principal=principal(manager),
                ticket=t,
                assignee_id=assignee.id,
                now=when,
            )
        actor = principal(assignee or alex)
        if answered is not None:
            tickets.post_update(
                session=session, principal=actor, ticket=t, body="Looking into it.", now=answered
            )
        for to, at in status or []:
            if to == "closed":
                tickets.confirm_fix(
                    session=session, principal=principal(requester), ticket=t, now=at
                )
            else:
                tickets.change_status(session=session, principal=actor, ticket=t, to=to, now=at)
        return t

    # Week 1 (Mon 2 March): three tickets, first response due in 24 business hours (normal).
    ticket(
        MON,
        ann,
        assignee=alex,
        answered=MON + timedelta(hours=2),
        status=[
            ("in_progress", MON + timedelta(hours=2)),
            ("resolved", MON + timedelta(hours=20)),
            ("closed", MON + timedelta(days=1)),
        ],
    )
    ticket(
        MON + timedelta(hours=1),
        ann,
        category="Configuration",
        affected_area="Calendars",
        assignee=alex,
        answered=MON + timedelta(days=5),
        status=[("in_progress", MON + timedelta(days=5))],
    )  # answered on Saturday, after three working days: breached
    ticket(MON + timedelta(days=1), bob)  # never answered, due passed: breached
    # Week 2 (Mon 9 March): two tickets.
    ticket(
        MON + timedelta(days=7),
        bob,
        affected_area="Calendars",
        assignee=sam,
        answered=MON + timedelta(days=7, hours=4),
        status=[("waiting_on_client", MON + timedelta(days=7, hours=4))],
    )
    ticket(NOW - timedelta(hours=2), ann)  # not yet due: undecided
    # Before the range: counted only in the backlog (still open).
    ticket(
        MON - timedelta(days=20),
        bob,
        assignee=sam,
        status=[("in_progress", MON - timedelta(days=20))],
    )

    def chat(created, *, accepted=None, ended=None, ticket_id=None, status="ended"):
        session.add(
            ChatSession(
                organization_id=acme.id,
                client_id=ann.id,
                status=status,
                created_at=created,
                accepted_at=accepted,
                ended_at=ended,
                ticket_id=ticket_id,
            )
        )

    chat(MON, accepted=MON + timedelta(minutes=1), ended=MON + timedelta(minutes=10))
    chat(
        MON + timedelta(hours=1),
        accepted=MON + timedelta(hours=1),
        ended=MON + timedelta(hours=1, minutes=40),
        ticket_id=1,
    )
    # Ten minutes in the queue, ten with an agent: past 15 minutes for the client.
    chat(
        MON + timedelta(hours=2),
        accepted=MON + timedelta(hours=2, minutes=10),
        ended=MON + timedelta(hours=2, minutes=20),
    )
    chat(MON + timedelta(days=8), accepted=MON + timedelta(days=8), status="active")  # still on
    session.commit()
    return principal(manager)


def build(session, who, start=date(2026, 3, 2), end=date(2026, 3, 11)):
    return reports.build_report(session=session, principal=who, start=start, end=end, now=NOW)


def test_opened_and_closed_per_day(session, seeded):
    volume = build(session, seeded).charts["volume"]
    assert len(volume) == 10
    by_day = {r["day"]: (r["opened"], r["closed"]) for r in volume}
    assert by_day["2026-03-02"] == (2, 0)
    assert by_day["2026-03-03"] == (1, 1)
    assert by_day["2026-03-09"] == (1, 0)
    assert by_day["2026-03-11"] == (1, 0)
    assert sum(o for o, _ in by_day.values()) == 5


def test_first_response_time_and_sla_compliance_by_week(session, seeded):
    weeks = build(session, seeded).charts["first_response"]
    assert weeks == [
        {
            "week": "2026-03-02",
            "tickets": 3,
            "responded": 2,
            "avg_first_response_hours": 60.5,
            "sla_met": 1,
            "sla_breached": 2,
            "sla_compliance_pct": 33.3,
        },
        {
            "week": "2026-03-09",
            "tickets": 2,
            "responded": 1,
            "avg_first_response_hours": 4.0,
            "sla_met": 1,
            "sla_breached": 0,
            "sla_compliance_pct": 100.0,
        },
    ]


def test_backlog_by_age_counts_open_tickets_today(session, seeded):
    backlog = build(session, seeded).charts["backlog"]
    assert backlog == [
        {"age": "Under 1 day", "tickets": 1},
        {"age": "1-3 days", "tickets": 1},
        {"age": "3-7 days", "tickets": 0},
        {"age": "7-14 days", "tickets": 2},
        {"age": "Over 14 days", "tickets": 1},
    ]


def test_tickets_by_category_area_and_organization(session, seeded):
    charts = build(session, seeded).charts
    assert charts["by_category"] == [
        {"name": "Bug", "tickets": 4},
        {"name": "Configuration", "tickets": 1},
    ]
    assert (
        charts["by_area"]
        == [
            {"name": "Calendars", "tickets": 2},
            {"name": "Workflows", "tickets": 3},
        ][::-1]
    )
    assert charts["by_organization"] == [
        {"name": "Acme", "tickets": 3},
        {"name": "Beta", "tickets": 2},
    ]


def test_each_agents_load(session, seeded):
    assert build(session, seeded).charts["agent_load"] == [
        {"agent": "Alex Agent", "open_tickets": 1, "resolved_in_range": 1},
        {"agent": "Sam Agent", "open_tickets": 2, "resolved_in_range": 0},
    ]


def test_chats_converted_and_past_the_escalation_threshold(session, seeded, settings_env):
    chats = {r["day"]: r for r in build(session, seeded).charts["chats"]}
    assert chats["2026-03-02"] == {
        "day": "2026-03-02",
        "chats": 3,
        "converted_to_ticket": 1,
        "over_threshold": 2,
    }
    # Still going since Tuesday: past 15 minutes now.
    assert chats["2026-03-10"]["over_threshold"] == 1
    settings_env(CHAT_ESCALATION_MINUTES="5")
    assert build(session, seeded).charts["chats"][0]["over_threshold"] == 3


def test_the_date_range_limits_what_is_counted(session, seeded):
    charts = build(session, seeded, start=date(2026, 3, 9), end=date(2026, 3, 9)).charts
    assert charts["volume"] == [{"day": "2026-03-09", "opened": 1, "closed": 0}]
    assert charts["by_organization"] == [{"name": "Beta", "tickets": 1}]
    with pytest.raises(ValidationFailed):
        build(session, seeded, start=date(2026, 3, 9), end=date(2026, 3, 1))


def test_only_managers_see_reports(session, seeded):
    agent = make_user(session, "agent")
    with pytest.raises(Forbidden):
        build(session, principal(agent))


def test_csv_has_a_header_and_one_line_per_row(session, seeded):
    text = reports.to_csv(build(session, seeded).charts["by_organization"])
    assert text.splitlines() == ["name,tickets", "Acme,3", "Beta,2"]


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil.example","Open")', "+1+2", "-2+3", "@SUM(A1)"],
)
def test_an_organization_name_a_spreadsheet_would_run_is_written_as_text(session, name):
    manager = make_user(session, "manager")
    org = make_org(session, name=name)
    make_ticket(session, requester=make_user(session, "client", organization=org), now=MON)
    session.commit()
    report = reports.build_report(
        session=session, principal=principal(manager), start=MON.date(), end=NOW.date(), now=NOW
    )
    rows = list(csv.reader(io.StringIO(reports.to_csv(report.charts["by_organization"]))))
    assert rows[1][0] == "'" + name
    assert rows[1][1] == "1"  # counts stay numbers


def test_a_cell_starting_with_a_tab_or_carriage_return_is_written_as_text():
    text = reports.to_csv([{"name": "\tcmd", "area": "\rx", "tickets": -3}])
    assert list(csv.reader(io.StringIO(text)))[1] == ["'\tcmd", "'\rx", "-3"]


# Days in the agency's zone (America/New_York by default).
NEW_YORK = ZoneInfo("America/New_York")


def new_york(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK).astimezone(UTC)


@pytest.fixture
def desk(session):
    """A manager, an agent and a client, with no tickets yet."""
    manager = make_user(session, "manager")
    agent = make_user(session, "agent")
    client = make_user(session, "client", organization=make_org(session, name="Acme"))
    session.commit()

    def ticket(when: datetime, **kw):
        return make_ticket(session, requester=client, agent=agent, now=when, **kw)

    def chat(when: datetime) -> None:
        session.add(
            ChatSession(
                organization_id=client.organization_id,
                client_id=client.id,
                status="ended",
                created_at=when,
                accepted_at=when,
                ended_at=when + timedelta(minutes=5),
            )
        )

    return principal(manager), ticket, chat


def report(session, who, start: date, end: date, now: datetime) -> reports.Report:
    return reports.build_report(session=session, principal=who, start=start, end=end, now=now)


def test_a_ticket_opened_late_in_the_evening_counts_on_that_agency_day(session, desk):
    who, ticket, chat = desk
    tuesday = date(2026, 3, 3)
    late = new_york(tuesday, 21, 30)  # 02:30 UTC on Wednesday
    t = ticket(late)
    t.status, t.closed_at = "closed", new_york(tuesday, 23, 45)
    chat(late)
    session.commit()

    charts = report(session, who, tuesday, tuesday + timedelta(days=1), late).charts

    assert charts["volume"] == [
        {"day": "2026-03-03", "opened": 1, "closed": 1},
        {"day": "2026-03-04", "opened": 0, "closed": 0},
    ]
    assert [(r["day"], r["chats"]) for r in charts["chats"]] == [
        ("2026-03-03", 1),
        ("2026-03-04", 0),
    ]
    # The download holds the chart's rows.
    assert reports.to_csv(charts["volume"]).splitlines() == [
        "day,opened,closed",
        "2026-03-03,1,1",
        "2026-03-04,0,0",
    ]


def test_a_sunday_evening_ticket_belongs_to_the_week_it_was_opened_in(session, desk):
    who, ticket, _ = desk
    ticket(new_york(date(2026, 3, 1), 22))  # Sunday 22:00, Monday 03:00 in UTC
    session.commit()

    weeks = report(session, who, date(2026, 2, 23), date(2026, 3, 8), NOW).charts["first_response"]

    assert [(w["week"], w["tickets"]) for w in weeks] == [("2026-02-23", 1)]


def test_the_range_runs_from_agency_midnight_to_agency_midnight(session, desk):
    who, ticket, chat = desk
    start, end = date(2026, 3, 4), date(2026, 3, 5)
    outside = [
        new_york(start - timedelta(days=1), 23, 59),  # the evening before: 04:59 UTC on the 4th
        new_york(end + timedelta(days=1), 0, 0),  # the next day's first minute
    ]
    inside = [
        new_york(start, 0, 0),
        new_york(end, 20, 0),  # 01:00 UTC on the day after
        new_york(end, 23, 59),
    ]
    for when in outside + inside:
        ticket(when)
        chat(when)
    session.commit()

    charts = report(session, who, start, end, NOW).charts

    assert [(r["day"], r["opened"]) for r in charts["volume"]] == [
        ("2026-03-04", 1),
        ("2026-03-05", 2),
    ]
    assert [(r["day"], r["chats"]) for r in charts["chats"]] == [
        ("2026-03-04", 1),
        ("2026-03-05", 2),
    ]
    assert charts["by_organization"] == [{"name": "Acme", "tickets": 3}]
    assert sum(r["tickets"] for r in charts["by_category"]) == 3
    assert sum(w["tickets"] for w in charts["first_response"]) == 3


@pytest.mark.parametrize(
    ("sunday", "hours"),
    [(date(2026, 3, 8), 23), (date(2026, 11, 1), 25)],
    ids=["clocks-forward", "clocks-back"],
)
def test_a_week_when_the_clocks_change_counts_every_ticket_once(session, desk, sunday, hours):
    who, ticket, chat = desk
    saturday, monday = sunday - timedelta(days=1), sunday + timedelta(days=1)
    # One ticket and one chat every hour, from Saturday's first minute to Monday's last.
    first, last = new_york(saturday, 0, 30), new_york(monday, 23, 30)
    when = first
    made = 0
    while when <= last:
        ticket(when)
        chat(when)
        made += 1
        when += timedelta(hours=1)
    session.commit()

    charts = report(session, who, saturday, monday, last + timedelta(hours=1)).charts

    assert made == 24 + hours + 24
    assert [(r["day"], r["opened"]) for r in charts["volume"]] == [
        (saturday.isoformat(), 24),
        (sunday.isoformat(), hours),
        (monday.isoformat(), 24),
    ]
    assert [r["chats"] for r in charts["chats"]] == [24, hours, 24]
    assert [(w["week"], w["tickets"]) for w in charts["first_response"]] == [
        ((sunday - timedelta(days=6)).isoformat(), 24 + hours),
        (monday.isoformat(), 24),
    ]
    assert charts["by_organization"] == [{"name": "Acme", "tickets": made}]


def test_the_default_range_ends_on_the_agency_day(settings_env):
    evening = new_york(date(2026, 3, 3), 21)  # already Wednesday in UTC
    assert reports.default_range(evening) == (date(2026, 2, 2), date(2026, 3, 3))
    settings_env(AGENCY_TIMEZONE="Asia/Tokyo")
    assert reports.default_range(evening) == (date(2026, 2, 3), date(2026, 3, 4))


def test_days_follow_the_configured_agency_zone(session, desk, settings_env):
    who, ticket, _ = desk
    ticket(datetime(2026, 3, 3, 20, 0, tzinfo=UTC))  # 15:00 in New York, 05:00 next day in Tokyo
    session.commit()
    start, end = date(2026, 3, 3), date(2026, 3, 4)

    in_new_york = report(session, who, start, end, NOW).charts["volume"]
    settings_env(AGENCY_TIMEZONE="Asia/Tokyo")
    in_tokyo = report(session, who, start, end, NOW).charts["volume"]

    assert [r["opened"] for r in in_new_york] == [1, 0]
    assert [r["opened"] for r in in_tokyo] == [0, 1]


# SLA outcomes stored as tickets move through the services

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York


def _hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


def test_resolution_compliance_comes_from_what_was_stored_when_each_ticket_was_resolved(
    session,
):
    manager = make_user(session, "manager")
    agent = make_user(session, "agent")
    who = principal(agent)

    def opened(priority: str):
        t = make_ticket(session, agent=agent, now=T0, priority=priority)
        tickets.post_update(
            session=session, principal=who, ticket=t, body="On it.", now=_hours(0.5)
        )
        return t

    quick = opened("normal")  # 40 business hours: resolved on Tuesday, met
    tickets.change_status(
        session=session, principal=who, ticket=quick, to="resolved", now=_hours(24)
    )
    late = opened("urgent")  # 8 business hours: resolved on Thursday, breached
    tickets.change_status(
        session=session, principal=who, ticket=late, to="resolved", now=_hours(72)
    )
    # Resolved in time, reopened by the client, resolved again in time: met once, not twice.
    again = opened("normal")
    tickets.change_status(
        session=session, principal=who, ticket=again, to="resolved", now=_hours(2)
    )
    tickets.reopen(
        session=session,
        principal=principal(session.get(User, again.requester_id)),
        ticket=again,
        reason="Still skipped",
        now=_hours(3),
    )
    tickets.change_status(
        session=session, principal=who, ticket=again, to="resolved", now=_hours(5)
    )
    opened("urgent")  # never resolved, long overdue by now: breached
    session.commit()

    [week] = reports.build_report(
        session=session,
        principal=principal(manager),
        start=date(2026, 3, 2),
        end=date(2026, 3, 11),
        now=T0 + timedelta(days=9),
    ).charts["resolution"]
    assert week == {
        "week": "2026-03-02",
        "tickets": 4,
        "resolved": 3,
        "sla_met": 2,
        "sla_breached": 2,
        "sla_compliance_pct": 50.0,
    }
    # Every first response came half an hour in: met, even for urgent tickets (1 hour).
    [fr] = reports.build_report(
        session=session,
        principal=principal(manager),
        start=date(2026, 3, 2),
        end=date(2026, 3, 11),
        now=T0 + timedelta(days=9),
    ).charts["first_response"]
    assert (fr["sla_met"], fr["sla_breached"]) == (4, 0)


def test_the_update_promise_counts_covered_time_and_silences_per_agent(session):
    manager = make_user(session, "manager")
    alex = make_user(session, "agent", name="Alex Agent")
    sam = make_user(session, "agent", name="Sam Agent")

    def held_by(agent):
        t = make_ticket(session, agent=agent, now=T0)
        tickets.assign(
            session=session, principal=principal(manager), ticket=t, assignee_id=agent.id, now=T0
        )
        return t

    def update(agent, t, at):
        tickets.post_update(
            session=session, principal=principal(agent), ticket=t, body="Progress.", now=at
        )

    # Alex: an update after 10 hours, then 60 hours of silence (48 covered), resolved 10 later.
    a = held_by(alex)
    update(alex, a, _hours(10))
    update(alex, a, _hours(70))
    tickets.change_status(
        session=session, principal=principal(alex), ticket=a, to="resolved", now=_hours(80)
    )
    # Alex again: asks the client after an hour; the days waiting on them do not count; the
    # client answers at 80 hours and the clock runs again until now (90 hours).
    c = held_by(alex)
    tickets.change_status(
        session=session,
        principal=principal(alex),
        ticket=c,
        to="waiting_on_client",
        reason="Which workflow is it?",
        now=_hours(1),
    )
    tickets.add_client_details(
        session=session,
        principal=principal(session.get(User, c.requester_id)),
        ticket=c,
        body="The reminders workflow.",
        now=_hours(80),
    )
    # Sam: an update every day, the last 42 hours ago: never silent.
    b = held_by(sam)
    update(sam, b, _hours(24))
    update(sam, b, _hours(48))
    session.commit()

    rows = reports.build_report(
        session=session,
        principal=principal(manager),
        start=date(2026, 3, 2),
        end=date(2026, 3, 6),
        now=_hours(90),
    ).charts["update_promise"]
    assert rows == [
        {
            "agent": "Alex Agent",
            "open_hours": 91.0,
            "covered_hours": 79.0,
            "covered_pct": 86.8,
            "silences_over_48h": 1,
        },
        {
            "agent": "Sam Agent",
            "open_hours": 90.0,
            "covered_hours": 90.0,
            "covered_pct": 100.0,
            "silences_over_48h": 0,
        },
    ]
