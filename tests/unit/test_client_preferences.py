"""Notification preferences: a client's own choice, checked before it is saved."""

from __future__ import annotations

import pytest

from support_portal.models import User
from support_portal.services import preferences
from support_portal.services.errors import ValidationFailed
from tests.factories import make_user, principal


def test_a_client_turns_on_sms_with_a_number_typed_the_way_people_type_it(session):
    client = make_user(session, "client")
    preferences.update_preferences(
        session=session,
        principal=principal(client),
        notify_email=False,
        notify_sms=True,
        phone="(415) 555-2671",
    )
    session.commit()
    saved = session.get(User, client.id)
    assert (saved.notify_email, saved.notify_sms, saved.phone) == (False, True, "+14155552671")


def test_sms_without_a_phone_number_is_refused_and_nothing_changes(session):
    client = make_user(session, "client")
    with pytest.raises(ValidationFailed) as err:
        preferences.update_preferences(
            session=session,
            principal=principal(client),
            notify_email=False,
            notify_sms=True,
            phone="  ",
        )
    assert "phone" in err.value.errors
    assert session.get(User, client.id).notify_email is True


def test_a_phone_number_that_cannot_be_read_gets_a_clear_message(session):
    client = make_user(session, "client")
    with pytest.raises(ValidationFailed) as err:
        preferences.update_preferences(
            session=session,
            principal=principal(client),
            notify_email=True,
            notify_sms=False,
            phone="12",
        )
    assert (
        "not a valid number" in err.value.errors["phone"]
        or "could not be read" in (err.value.errors["phone"])
    )
