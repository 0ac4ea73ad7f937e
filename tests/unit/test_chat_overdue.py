"""A chat still open a second escalation period after its flag reaches the managers, once,
through the outbox, by the jobs; a chat that became a ticket or was resolved never does."""

from __future__ import annotations

from sqlmodel import select

from support_portal.jobs.runner import run_all_once
from support_portal.models import Notification
from support_portal.services import chat
from support_portal.services.chat_overdue import notify_managers_of_overdue_chats
from support_portal.testkit.factories import make_user, principal


def _notices(session) -> list[Notification]:
    session.expire_all()
    return list(session.exec(select(Notification).where(Notification.kind == "chat_overdue")).all())


def test_managers_hear_of_a_chat_unconverted_after_twice_the_rule_and_only_once(
    session, clock, settings_env
):
    settings_env(CHAT_ESCALATION_MINUTES="15")
    morgan = make_user(session, "manager", name="Morgan Reyes")
    riley = make_user(session, "manager", name="Riley Stone")
    agent = make_user(session, "agent", name="Alex Kim")
    client = make_user(session, "client", name="Jack Wilson")
    room = chat.start_chat(
        session=session, principal=principal(client), topic="SMS step skipped", now=clock()
    )
    chat.accept_chat(session=session, principal=principal(agent), chat_id=room.id, now=clock())
    session.commit()

    # Flagged at 15 minutes (the agent's alert); the managers are not told yet at 29.
    assert notify_managers_of_overdue_chats(session=session, now=clock.advance(minutes=29)) == 0
    assert _notices(session) == []

    # Fifteen more minutes unconverted: every manager is told, by the jobs' regular tick.
    assert run_all_once(now=clock.advance(minutes=1))["overdue_chats"] == 1
    notices = _notices(session)
    assert {n.recipient_user_id for n in notices} == {morgan.id, riley.id}
    assert all(n.channel == "email" for n in notices)
    text = notices[0].body_text
    assert "Jack Wilson" in text and "30 minutes" in text and "Held by: Alex Kim" in text

    # Later ticks say nothing more about that chat.
    for minutes in (1, 10, 120):
        assert (
            notify_managers_of_overdue_chats(session=session, now=clock.advance(minutes=minutes))
            == 0
        )
    assert len(_notices(session)) == 2


def test_a_resolved_chat_or_a_short_one_never_reaches_the_managers(session, clock, settings_env):
    settings_env(CHAT_ESCALATION_MINUTES="5")
    make_user(session, "manager")
    agent = make_user(session, "agent")
    solved = make_user(session, "client")
    waiting = make_user(session, "client")
    room = chat.start_chat(session=session, principal=principal(solved), now=clock())
    chat.accept_chat(session=session, principal=principal(agent), chat_id=room.id, now=clock())
    chat.mark_resolved(
        session=session, principal=principal(agent), chat_id=room.id, now=clock.advance(minutes=6)
    )
    session.commit()
    assert notify_managers_of_overdue_chats(session=session, now=clock.advance(minutes=30)) == 0

    # Nobody took this one: ten minutes (twice the setting) in the queue is enough.
    chat.start_chat(session=session, principal=principal(waiting), now=clock())
    session.commit()
    assert notify_managers_of_overdue_chats(session=session, now=clock.advance(minutes=9)) == 0
    assert notify_managers_of_overdue_chats(session=session, now=clock.advance(minutes=1)) == 1
    assert "nobody yet (still waiting)" in _notices(session)[0].body_text
