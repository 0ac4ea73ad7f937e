"""A client's notification preferences and SMS consent keywords."""

from __future__ import annotations

import pytest

from support_portal.models import User
from support_portal.services import preferences
from support_portal.services.errors import ValidationFailed
from support_portal.testkit.factories import make_user, principal


def test_a_phone_number_is_stored_in_e164_and_sms_turned_on(session):
    client = make_user(session, "client")
    user = preferences.update_preferences(
        session=session,
        principal=principal(client),
        notify_email=False,
        notify_sms=True,
        phone="(415) 555-2671",
    )
    assert (user.phone, user.notify_sms, user.notify_email) == ("+14155552671", True, False)
    session.commit()
    saved = session.get(User, client.id)
    assert (saved.notify_email, saved.notify_sms, saved.phone) == (False, True, "+14155552671")


def test_sms_cannot_be_turned_on_without_a_phone_number(session):
    client = make_user(session, "client")
    with pytest.raises(ValidationFailed) as caught:
        preferences.update_preferences(
            session=session,
            principal=principal(client),
            notify_email=False,
            notify_sms=True,
            phone="  ",
        )
    assert "mobile number" in caught.value.errors["phone"]
    # Nothing of the refused change is kept.
    assert session.get(User, client.id).notify_email is True


def test_an_unreadable_phone_number_is_refused_with_a_message(session):
    client = make_user(session, "client")
    with pytest.raises(ValidationFailed) as caught:
        preferences.update_preferences(
            session=session,
            principal=principal(client),
            notify_email=True,
            notify_sms=False,
            phone="12",
        )
    # A message the client can act on, not a parser's error.
    assert caught.value.errors["phone"] in (
        "That phone number could not be read. Include the country code.",
        "That phone number is not a valid number.",
    )
    session.refresh(client)
    assert client.phone is None


def test_a_new_number_clears_the_opt_out_of_the_old_one(session):
    client = make_user(session, "client", phone="+14155552671")
    client.sms_opted_out = True
    user = preferences.update_preferences(
        session=session,
        principal=principal(client),
        notify_email=True,
        notify_sms=True,
        phone="+1 212 555 0182",
    )
    assert user.phone == "+12125550182" and not user.sms_opted_out


def test_stop_opts_the_number_out_and_start_back_in(session):
    client = make_user(session, "client", phone="+14155552671", notify_sms=True)
    assert preferences.keyword(" stop ") == "STOP"
    preferences.opt_out_sms(session=session, phone="+14155552671")
    assert client.sms_opted_out
    assert preferences.keyword("Start") == "START"
    preferences.opt_in_sms(session=session, phone="+14155552671")
    assert not client.sms_opted_out and client.notify_sms


def test_keywords_are_whole_messages_not_words_inside_a_sentence():
    assert preferences.keyword("please stop the reminders from going out") is None
    assert preferences.keyword("CONFIRM #1042") == "CONFIRM"
    assert preferences.keyword("reopen: still broken") == "REOPEN"
    assert preferences.keyword("confirmed it works") is None
    assert preferences.keyword("REOPEN still broken") == "REOPEN"
