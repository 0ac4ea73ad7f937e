"""Systemic issues and problems on a real database: managers hear once about a new
candidate, a problem update reaches every linked ticket once and each client once, resolving
the problem resolves the tickets, and no client sees another organization's ticket."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.jobs import runner, systemic_job
from support_portal.models import (
    Notification,
    Problem,
    ProblemTicket,
    SystemicCandidate,
    Ticket,
    TicketEvent,
)
from support_portal.services import problems, systemic, tickets
from support_portal.services.errors import Forbidden, NotFound, ValidationFailed
from support_portal.testkit.factories import good_draft, make_org, make_ticket, make_user, principal

PARAPHRASES = [
    dict(title="Appointment reminder workflow skips the SMS step"),
    dict(
        title="Reminder texts not sent by our appointment workflow",
        happened_instead="the reminder text step is skipped and nobody gets the SMS",
        error_messages="SMS action skipped - no valid phone number",
    ),
    dict(
        title="Workflow reminder SMS step is being skipped",
        tried_to_do="have the workflow text clients a reminder the day before their appointment",
    ),
    dict(title="Our appointment reminder SMS stopped going out from the workflow"),
]
UNRELATED = dict(
    title="Invoice PDF shows the wrong tax rate",
    tried_to_do="download the March invoice as a PDF for our accountant",
    happened_instead="the PDF lists tax at 0 percent while the invoice page shows 8 percent",
    steps_to_reproduce="Open Billing, Invoices, March, Download PDF",
    error_messages="",
    affected_area="Billing",
)


@pytest.fixture
def world(session, clock):
    """A manager, an agent, and four client organizations with one client each."""
    manager = make_user(session, "manager")
    agent = make_user(session, "agent")
    orgs = [make_org(session, name=f"Org {n}") for n in range(4)]
    clients = [make_user(session, "client", organization=o) for o in orgs]
    session.commit()
    return dict(manager=manager, agent=agent, orgs=orgs, clients=clients)


def reminder_tickets(session, clock, world, count=3):
    made = []
    for k in range(count):
        clock.advance(hours=1)
        made.append(
            make_ticket(
                session,
                requester=world["clients"][k],
                agent=world["agent"],
                now=clock(),
                **PARAPHRASES[k],
            )
        )
    session.commit()
    return made


def systemic_notifications(session):
    return session.exec(select(Notification).where(Notification.kind == "systemic_issue")).all()


def test_similar_tickets_from_three_organizations_become_a_candidate_announced_once(
    session, clock, world
):
    made = reminder_tickets(session, clock, world)
    make_ticket(
        session, requester=world["clients"][3], agent=world["agent"], now=clock(), **UNRELATED
    )
    session.commit()

    assert systemic.detect_systemic_issues(session=session, now=clock()) == 1
    session.commit()
    [candidate] = session.exec(select(SystemicCandidate)).all()
    assert candidate.ticket_ids == sorted(t.id for t in made)
    assert candidate.organization_ids == sorted(o.id for o in world["orgs"][:3])
    assert candidate.affected_area == "Workflows"
    assert "reminder" in candidate.shared_terms
    [note] = systemic_notifications(session)
    assert note.recipient_user_id == world["manager"].id
    assert "3 clients" in note.subject

    # Running again, and again after a fourth client's similar ticket, announces nothing new.
    assert systemic.detect_systemic_issues(session=session, now=clock()) == 0
    clock.advance(hours=2)
    fourth = make_ticket(
        session, requester=world["clients"][3], agent=world["agent"], now=clock(), **PARAPHRASES[3]
    )
    session.commit()
    assert systemic.detect_systemic_issues(session=session, now=clock()) == 0
    session.commit()
    [candidate] = session.exec(select(SystemicCandidate)).all()
    assert fourth.id in candidate.ticket_ids and len(candidate.organization_ids) == 4
    assert len(systemic_notifications(session)) == 1


def test_two_organizations_are_not_enough_by_default_but_the_setting_lowers_the_bar(
    session, clock, world, settings_env
):
    reminder_tickets(session, clock, world, count=2)
    assert systemic.detect_systemic_issues(session=session, now=clock()) == 0
    settings_env(SYSTEMIC_MIN_ORGS="2")
    assert systemic.detect_systemic_issues(session=session, now=clock()) == 1


def test_tickets_more_than_a_week_apart_are_not_a_candidate(session, clock, world):
    reminder_tickets(session, clock, world)
    assert systemic.detect_systemic_issues(session=session, now=clock() + timedelta(days=8)) == 0


def test_the_detection_job_is_registered_and_runs(session, clock, world):
    reminder_tickets(session, clock, world)
    assert "detect_systemic" in dict(runner.registered_jobs())
    systemic_job._last.clear()
    assert systemic_job.detect_systemic(session, clock()) == 1
    assert len(session.exec(select(SystemicCandidate)).all()) == 1


def declared(session, clock, world):
    made = reminder_tickets(session, clock, world)
    systemic.detect_systemic_issues(session=session, now=clock())
    [candidate] = session.exec(select(SystemicCandidate)).all()
    problem = problems.declare_problem(
        session=session,
        principal=principal(world["manager"]),
        title="SMS reminders skipped by workflows",
        candidate_id=candidate.id,
        now=clock(),
    )
    session.commit()
    return problem, made, candidate


def test_declaring_a_problem_from_a_candidate_links_its_tickets(session, clock, world):
    problem, made, candidate = declared(session, clock, world)
    links = session.exec(select(ProblemTicket)).all()
    assert {link.ticket_id for link in links} == {t.id for t in made}
    assert candidate.status == "declared" and candidate.problem_id == problem.id
    for ticket in made:
        kinds = [
            e.kind
            for e in session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
        ]
        assert "linked_to_problem" in kinds


def test_only_a_manager_declares_a_problem(session, clock, world):
    made = reminder_tickets(session, clock, world)
    for who in (world["agent"], world["clients"][0]):
        with pytest.raises(Forbidden):
            problems.declare_problem(
                session=session,
                principal=principal(who),
                title="x",
                ticket_ids=[made[0].id],
                now=utcnow(),
            )


def test_a_manager_declares_a_problem_from_hand_picked_tickets(session, clock, world):
    made = reminder_tickets(session, clock, world)
    problem = problems.declare_problem(
        session=session,
        principal=principal(world["manager"]),
        title="Reminder SMS",
        ticket_ids=[made[0].id, made[2].id],
        now=clock(),
    )
    session.commit()
    linked = {link.ticket_id for link in session.exec(select(ProblemTicket)).all()}
    assert linked == {made[0].id, made[2].id}
    assert problem.affected_area == "Workflows"


def test_a_problem_update_reaches_every_linked_ticket_once_and_each_client_once(
    session, clock, world
):
    problem, made, _ = declared(session, clock, world)
    # The first client has a second linked ticket: still one message for them.
    extra = make_ticket(
        session, requester=world["clients"][0], agent=world["agent"], now=clock(), **PARAPHRASES[3]
    )
    problems.link_ticket_to_problem(
        session=session,
        principal=principal(world["agent"]),
        problem_id=problem.id,
        ticket_id=extra.id,
        now=clock(),
    )
    session.commit()
    before = {n.id for n in session.exec(select(Notification)).all()}

    clock.advance(hours=1)
    count = problems.post_problem_update(
        session=session,
        principal=principal(world["manager"]),
        problem_id=problem.id,
        body="The SMS provider fixed the number check; reminders resume tonight.",
        now=clock(),
    )
    session.commit()

    assert count == 4
    updates = session.exec(select(TicketEvent).where(TicketEvent.kind == "problem_update")).all()
    assert sorted(e.ticket_id for e in updates) == sorted([*(t.id for t in made), extra.id])
    assert all(e.is_public for e in updates)
    sent = [
        n
        for n in session.exec(select(Notification).where(Notification.kind == "problem_update"))
        if n.id not in before
    ]
    recipients = [n.recipient_user_id for n in sent if n.channel == "email"]
    assert sorted(recipients) == sorted(c.id for c in world["clients"][:3])
    for ticket in [*made, extra]:
        assert ticket.last_public_update_at == clock()


def test_a_problem_update_carries_no_other_organization_to_the_client(session, clock, world):
    problem, made, _ = declared(session, clock, world)
    problems.post_problem_update(
        session=session,
        principal=principal(world["manager"]),
        problem_id=problem.id,
        body="We found the cause.",
        now=clock(),
    )
    session.commit()
    first_client = world["clients"][0]
    others = [t for t in made if t.organization_id != first_client.organization_id]
    other_words = {str(t.number) for t in others} | {o.name for o in world["orgs"][1:]}
    events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == made[0].id)).all()
    public = [e for e in events if e.is_public]
    for event in public:
        assert not any(word in str(event.data) for word in other_words)
    [mail] = session.exec(
        select(Notification).where(
            Notification.kind == "problem_update",
            Notification.recipient_user_id == first_client.id,
            Notification.channel == "email",
        )
    ).all()
    assert not any(word in mail.body_text + mail.body_html for word in other_words)


def test_a_client_cannot_reach_another_organizations_ticket_through_a_problem(
    session, clock, world
):
    problem, made, _ = declared(session, clock, world)
    client = principal(world["clients"][0])
    with pytest.raises(NotFound):
        tickets.get_ticket_by_id(session=session, principal=client, ticket_id=made[1].id)
    for call in (
        lambda: problems.list_problems(session=session, principal=client),
        lambda: problems.post_problem_update(
            session=session, principal=client, problem_id=problem.id, body="hi", now=utcnow()
        ),
        lambda: problems.resolve_problem(
            session=session, principal=client, problem_id=problem.id, now=utcnow()
        ),
        lambda: problems.similar_open_tickets(
            session=session, principal=client, draft_or_ticket=made[0]
        ),
        lambda: problems.link_ticket_to_problem(
            session=session,
            principal=client,
            problem_id=problem.id,
            ticket_id=made[0].id,
            now=utcnow(),
        ),
        lambda: systemic.list_candidates(session=session, principal=client),
    ):
        with pytest.raises(Forbidden):
            call()


def test_resolving_a_problem_resolves_each_linked_ticket_waiting_for_its_client(
    session, clock, world
):
    problem, made, _ = declared(session, clock, world)
    tickets.change_status(
        session=session,
        principal=principal(world["agent"]),
        ticket=made[1],
        to="in_progress",
        now=utcnow(),
    )
    session.commit()
    clock.advance(hours=1)
    assert (
        problems.resolve_problem(
            session=session,
            principal=principal(world["manager"]),
            problem_id=problem.id,
            note="The provider fixed it.",
            now=clock(),
        )
        == 3
    )
    session.commit()
    assert {session.get(Ticket, t.id).status for t in made} == {"resolved"}
    assert session.get(Problem, problem.id).status == "resolved"
    resolved_mails = session.exec(
        select(Notification).where(Notification.kind == "ticket_resolved")
    ).all()
    assert {n.recipient_user_id for n in resolved_mails} == {c.id for c in world["clients"][:3]}
    # Each client still confirms their own fix.
    tickets.confirm_fix(
        session=session, principal=principal(world["clients"][0]), ticket=made[0], now=clock()
    )
    assert made[0].status == "closed" and made[1].status == "resolved"


def test_similar_open_tickets_for_a_draft_name_the_problem_they_belong_to(session, clock, world):
    problem, made, _ = declared(session, clock, world)
    make_ticket(session, requester=world["clients"][3], agent=world["agent"], **UNRELATED)
    session.commit()
    draft = good_draft(**PARAPHRASES[3])
    results = problems.similar_open_tickets(
        session=session, principal=principal(world["agent"]), draft_or_ticket=draft
    )
    assert {r.ticket_id for r in results} == {t.id for t in made}
    assert all(r.problem_id == problem.id for r in results)
    assert results == sorted(results, key=lambda r: -r.score)


def test_new_similar_tickets_are_suggested_for_an_open_problem(session, clock, world):
    problem, made, _ = declared(session, clock, world)
    newcomer = make_ticket(
        session, requester=world["clients"][3], agent=world["agent"], now=clock(), **PARAPHRASES[3]
    )
    make_ticket(session, requester=world["clients"][3], agent=world["agent"], **UNRELATED)
    session.commit()
    [view] = problems.list_problems(session=session, principal=principal(world["manager"]))
    assert [s.ticket_id for s in view.suggestions] == [newcomer.id]
    assert {t.ticket_id for t in view.tickets} == {t.id for t in made}


def test_a_problem_can_be_declared_from_ticket_numbers_and_unknown_numbers_are_named(
    session, clock, world
):
    made = reminder_tickets(session, clock, world)
    manager = principal(world["manager"])
    with pytest.raises(ValidationFailed) as err:
        problems.declare_problem(
            session=session,
            principal=manager,
            title="x",
            ticket_numbers=[made[0].number, 99999],
            now=utcnow(),
        )
    assert "#99999" in err.value.errors["tickets"]
    problem = problems.declare_problem(
        session=session,
        principal=manager,
        title="Reminder SMS",
        ticket_numbers=[made[0].number, made[1].number],
        now=utcnow(),
    )
    session.commit()
    assert [
        t.ticket_id for t in problems.list_problems(session=session, principal=manager)[0].tickets
    ] == [
        made[0].id,
        made[1].id,
    ]
    assert problem.status == "open"


def test_linking_a_new_ticket_to_a_similar_one_joins_its_problem_or_notes_both(
    session, clock, world
):
    problem, made, _ = declared(session, clock, world)
    agent = principal(world["agent"])
    newcomer = make_ticket(
        session, requester=world["clients"][3], agent=world["agent"], now=clock(), **PARAPHRASES[3]
    )
    loose = make_ticket(session, requester=world["clients"][3], agent=world["agent"], **UNRELATED)
    other = make_ticket(session, requester=world["clients"][2], agent=world["agent"], **UNRELATED)
    session.commit()
    assert (
        problems.link_related_ticket(
            session=session,
            principal=agent,
            ticket_id=newcomer.id,
            related_ticket_id=made[0].id,
            now=utcnow(),
        )
        == problem.id
    )
    assert session.get(ProblemTicket, (problem.id, newcomer.id)) is not None
    assert (
        problems.link_related_ticket(
            session=session,
            principal=agent,
            ticket_id=loose.id,
            related_ticket_id=other.id,
            now=utcnow(),
        )
        is None
    )
    session.commit()
    notes = session.exec(select(TicketEvent).where(TicketEvent.kind == "related_ticket")).all()
    assert {(e.ticket_id, e.data["ticket_id"]) for e in notes} == {
        (loose.id, other.id),
        (other.id, loose.id),
    }
    assert not any(e.is_public for e in notes)
    with pytest.raises(Forbidden):
        problems.link_related_ticket(
            session=session,
            principal=principal(world["clients"][3]),
            ticket_id=loose.id,
            related_ticket_id=other.id,
            now=utcnow(),
        )
