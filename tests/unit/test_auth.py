"""Sign-in: hashed passwords, sessions that expire and end, throttled failures."""

from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from support_portal.clock import utcnow
from support_portal.models import AuthSession, SignInThrottle, User
from support_portal.services import auth
from support_portal.services.errors import Throttled
from support_portal.testkit.factories import PASSWORD, make_user


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


# The throttle: per email and per client address, atomic across workers.

ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


def try_sign_in(session, email, password, address="", now=None):
    try:
        auth.sign_in(
            session=session, email=email, password=password, client_address=address, now=now
        )
    except auth.SignInFailed:
        return "wrong"
    except Throttled as exc:
        return str(exc)
    return "in"


def test_someone_guessing_from_one_address_cannot_lock_the_owner_out(session, clock):
    make_user(session, "client", email="dana@example.com")
    for _ in range(5):
        assert try_sign_in(session, "dana@example.com", "guess", ATTACKER, clock()) == "wrong"
    # The guesser is stopped, for this email and any other...
    blocked = try_sign_in(session, "dana@example.com", "guess", ATTACKER, clock())
    assert "from your network" in blocked
    assert "from your network" in try_sign_in(session, "x@example.com", "guess", ATTACKER, clock())
    # ...while the owner, from an address that has not been failing, signs in.
    assert try_sign_in(session, "dana@example.com", PASSWORD, OWNER, clock()) == "in"


def test_guesses_spread_over_many_addresses_are_slowed_to_seconds(session, clock):
    make_user(session, "client", email="dana@example.com")
    for n in range(5):
        try_sign_in(session, "dana@example.com", "guess", f"10.0.0.{n}", clock())
    assert try_sign_in(session, "dana@example.com", "guess", "10.0.1.1", clock()) == "wrong"
    refused = try_sign_in(session, "dana@example.com", PASSWORD, OWNER, clock())
    assert refused == "Too many sign-ins for this account just now. Try again in 30 seconds."
    later = clock.advance(seconds=31)
    assert try_sign_in(session, "dana@example.com", PASSWORD, OWNER, later) == "in"


def test_one_wrong_try_every_three_minutes_does_not_keep_the_owner_out(session, clock):
    make_user(session, "client", email="dana@example.com")
    start = clock()
    for minute in range(0, 61, 3):
        try_sign_in(session, "dana@example.com", "guess", now=start + timedelta(minutes=minute))
    owner = try_sign_in(session, "dana@example.com", PASSWORD, now=start + timedelta(minutes=61))
    assert owner == "in"


def test_a_password_reset_lifts_a_lockout(session, clock):
    make_user(session, "client", email="dana@example.com")
    for _ in range(5):
        try_sign_in(session, "dana@example.com", "guess", now=clock())
    assert "Too many failed attempts" in try_sign_in(
        session, "dana@example.com", PASSWORD, now=clock()
    )
    auth.lift_lockout(session=session, email=" Dana@Example.com ")
    assert try_sign_in(session, "dana@example.com", PASSWORD, now=clock()) == "in"


def _twelve_at_once(db_url: str, email: str, address: str) -> list[str]:
    from support_portal.db import get_engine

    barrier = threading.Barrier(12)

    def one(_: int) -> str:
        with Session(get_engine(db_url)) as s:
            barrier.wait()
            return try_sign_in(s, email, "guess", address)

    with ThreadPoolExecutor(max_workers=12) as pool:
        return list(pool.map(one, range(12)))


def test_twelve_simultaneous_sign_ins_get_at_most_five_guesses(session, db_url):
    make_user(session, "client", email="dana@example.com")
    session.commit()
    outcomes = _twelve_at_once(db_url, "dana@example.com", ATTACKER)
    assert outcomes.count("wrong") == 5
    assert all("Too many" in o for o in outcomes if o != "wrong")


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL not set")
def test_with_redis_twelve_simultaneous_sign_ins_get_at_most_five_guesses(
    session, db_url, settings_env
):
    settings_env(REDIS_URL=os.environ["TEST_REDIS_URL"])
    email, address = f"{uuid.uuid4().hex}@example.com", f"10.9.{uuid.uuid4().int % 250}.1"
    make_user(session, "client", email=email)
    session.commit()
    outcomes = _twelve_at_once(db_url, email, address)
    assert outcomes.count("wrong") == 5
    assert session.exec(select(SignInThrottle)).all() == []  # counted in Redis, not here
    auth.lift_lockout(session=session, email=email)
    assert try_sign_in(session, email, PASSWORD, address + "0") == "in"
