"""The team's use cases commit their whole change themselves, or nothing of it."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from support_portal import db as db_module
from support_portal.models import Attachment, ChatSession, ProblemTicket, Ticket
from support_portal.services import chat as chat_service
from support_portal.services import problems, team_actions
from support_portal.services.errors import NotFound, ValidationFailed
from support_portal.testkit.factories import good_draft, make_ticket, make_user, principal
from support_portal.testkit.files import PNG


@pytest.fixture
def people(session: Session):
    client, agent, manager = (make_user(session, r) for r in ("client", "agent", "manager"))
    session.commit()
    return {"client": principal(client), "agent": principal(agent), "manager": principal(manager)}


def _active_chat(session: Session, people, clock) -> ChatSession:
    chat = chat_service.start_chat(session=session, principal=people["client"], now=clock())
    chat_service.post_message(
        session=session,
        principal=people["client"],
        chat_id=chat.id,
        body="Appointment reminders stopped sending SMS",
        now=clock(),
    )
    chat_service.accept_chat(
        session=session, principal=people["agent"], chat_id=chat.id, now=clock()
    )
    return chat


def _fresh() -> Session:
    """Another connection: sees only what was committed."""
    return Session(db_module.get_engine(), expire_on_commit=False)


def test_a_chat_becomes_a_ticket_with_its_screenshot_and_the_chosen_problem_at_once(
    session, people, clock
):
    chat = _active_chat(session, people, clock)
    other = make_ticket(session, title="Reminders stopped for another client")
    session.commit()
    problem = problems.declare_problem(
        session=session,
        principal=people["manager"],
        title="SMS reminders down",
        ticket_ids=[other.id],
        now=clock(),
    )
    shot_id, _ = team_actions.add_screenshot(
        session=session,
        principal=people["agent"],
        chat_id=chat.id,
        filename="shot.png",
        data=PNG,
        now=clock(),
    )

    number = team_actions.convert_chat(
        session=session,
        principal=people["agent"],
        chat_id=chat.id,
        draft=good_draft(),
        attachment_ids=[shot_id],
        link_choice=f"problem:{problem.id}",
        now=clock(),
    )

    with _fresh() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
        assert s.get(ProblemTicket, (problem.id, ticket.id)) is not None
        assert s.get(Attachment, shot_id).ticket_id == ticket.id
        assert s.get(ChatSession, chat.id).status == "converted"


@pytest.mark.parametrize("choice", ["problem:999999", "nonsense"])
def test_a_conversion_whose_link_is_refused_keeps_the_chat_and_creates_no_ticket(
    session, people, clock, choice
):
    chat = _active_chat(session, people, clock)
    session.commit()
    with pytest.raises((NotFound, ValidationFailed)):
        team_actions.convert_chat(
            session=session,
            principal=people["agent"],
            chat_id=chat.id,
            draft=good_draft(),
            attachment_ids=[],
            link_choice=choice,
            now=clock(),
        )
    session.rollback()
    with _fresh() as s:
        assert s.exec(select(Ticket)).all() == []
        assert s.get(ChatSession, chat.id).status == "active"
