"""One rule says who may see a chat: its messages and its files are shown to the same people,
whatever state the chat is in, and only those who take part in it may add files."""

from __future__ import annotations

import pytest

from support_portal.domain.chat_rules import ChatStatus
from support_portal.services import attachments
from support_portal.services import chat as chat_service
from support_portal.services.errors import ServiceError
from support_portal.testkit.factories import make_user, principal
from support_portal.testkit.files import PNG


def _allowed(call) -> bool:
    try:
        call()
    except ServiceError:
        return False
    return True


@pytest.fixture
def people(session):
    people = {
        "client": make_user(session, "client"),
        "other_client": make_user(session, "client"),
        "agent": make_user(session, "agent"),
        "other_agent": make_user(session, "agent"),
        "manager": make_user(session, "manager"),
    }
    session.commit()
    return {name: principal(user) for name, user in people.items()}


@pytest.mark.parametrize(
    ("status", "held"),
    [
        (ChatStatus.WAITING, False),
        (ChatStatus.ACTIVE, True),
        (ChatStatus.RESOLVED, True),
        (ChatStatus.CONVERTED, True),
        # An ended chat nobody took (old or imported rows): no agent's business any more.
        (ChatStatus.RESOLVED, False),
    ],
)
def test_a_chats_messages_and_files_are_shown_to_the_same_people(
    session, clock, people, status, held
):
    chat = chat_service.start_chat(session=session, principal=people["client"], now=clock())
    file = attachments.store_attachment(
        session=session,
        principal=people["client"],
        filename="shot.png",
        data=PNG,
        chat_id=chat.id,
    )
    chat.status = status.value
    chat.agent_id = people["agent"].user_id if held else None
    session.commit()
    for name, who in people.items():
        reads = _allowed(
            lambda who=who: chat_service.get_transcript(
                session=session, principal=who, chat_id=chat.id
            )
        )
        opens = _allowed(
            lambda who=who: attachments.open_attachment(
                session=session, principal=who, attachment_id=file.id
            )
        )
        assert reads == opens, f"{name} on a {status} chat: messages {reads}, files {opens}"
    assert not _allowed(
        lambda: chat_service.get_transcript(
            session=session, principal=people["other_client"], chat_id=chat.id
        )
    )


def test_an_agent_who_has_not_taken_a_waiting_chat_reads_it_but_adds_no_file(
    session, clock, people
):
    chat = chat_service.start_chat(session=session, principal=people["client"], now=clock())
    session.commit()
    assert (
        chat_service.get_transcript(
            session=session, principal=people["other_agent"], chat_id=chat.id
        )
        == []
    )
    with pytest.raises(ServiceError):
        attachments.store_attachment(
            session=session,
            principal=people["other_agent"],
            filename="shot.png",
            data=PNG,
            chat_id=chat.id,
        )
    chat_service.accept_chat(session=session, principal=people["agent"], chat_id=chat.id)
    session.commit()
    stored = attachments.store_attachment(
        session=session, principal=people["agent"], filename="shot.png", data=PNG, chat_id=chat.id
    )
    assert stored.chat_id == chat.id
