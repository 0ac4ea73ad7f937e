"""Sign-in: argon2 password hashes, server-side sessions, throttling of repeated failures."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from support_portal import urls
from support_portal.models import AuthSession, LoginAttempt, User
from support_portal.services import sign_in_throttle
from support_portal.services.authz import Principal
from support_portal.services.errors import Throttled
from support_portal.settings import get_settings

_hasher = PasswordHasher()
# Verified against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

BAD_CREDENTIALS = "Wrong email or password."
# The browser's cookie holding the sign-in token: HttpOnly, set only by a server response.
SESSION_COOKIE = urls.SESSION_COOKIE


class SignInFailed(Exception):
    pass


class SignInThrottled(Throttled):
    """`code` names the case for the sign-in page (see `sign_in_message`)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(sign_in_message(code))


def sign_in_message(code: str) -> str:
    """What the sign-in page says for a refusal `code` ('' for an unknown code)."""
    limits = sign_in_throttle.Limits.from_settings()
    return {
        "missing": "Enter your email and password.",
        "wrong": BAD_CREDENTIALS,
        "network": f"Too many failed sign-ins from your network. Try again in {_minutes(limits)}.",
        "busy": "Too many sign-ins for this account just now. Try again in "
        f"{int(limits.locked_retry.total_seconds())} seconds.",
        "locked": f"Too many failed attempts. Try again in {_minutes(limits)}.",
        "origin": "Sign in from this site's own sign-in page.",
    }.get(code, "")


def token_from_cookie_header(header: str) -> str:
    """The sign-in token in a Cookie header ('' if there is none)."""
    from http.cookies import CookieError, SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return ""
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else ""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


# An address with at most this many failed tries in the window counts as not failing: the
# owner who mistyped once still gets in while someone else is guessing their password.
_FEW_FAILURES = 2


def _minutes(limits: sign_in_throttle.Limits) -> str:
    minutes = max(1, round(limits.window.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _take_turns(
    turns: sign_in_throttle.Counters,
    *,
    email: str,
    address: str,
    now: datetime,
    limits: sign_in_throttle.Limits,
) -> None:
    """Count this try against the address and the email, or raise Throttled."""
    address_tries = 0
    if address:
        taken = turns.take(sign_in_throttle.address_key(address), now=now, limits=limits)
        if taken is None:
            raise SignInThrottled("network")
        address_tries = taken
    key = sign_in_throttle.email_key(email)
    if turns.take(key, now=now, limits=limits) is not None:
        return
    clean = bool(address) and address_tries - 1 <= _FEW_FAILURES
    if clean and turns.take_locked_retry(key, now=now, limits=limits):
        return
    if address:
        turns.give_back(sign_in_throttle.address_key(address))  # refused unchecked: no guess
    raise SignInThrottled("busy" if clean else "locked")


def sign_in(
    *,
    session: Session,
    email: str,
    password: str,
    client_address: str = "",
    now: datetime,
) -> tuple[str, User]:
    """Check the password and open a session; returns the browser's token and the user.

    Each try is counted per email and per `client_address` before the password is checked
    (`services/sign_in_throttle.py`). Commits itself: the counted turn must be visible to
    every worker before the (slow) password check, and a failure is recorded although the
    sign-in is refused.
    """
    settings = get_settings()
    limits = sign_in_throttle.Limits.from_settings()
    email = normalize_email(email)
    turns = sign_in_throttle.counters(session)
    try:
        _take_turns(turns, email=email, address=client_address, now=now, limits=limits)
    finally:
        session.commit()
    user = session.exec(select(User).where(User.email == email)).first()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if not ok or user is None or not user.is_active:
        session.add(LoginAttempt(email=email, succeeded=False, created_at=now))
        session.commit()
        raise SignInFailed(BAD_CREDENTIALS)
    # Signed in: this try was no guess, and the email's count starts again.
    if client_address:
        turns.give_back(sign_in_throttle.address_key(client_address))
    turns.clear(sign_in_throttle.email_key(email))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    session.add(LoginAttempt(email=email, succeeded=True, created_at=now))
    session.add(
        AuthSession(
            token_hash=_token_hash(token),
            user_id=user.id,  # type: ignore[arg-type]
            created_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
        )
    )
    session.commit()
    return token, user


def lift_lockout(*, session: Session, email: str) -> None:
    """Let an email sign in again at once (a password-reset link proves who is asking).

    Commits itself."""
    sign_in_throttle.counters(session).clear(sign_in_throttle.email_key(normalize_email(email)))
    session.commit()


@dataclass(frozen=True)
class SignedIn:
    """A live sign-in session: who, which session (for live-update bookkeeping), until when."""

    principal: Principal
    session_id: int
    expires_at: datetime


def signed_in(*, session: Session, token: str | None, now: datetime) -> SignedIn | None:
    """The live session for a browser token, or None if it is unknown, ended or expired."""
    if not token:
        return None
    row = session.exec(
        select(AuthSession, User)
        .join(User, col(User.id) == AuthSession.user_id)
        .where(AuthSession.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return None
    auth, user = row
    if auth.ended_at is not None or auth.expires_at <= now or not user.is_active:
        return None
    return SignedIn(Principal.of(user), auth.id, auth.expires_at)  # type: ignore[arg-type]


def principal_for_token(*, session: Session, token: str | None, now: datetime) -> Principal | None:
    """The signed-in user for a browser token, or None if it is unknown, ended or expired."""
    live = signed_in(session=session, token=token, now=now)
    return live.principal if live else None


def sign_out(*, session: Session, token: str | None, now: datetime) -> int | None:
    """End the session of `token`; returns its id (None if there was no live session)."""
    if not token:
        return None
    auth = session.exec(
        select(AuthSession).where(AuthSession.token_hash == _token_hash(token))
    ).first()
    if auth is None or auth.ended_at is not None:
        return None
    auth.ended_at = now
    session.commit()
    return auth.id
