"""Who hears of a new ticket: the whole team, each person as they chose, and an urgent one
by text."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.models import Notification, Ticket, User
from support_portal.services import auth, preferences, tickets
from support_portal.services import chat as chat_service
from support_portal.services.errors import ValidationFailed
from support_portal.state.profile import StaffProfileState
from support_portal.testkit.factories import PASSWORD, good_draft, make_ticket, make_user, principal
from tests.session_cookie import with_session_cookie

TEAM_PHONE = "+14155550100"


def _told(session, ticket: Ticket) -> set[tuple[str, str]]:
    rows = session.exec(
        select(Notification).where(
            Notification.ticket_id == ticket.id, Notification.kind == "ticket_created_team"
        )
    ).all()
    return {(n.channel, n.to_address) for n in rows}


@pytest.fixture
def team(session, settings_env):
    settings_env(TEAM_EMAIL="support-team@agency.example", TEAM_PHONE=TEAM_PHONE)
    manager = make_user(session, "manager", email="morgan@agency.example")
    texting_manager = make_user(session, "manager", email="riley@agency.example")
    preferences.update_preferences(
        session=session,
        principal=principal(texting_manager),
        notify_email=False,
        notify_sms=True,
        phone="+1 415 555 0111",
    )
    agent = make_user(session, "agent", email="alex@agency.example", phone="+14155550122")
    client = make_user(session, "client")
    session.commit()
    return {"manager": manager, "texter": texting_manager, "agent": agent, "client": client}


def _convert(session, clock, agent, client, **draft):
    chat = chat_service.start_chat(session=session, principal=principal(client), now=clock())
    chat_service.post_message(
        session=session,
        principal=principal(client),
        chat_id=chat.id,
        body="Reminders stopped",
        client_msg_id="m1",
        now=clock(),
    )
    chat_service.accept_chat(
        session=session, principal=principal(agent), chat_id=chat.id, now=utcnow()
    )
    ticket = chat_service.convert_to_ticket(
        session=session,
        principal=principal(agent),
        chat_id=chat.id,
        draft=good_draft(**draft),
        now=clock.advance(minutes=5),
    )
    session.commit()
    return ticket


def test_a_converted_chat_tells_the_team_and_the_managers_not_only_the_converting_agent(
    session, clock, team
):
    ticket = _convert(session, clock, team["agent"], team["client"])
    assert ticket.assignee_id == team["agent"].id
    assert _told(session, ticket) == {
        ("email", "alex@agency.example"),
        ("email", "morgan@agency.example"),
        ("sms", "+14155550111"),
        ("email", "support-team@agency.example"),
        ("sms", TEAM_PHONE),
    }


def test_an_urgent_ticket_is_texted_to_everyone_with_a_mobile(session, clock, team):
    ticket = _convert(session, clock, team["agent"], team["client"], priority="urgent")
    texts = {to for channel, to in _told(session, ticket) if channel == "sms"}
    # Alex chose email only, but an urgent ticket reaches their phone too.
    assert texts == {"+14155550122", "+14155550111", TEAM_PHONE}


def test_each_address_hears_once(session, clock, settings_env, team):
    settings_env(TEAM_EMAIL="morgan@agency.example", TEAM_PHONE="")
    ticket = make_ticket(session, requester=team["client"], agent=team["agent"], now=clock())
    session.commit()
    rows = session.exec(
        select(Notification).where(
            Notification.ticket_id == ticket.id, Notification.kind == "ticket_created_team"
        )
    ).all()
    addresses = [n.to_address for n in rows]
    assert sorted(addresses) == sorted(set(addresses))
    assert "morgan@agency.example" in addresses


def test_staff_choose_email_or_sms_and_give_their_mobile_in_international_form(session, team):
    agent = team["agent"]
    user = preferences.update_preferences(
        session=session,
        principal=principal(agent),
        notify_email=False,
        notify_sms=True,
        phone="+1 (415) 555-0199",
    )
    session.commit()
    assert (user.notify_email, user.notify_sms, user.phone) == (False, True, "+14155550199")
    with pytest.raises(ValidationFailed) as err:
        preferences.update_preferences(
            session=session,
            principal=principal(agent),
            notify_email=True,
            notify_sms=True,
            phone="555-01",
        )
    assert "phone" in err.value.errors


def _signed_in(cls, session, user):
    token, _ = auth.sign_in(session=session, email=user.email, password=PASSWORD, now=utcnow())
    state = cls(_reflex_internal_init=True)
    with_session_cookie(state, token)
    return state


async def test_an_agent_sets_sms_and_their_mobile_on_the_profile_page_and_hears_by_text(
    session, clock, team
):
    agent = team["agent"]
    state = _signed_in(StaffProfileState, session, agent)
    await StaffProfileState.on_load.fn(state)
    assert state.notify_email and not state.notify_sms
    StaffProfileState.set_notify_sms.fn(state, True)
    StaffProfileState.set_phone.fn(state, "415 555 01")
    await StaffProfileState.save.fn(state)
    assert state.phone_error and state.phone == "415 555 01"  # kept to correct in place
    StaffProfileState.set_phone.fn(state, "+1 415-555-0177")
    await StaffProfileState.save.fn(state)
    assert state.saved and state.phone == "+14155550177"
    session.expire_all()
    assert session.get(User, agent.id).notify_sms

    ticket = make_ticket(session, requester=team["client"], agent=agent, now=clock())
    tickets.assign(
        session=session,
        principal=principal(team["manager"]),
        ticket=ticket,
        assignee_id=agent.id,
        now=clock(),
    )
    session.commit()
    texts = session.exec(
        select(Notification).where(
            Notification.kind == "ticket_assigned", Notification.channel == "sms"
        )
    ).all()
    assert [n.to_address for n in texts] == ["+14155550177"]


async def test_a_client_cannot_use_the_staff_profile(session, team):
    state = _signed_in(StaffProfileState, session, team["client"])
    StaffProfileState.set_notify_sms.fn(state, True)
    StaffProfileState.set_phone.fn(state, "+14155550188")
    await StaffProfileState.save.fn(state)
    session.expire_all()
    assert not state.saved
    assert session.get(User, team["client"].id).phone is None
