"""Sign-in: hashed passwords, sessions that expire and end, throttled failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.models import AuthSession, User
from support_portal.services import auth
from support_portal.services.errors import Throttled
from tests.factories import PASSWORD, make_user


def test_passwords_are_stored_as_argon2_hashes(session):
    user = make_user(session, "agent")
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash


def test_sign_in_returns_a_token_that_identifies_the_user(session, clock):
    user = make_user(session, "manager", email="Boss@Example.com")
    token, signed_in = auth.sign_in(
        session=session, email=" boss@example.com ", password=PASSWORD, now=clock()
    )
    assert signed_in.id == user.id
    who = auth.principal_for_token(session=session, token=token, now=clock())
    assert who is not None and who.user_id == user.id and who.role == "manager"
    # Only a hash of the token is stored.
    assert token not in {s.token_hash for s in session.exec(select(AuthSession)).all()}


def test_a_wrong_password_is_refused_with_the_same_message_as_an_unknown_email(session, clock):
    make_user(session, "agent", email="a@example.com")
    with pytest.raises(auth.SignInFailed) as wrong:
        auth.sign_in(session=session, email="a@example.com", password="nope-nope", now=clock())
    with pytest.raises(auth.SignInFailed) as unknown:
        auth.sign_in(session=session, email="b@example.com", password="nope-nope", now=clock())
    assert str(wrong.value) == str(unknown.value) == auth.BAD_CREDENTIALS


def test_sessions_expire(session, clock, settings_env):
    settings_env(SESSION_HOURS="1")
    make_user(session, "agent", email="a@example.com")
    token, _ = auth.sign_in(session=session, email="a@example.com", password=PASSWORD, now=clock())
    assert auth.principal_for_token(
        session=session, token=token, now=clock() + timedelta(minutes=59)
    )
    assert (
        auth.principal_for_token(session=session, token=token, now=clock() + timedelta(minutes=61))
        is None
    )


def test_sign_out_ends_the_session(session, clock):
    make_user(session, "agent", email="a@example.com")
    token, _ = auth.sign_in(session=session, email="a@example.com", password=PASSWORD, now=clock())
    auth.sign_out(session=session, token=token, now=clock())
    assert auth.principal_for_token(session=session, token=token, now=clock()) is None


def test_a_deactivated_user_loses_their_session(session, clock):
    user = make_user(session, "agent", email="a@example.com")
    token, _ = auth.sign_in(session=session, email="a@example.com", password=PASSWORD, now=clock())
    user.is_active = False
    session.commit()
    assert auth.principal_for_token(session=session, token=token, now=clock()) is None


def test_repeated_failures_are_throttled_even_with_the_right_password(session, clock, settings_env):
    settings_env(LOGIN_MAX_FAILURES="3", LOGIN_LOCKOUT_MINUTES="15")
    make_user(session, "agent", email="a@example.com")
    for _ in range(3):
        with pytest.raises(auth.SignInFailed):
            auth.sign_in(session=session, email="a@example.com", password="wrong-pass", now=clock())
    with pytest.raises(Throttled, match="Too many failed attempts"):
        auth.sign_in(session=session, email="a@example.com", password=PASSWORD, now=clock())
    # After the lockout window the right password works again.
    token, _ = auth.sign_in(
        session=session,
        email="a@example.com",
        password=PASSWORD,
        now=clock() + timedelta(minutes=16),
    )
    assert token


def test_unknown_and_garbage_tokens_are_refused(session):
    assert auth.principal_for_token(session=session, token="", now=utcnow()) is None
    assert auth.principal_for_token(session=session, token="forged-token", now=utcnow()) is None
    assert session.exec(select(User)).first() is None
