"""Ticket services on a real database: each change writes its event in the same
transaction, a forbidden change changes nothing, and the history replays to the status."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.domain.lifecycle import Status, TransitionNotAllowed, replay
from support_portal.models import Notification, Ticket, TicketEvent
from support_portal.services import attachments, tickets
from support_portal.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from support_portal.testkit.factories import good_draft, make_org, make_ticket, make_user, principal
from support_portal.testkit.files import PNG


def events(session, ticket, kind=None):
    q = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    rows = session.exec(q).all()
    return [e for e in rows if kind is None or e.kind == kind]


def test_creating_a_ticket_numbers_it_and_records_the_created_event_and_outbox(session, clock):
    ticket = make_ticket(session, now=clock())
    session.commit()
    assert ticket.number == 1000 + ticket.id
    assert ticket.status == "new" and ticket.version == 1
    [created] = events(session, ticket)
    assert created.kind == "created" and created.is_public
    kinds = {n.kind for n in session.exec(select(Notification)).all()}
    assert kinds == {"ticket_created_team", "ticket_created_client"}


def test_a_vague_ticket_is_refused_with_a_message_per_field(session):
    client = make_user(session, "client")
    agent = make_user(session, "agent")
    with pytest.raises(ValidationFailed) as err:
        tickets.create_ticket(
            session=session,
            principal=principal(agent),
            draft=good_draft(
                tried_to_do="it",
                happened_instead="doesn't work",
                steps_to_reproduce="",
                error_messages="",
            ),
            organization_id=client.organization_id,
            requester_id=client.id,
            now=utcnow(),
        )
    assert set(err.value.errors) == {"tried_to_do", "happened_instead", "steps_to_reproduce"}
    assert session.exec(select(Ticket)).first() is None


def test_a_client_cannot_create_tickets(session):
    client = make_user(session, "client")
    with pytest.raises(Forbidden):
        tickets.create_ticket(
            session=session,
            principal=principal(client),
            draft=good_draft(),
            organization_id=client.organization_id,
            requester_id=client.id,
            now=utcnow(),
        )


def test_status_change_writes_its_event_and_bumps_the_version(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, agent=agent, now=clock())
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to=Status.IN_PROGRESS,
        now=clock.advance(hours=1),
    )
    session.commit()
    assert ticket.status == "in_progress" and ticket.version == 2
    [change] = events(session, ticket, "status_changed")
    assert change.data["from"] == "new" and change.data["to"] == "in_progress"
    # A move the client got no message about does not answer them.
    assert ticket.first_response_at is None


def test_a_forbidden_change_raises_and_changes_nothing(session, clock):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, agent=agent, now=clock())
    session.commit()
    with pytest.raises(TransitionNotAllowed):
        tickets.change_status(
            session=session,
            principal=principal(agent),
            ticket=ticket,
            to=Status.CLOSED,
            now=utcnow(),
        )
    session.rollback()
    session.refresh(ticket)
    assert ticket.status == "new" and ticket.version == 1
    assert [e.kind for e in events(session, ticket)] == ["created"]


def test_a_stale_version_is_refused_with_a_clear_message(session):
    manager = make_user(session, "manager")
    ticket = make_ticket(session)
    with pytest.raises(Conflict, match="changed while you were looking"):
        tickets.set_priority(
            session=session,
            principal=principal(manager),
            ticket=ticket,
            priority="urgent",
            expected_version=ticket.version - 1,
            now=utcnow(),
        )


def test_a_client_sees_not_found_for_another_organizations_ticket(session):
    ticket = make_ticket(session)
    outsider = make_user(session, "client", organization=make_org(session))
    session.commit()
    with pytest.raises(NotFound) as other:
        tickets.get_ticket(session=session, principal=principal(outsider), number=ticket.number)
    with pytest.raises(NotFound) as missing:
        tickets.get_ticket(session=session, principal=principal(outsider), number=999999)
    assert str(other.value) == str(missing.value)


def test_client_confirms_a_resolved_ticket_and_it_closes(session, clock):
    client = make_user(session, "client")
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    tickets.assign(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        assignee_id=agent.id,
        now=clock(),
    )
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to=Status.RESOLVED,
        now=clock.advance(hours=2),
    )
    tickets.confirm_fix(
        session=session, principal=principal(client), ticket=ticket, now=clock.advance(hours=1)
    )
    session.commit()
    assert ticket.status == "closed" and ticket.closed_at == clock()
    [closed] = [e for e in events(session, ticket, "status_changed") if e.data["to"] == "closed"]
    assert closed.actor_id == client.id
    told = {
        n.kind for n in session.exec(select(Notification)).all() if n.recipient_user_id == agent.id
    }
    assert "fix_confirmed" in told


def test_still_broken_reopens_with_the_reason(session, clock):
    client = make_user(session, "client")
    agent = make_user(session, "agent")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    tickets.assign(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        assignee_id=agent.id,
        now=clock(),
    )
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to=Status.RESOLVED,
        now=clock.advance(hours=2),
    )
    with pytest.raises(ValidationFailed):
        tickets.reopen(
            session=session, principal=principal(client), ticket=ticket, reason=" ", now=utcnow()
        )
    tickets.reopen(
        session=session,
        principal=principal(client),
        ticket=ticket,
        reason="Reminders still skip the SMS step",
        now=clock.advance(hours=1),
    )
    assert ticket.status == "in_progress" and ticket.resolved_at is None
    [reopened] = events(session, ticket, "reopened")
    assert reopened.data["reason"] == "Reminders still skip the SMS step" and (
        reopened.actor_id == client.id
    )
    # The agent on the ticket is told.
    told = {
        n.kind for n in session.exec(select(Notification)).all() if n.recipient_user_id == agent.id
    }
    assert "ticket_reopened" in told


def test_an_agent_may_take_a_ticket_but_only_a_manager_assigns_others(session):
    agent = make_user(session, "agent")
    other = make_user(session, "agent")
    manager = make_user(session, "manager")
    ticket = make_ticket(session)
    tickets.assign(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        assignee_id=agent.id,
        now=utcnow(),
    )
    with pytest.raises(Forbidden):
        tickets.assign(
            session=session,
            principal=principal(agent),
            ticket=ticket,
            assignee_id=other.id,
            now=utcnow(),
        )
    tickets.assign(
        session=session,
        principal=principal(manager),
        ticket=ticket,
        assignee_id=other.id,
        now=utcnow(),
    )
    assert ticket.assignee_id == other.id
    assert [e.kind for e in events(session, ticket)][-2:] == ["assigned", "assigned"]


def test_internal_notes_are_not_public_and_do_not_notify_the_client(session):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, agent=agent)
    before = len(session.exec(select(Notification)).all())
    tickets.post_update(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        body="Suspect the release",
        internal=True,
        now=utcnow(),
    )
    [note] = events(session, ticket, "internal_note")
    assert not note.is_public
    assert len(session.exec(select(Notification)).all()) == before


STATUS_ST = st.sampled_from(list(Status))
ROLE_ST = st.sampled_from(["client", "agent", "manager"])


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(attempts=st.lists(st.tuples(STATUS_ST, ROLE_ST), max_size=12))
def test_any_sequence_of_attempts_leaves_events_that_replay_to_the_status(session, attempts):
    client = make_user(session, "client")
    people = {
        "client": client,
        "agent": make_user(session, "agent"),
        "manager": make_user(session, "manager"),
    }
    ticket = make_ticket(session, requester=client, agent=people["agent"])
    session.commit()
    for target, role in attempts:
        try:
            tickets.change_status(
                session=session,
                principal=principal(people[role]),
                ticket=ticket,
                to=target,
                now=utcnow(),
            )
            session.commit()
        except TransitionNotAllowed:
            session.rollback()
    session.refresh(ticket)
    history = [
        (e.data["from"], e.data["to"])
        for e in events(session, ticket)
        if e.kind in ("status_changed", "reopened")
    ]
    assert replay(history) == Status(ticket.status)


def test_two_simultaneous_moves_of_the_same_card_cannot_both_win(db_url, clock):
    """Both read version 1 and pass the version comparison; the database lets one write."""
    import threading

    from sqlalchemy.orm.exc import StaleDataError
    from sqlmodel import Session

    from support_portal.db import get_engine

    engine = get_engine(db_url)
    with Session(engine) as s:
        manager = make_user(s, "manager")
        ticket = make_ticket(s, now=clock())
        s.commit()
        who, tid = principal(manager), ticket.id
    barrier = threading.Barrier(2)
    outcome: list[str] = []

    def move(to: Status) -> None:
        with Session(engine) as s:
            t = tickets.get_ticket_by_id(session=s, principal=who, ticket_id=tid)
            barrier.wait()  # both have read version 1
            try:
                tickets.change_status(
                    session=s, principal=who, ticket=t, to=to, expected_version=1, now=clock()
                )
                s.commit()
                outcome.append(to.value)
            except StaleDataError:
                s.rollback()
                outcome.append("refused")

    threads = [
        threading.Thread(target=move, args=(to,))
        for to in (Status.IN_PROGRESS, Status.WAITING_ON_CLIENT)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcome) == 2 and outcome.count("refused") == 1
    with Session(engine) as s:
        final = s.get(Ticket, tid)
        assert final.version == 2 and final.status in outcome
        moves = [e for e in events(s, final) if e.kind == "status_changed"]
        assert len(moves) == 1 and moves[0].data["to"] == final.status


# A client's reply on a resolved or closed ticket


def _resolved(session, clock):
    agent = make_user(session, "agent")
    client = make_user(session, "client")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    tickets.assign(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        assignee_id=agent.id,
        now=clock(),
    )
    tickets.change_status(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        to=Status.RESOLVED,
        reason="The SMS step has a phone check now.",
        now=clock.advance(hours=2),
    )
    session.commit()
    return agent, client, ticket


def test_details_added_to_a_resolved_ticket_reopen_it_and_tell_the_team(session, clock):
    agent, client, ticket = _resolved(session, clock)
    tickets.add_client_details(
        session=session,
        principal=principal(client),
        ticket=ticket,
        body="Still skipping the SMS for new contacts.",
        now=clock.advance(hours=1),
    )
    session.commit()
    assert ticket.status == "in_progress" and ticket.resolved_at is None
    [reopened] = events(session, ticket, "reopened")
    assert reopened.data["from"] == "resolved" and reopened.actor_role == "client"
    told = session.exec(select(Notification).where(Notification.kind == "ticket_reopened")).all()
    assert [n.to_address for n in told] == [agent.email]


def test_a_thank_you_on_a_resolved_ticket_leaves_it_resolved(session, clock):
    _, client, ticket = _resolved(session, clock)
    tickets.add_client_details(
        session=session,
        principal=principal(client),
        ticket=ticket,
        body="Thanks, it works now!",
        now=clock.advance(hours=1),
    )
    session.commit()
    assert ticket.status == "resolved"
    assert len(events(session, ticket, "client_details")) == 1
    assert events(session, ticket, "reopened") == []


def _closed(session, clock):
    agent, client, ticket = _resolved(session, clock)
    tickets.confirm_fix(
        session=session, principal=principal(client), ticket=ticket, now=clock.advance(hours=1)
    )
    session.commit()
    return agent, client, ticket


def test_a_reply_within_the_reopen_window_reopens_a_closed_ticket(session, clock, settings_env):
    settings_env(REOPEN_CLOSED_DAYS="14")
    _, client, ticket = _closed(session, clock)
    result = tickets.add_client_details(
        session=session,
        principal=principal(client),
        ticket=ticket,
        body="It broke again after the weekend.",
        now=clock.advance(days=13),
    )
    session.commit()
    assert result.id == ticket.id
    assert ticket.status == "in_progress" and ticket.closed_at is None
    assert ticket.next_update_due_at is not None  # the clocks run again


def test_a_reply_after_the_window_starts_a_new_ticket_linked_to_the_closed_one(
    session, clock, settings_env
):
    settings_env(REOPEN_CLOSED_DAYS="14")
    _, client, old = _closed(session, clock)
    shot = attachments.store_attachment(
        session=session,
        principal=principal(client),
        filename="again.png",
        data=PNG,
        ticket_id=old.id,
        now=clock(),
    )
    new = tickets.add_client_details(
        session=session,
        principal=principal(client),
        ticket=old,
        body="The reminders stopped again this month.",
        attachment_ids=[shot.id],
        now=clock.advance(days=15),
    )
    session.commit()
    assert new.id != old.id and old.status == "closed"
    assert new.status == "new" and new.requester_id == client.id
    assert new.title.endswith(old.title)
    [link] = events(session, new, "follow_up_of")
    assert link.data["number"] == old.number
    [back] = events(session, old, "follow_up_opened")
    assert back.data["number"] == new.number
    [details] = events(session, new, "client_details")
    assert details.data["body"] == "The reminders stopped again this month."
    assert details.data["attachment_ids"] == [shot.id] and shot.ticket_id == new.id
    assert events(session, old, "client_details") == []
    created = session.exec(
        select(Notification).where(
            Notification.kind == "ticket_created_team", Notification.ticket_id == new.id
        )
    ).all()
    assert created, "the team hears of the new ticket"


# The team queue in the agent console


def _queue_world(session, clock):
    from support_portal.services import agent_tickets  # noqa: F401

    manager = make_user(session, "manager")
    alex = make_user(session, "agent", name="Alex Agent")
    sam = make_user(session, "agent", name="Sam Agent")
    start = clock()
    mine = make_ticket(session, agent=alex, now=start, title="Calendar sync drops bookings")
    tickets.assign(
        session=session, principal=principal(manager), ticket=mine, assignee_id=alex.id, now=start
    )
    tickets.post_update(
        session=session,
        principal=principal(alex),
        ticket=mine,
        body="Looking at the sync log.",
        now=clock.advance(hours=2),
    )
    theirs = make_ticket(session, agent=sam, now=start, title="Invoice emails bounce")
    tickets.assign(
        session=session, principal=principal(manager), ticket=theirs, assignee_id=sam.id, now=start
    )
    done = make_ticket(session, agent=alex, now=start, title="Old form bug")
    tickets.change_status(
        session=session, principal=principal(alex), ticket=done, to="resolved", now=start
    )
    now = clock.advance(hours=45)  # Thursday 09:00 in New York
    urgent = make_ticket(session, agent=sam, now=now, priority="urgent", title="Payments down")
    normal = make_ticket(session, agent=sam, now=now, title="Logo is blurry on invoices")
    session.commit()
    return manager, alex, sam, {"mine": mine, "urgent": urgent, "normal": normal}


def test_the_team_queue_holds_unassigned_and_own_tickets_by_what_falls_due_first(session, clock):
    from support_portal.services import agent_tickets

    _, alex, _, t = _queue_world(session, clock)
    rows = agent_tickets.team_queue(session=session, principal=principal(alex), now=clock())
    assert [r.number for r in rows] == [t["urgent"].number, t["mine"].number, t["normal"].number]
    urgent, mine, normal = rows
    assert urgent.assignee == "" and not urgent.mine
    assert urgent.next_due == "First response due in 1h 00m"
    assert mine.mine and mine.next_due == "Next update due in 3h 00m"
    assert mine.update_due_soon and not urgent.update_due_soon and not normal.update_due_soon
    assert any(d.startswith("Resolution due in") for d in mine.dues)


def test_taking_a_ticket_assigns_it_and_a_stale_take_says_who_took_it(session, clock):
    from support_portal.services import agent_tickets

    _, alex, sam, t = _queue_world(session, clock)
    seen_by_sam = {
        r.number: r.version
        for r in agent_tickets.team_queue(session=session, principal=principal(sam), now=clock())
    }
    number = t["urgent"].number
    agent_tickets.take_ticket(
        session=session,
        principal=principal(alex),
        number=number,
        expected_version=t["urgent"].version,
        now=clock.advance(minutes=1),
    )
    session.commit()
    assert t["urgent"].assignee_id == alex.id
    [taken] = events(session, t["urgent"], "assigned")
    assert taken.data["assignee"] == "Alex Agent"
    with pytest.raises(Conflict) as err:
        agent_tickets.take_ticket(
            session=session,
            principal=principal(sam),
            number=number,
            expected_version=seen_by_sam[number],
            now=clock.advance(minutes=1),
        )
    assert str(err.value) == f"Ticket #{number} was just taken by Alex Agent."
    assert t["urgent"].assignee_id == alex.id
    rows = agent_tickets.team_queue(session=session, principal=principal(sam), now=clock())
    assert number not in [r.number for r in rows]
