"""Live chat use cases: who may read, write and claim a chat, and turning it into a ticket."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from support_portal import db as db_module
from support_portal.clock import utcnow
from support_portal.domain.ticket_quality import TicketDraft
from support_portal.models import ChatMessage, ChatSession, Notification, TicketEvent
from support_portal.services import chat as chat_service
from support_portal.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from support_portal.testkit.factories import good_draft, make_user, principal


@pytest.fixture
def people(session: Session):
    client = make_user(session, "client")
    other_client = make_user(session, "client")
    agent = make_user(session, "agent")
    other_agent = make_user(session, "agent")
    manager = make_user(session, "manager")
    session.commit()
    return {
        "client": principal(client),
        "other_client": principal(other_client),
        "agent": principal(agent),
        "other_agent": principal(other_agent),
        "manager": principal(manager),
    }


def _waiting_chat(session: Session, people, clock) -> ChatSession:
    chat = chat_service.start_chat(session=session, principal=people["client"], now=clock())
    chat_service.post_message(
        session=session,
        principal=people["client"],
        chat_id=chat.id,
        body="Appointment reminders stopped sending SMS",
        client_msg_id="m1",
        now=clock(),
    )
    session.commit()
    return chat


def _active_chat(session: Session, people, clock) -> ChatSession:
    chat = _waiting_chat(session, people, clock)
    chat_service.accept_chat(
        session=session, principal=people["agent"], chat_id=chat.id, now=utcnow()
    )
    session.commit()
    return chat


def test_a_client_has_one_open_chat_at_a_time(session, people, clock):
    first = chat_service.start_chat(session=session, principal=people["client"], now=clock())
    second = chat_service.start_chat(session=session, principal=people["client"], now=clock())
    assert first.id == second.id


def test_only_a_client_can_start_a_chat(session, people):
    with pytest.raises(Forbidden):
        chat_service.start_chat(session=session, principal=people["agent"], now=utcnow())


def test_a_retried_message_is_stored_once(session, people, clock):
    chat = _waiting_chat(session, people, clock)
    chat_service.post_message(
        session=session,
        principal=people["client"],
        chat_id=chat.id,
        body="Appointment reminders stopped sending SMS",
        client_msg_id="m1",
        now=utcnow(),
    )
    session.commit()
    messages = session.exec(select(ChatMessage).where(ChatMessage.chat_id == chat.id)).all()
    assert len(messages) == 1
    assert chat.topic == "Appointment reminders stopped sending SMS"


def test_a_client_reading_another_clients_chat_is_refused(session, people, clock):
    chat = _waiting_chat(session, people, clock)
    with pytest.raises(NotFound):
        chat_service.get_transcript(
            session=session, principal=people["other_client"], chat_id=chat.id
        )
    with pytest.raises(NotFound):
        chat_service.post_message(
            session=session,
            principal=people["other_client"],
            chat_id=chat.id,
            body="hello",
            now=utcnow(),
        )
    with pytest.raises(NotFound):
        chat_service.join_chat(session=session, principal=people["other_client"], chat_id=chat.id)


def test_an_agent_cannot_act_on_a_chat_another_agent_holds(session, people, clock):
    chat = _active_chat(session, people, clock)
    other = people["other_agent"]
    with pytest.raises(Forbidden):
        chat_service.join_chat(session=session, principal=other, chat_id=chat.id)
    with pytest.raises(Forbidden):
        chat_service.post_message(
            session=session, principal=other, chat_id=chat.id, body="hi", now=utcnow()
        )
    with pytest.raises(Forbidden):
        chat_service.mark_resolved(session=session, principal=other, chat_id=chat.id, now=utcnow())
    with pytest.raises(Forbidden):
        chat_service.convert_to_ticket(
            session=session, principal=other, chat_id=chat.id, draft=good_draft(), now=utcnow()
        )
    with pytest.raises(Conflict, match="Another agent already took this chat"):
        chat_service.accept_chat(session=session, principal=other, chat_id=chat.id, now=utcnow())


def test_a_manager_can_act_on_a_chat_an_agent_holds(session, people, clock):
    chat = _active_chat(session, people, clock)
    manager = people["manager"]
    chat_service.join_chat(session=session, principal=manager, chat_id=chat.id)
    chat_service.post_message(
        session=session, principal=manager, chat_id=chat.id, body="Joining to help", now=utcnow()
    )
    chat_service.mark_resolved(session=session, principal=manager, chat_id=chat.id, now=utcnow())
    session.commit()
    assert chat.status == "resolved"


def test_two_agents_accepting_at_once_exactly_one_wins(session, people, clock, db_url):
    chat = _waiting_chat(session, people, clock)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim(who: str) -> None:
        with Session(db_module.get_engine(db_url), expire_on_commit=False) as s:
            barrier.wait()
            try:
                chat_service.accept_chat(
                    session=s, principal=people[who], chat_id=chat.id, now=utcnow()
                )
                s.commit()
                outcomes[who] = "won"
            except Conflict as exc:
                s.rollback()
                outcomes[who] = str(exc)

    threads = [threading.Thread(target=claim, args=(w,)) for w in ("agent", "other_agent")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["Another agent already took this chat.", "won"]
    winner = next(w for w, o in outcomes.items() if o == "won")
    session.expire_all()
    stored = session.get(ChatSession, chat.id)
    assert stored.agent_id == people[winner].user_id
    assert stored.status == "active"
    assert stored.version == 2


def test_waiting_chats_past_the_threshold_are_flagged_and_listed_first(
    session, people, clock, settings_env
):
    settings_env(CHAT_ESCALATION_MINUTES="15")
    old = _waiting_chat(session, people, clock)
    clock.advance(minutes=10)
    other_client = people["other_client"]
    chat_service.start_chat(session=session, principal=other_client, now=clock())
    session.commit()
    clock.advance(minutes=6)
    views = chat_service.list_waiting(session=session, principal=people["agent"], now=clock())
    assert [v.id for v in views][0] == old.id
    assert views[0].flagged and views[0].mm_ss == "16:00"
    assert views[0].flag_text == "15 minutes without resolution: convert to a ticket"
    assert not views[1].flagged


def test_a_vague_conversion_is_refused_field_by_field_and_changes_nothing(session, people, clock):
    chat = _active_chat(session, people, clock)
    vague = TicketDraft(title="Broken", tried_to_do="it", happened_instead="doesn't work")
    with pytest.raises(ValidationFailed) as refused:
        chat_service.convert_to_ticket(
            session=session, principal=people["agent"], chat_id=chat.id, draft=vague, now=utcnow()
        )
    assert {"title", "tried_to_do", "happened_instead", "steps_to_reproduce"} <= set(
        refused.value.errors
    )
    session.rollback()
    assert session.get(ChatSession, chat.id).status == "active"


def test_converting_a_chat_creates_the_ticket_with_its_transcript_and_tells_the_client(
    session, people, clock
):
    chat = _active_chat(session, people, clock)
    chat_service.post_message(
        session=session,
        principal=people["agent"],
        chat_id=chat.id,
        body="Let me check that",
        now=utcnow(),
    )
    ticket = chat_service.convert_to_ticket(
        session=session,
        principal=people["agent"],
        chat_id=chat.id,
        draft=good_draft(),
        now=utcnow(),
    )
    session.commit()
    assert ticket.source == "chat" and ticket.source_chat_id == chat.id
    assert chat.status == "converted" and chat.ticket_id == ticket.id
    created = session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "created")
    ).one()
    bodies = [m["body"] for m in created.data["transcript"]]
    assert bodies == ["Appointment reminders stopped sending SMS", "Let me check that"]
    transcript = chat_service.get_transcript(
        session=session, principal=people["client"], chat_id=chat.id
    )
    last = transcript[-1]
    assert last["sender_role"] == "system"
    assert f"#{ticket.number}" in last["body"]
    assert f"/client/tickets/{ticket.number}" in last["body"]
    assert "Expect a first response by" in last["body"]
    outbox = session.exec(select(Notification)).all()
    assert outbox, "the team and the client are notified through the outbox"


def test_an_agent_lists_their_own_tickets_and_sees_internal_notes_in_the_timeline(
    session, people, clock
):
    from support_portal.services import agent_tickets, tickets

    chat = _active_chat(session, people, clock)
    ticket = chat_service.convert_to_ticket(
        session=session,
        principal=people["agent"],
        chat_id=chat.id,
        draft=good_draft(),
        now=utcnow(),
    )
    tickets.post_update(
        session=session,
        principal=people["agent"],
        ticket=ticket,
        body="note",
        internal=True,
        now=utcnow(),
    )
    session.commit()
    mine = agent_tickets.list_assigned(session=session, principal=people["agent"])
    assert [t["number"] for t in mine] == [ticket.number]
    assert agent_tickets.list_assigned(session=session, principal=people["other_agent"]) == []
    kinds = [
        e["kind"]
        for e in agent_tickets.team_timeline(
            session=session, principal=people["agent"], ticket=ticket
        )
    ]
    assert kinds[0] == "created" and "internal_note" in kinds
    with pytest.raises(Forbidden):
        agent_tickets.team_timeline(session=session, principal=people["client"], ticket=ticket)


def test_the_team_timeline_reads_transcripts_of_any_shape():
    from support_portal.state.agent_ticket import _transcript_text, describe

    data = {
        "source": "chat",
        "title": "Form rejects phones",
        "transcript": [
            {"sender": "client", "body": "Hi"},
            {"sender_name": "Sam Patel", "sender_role": "agent", "body": "Hello"},
        ],
    }
    assert _transcript_text(data) == "client: Hi\nSam Patel: Hello"
    assert describe({"kind": "created", "data": data}) == "Created from a chat: Form rejects phones"


def test_a_chat_moves_through_the_named_statuses_and_a_client_starts_afresh_after_it_ends(
    session, people, clock
):
    from support_portal.domain.chat_rules import OPEN_CHAT_STATUSES, ChatStatus

    chat = _waiting_chat(session, people, clock)
    seen = [chat.status]
    chat_service.accept_chat(session=session, principal=people["agent"], chat_id=chat.id)
    seen.append(chat.status)
    chat_service.mark_resolved(
        session=session, principal=people["agent"], chat_id=chat.id, now=clock()
    )
    session.commit()
    seen.append(chat.status)
    assert seen == [ChatStatus.WAITING, ChatStatus.ACTIVE, ChatStatus.RESOLVED]
    assert seen[-1] not in OPEN_CHAT_STATUSES
    again = chat_service.start_chat(session=session, principal=people["client"], now=clock())
    assert again.id != chat.id and again.status == ChatStatus.WAITING
