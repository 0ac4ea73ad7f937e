"""Sign-in: argon2 password hashes, server-side sessions, throttling of repeated failures."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, func, select

from support_portal.models import AuthSession, LoginAttempt, User
from support_portal.services.authz import Principal
from support_portal.services.errors import Throttled
from support_portal.settings import get_settings

_hasher = PasswordHasher()
# Verified against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

BAD_CREDENTIALS = "Wrong email or password."


class SignInFailed(Exception):
    pass


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


def _recent_failures(session: Session, email: str, now: datetime) -> int:
    settings = get_settings()
    since = now - timedelta(minutes=settings.login_lockout_minutes)
    last_success = session.exec(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, col(LoginAttempt.succeeded).is_(True)
        )
    ).one()
    if last_success is not None and last_success.replace(tzinfo=since.tzinfo) > since:
        since = last_success.replace(tzinfo=since.tzinfo)
    return session.exec(
        select(func.count()).where(
            LoginAttempt.email == email,
            col(LoginAttempt.succeeded).is_(False),
            LoginAttempt.created_at > since,
        )
    ).one()


def sign_in(*, session: Session, email: str, password: str, now: datetime) -> tuple[str, User]:
    """Check the password and open a session; returns the browser's token and the user.

    Commits itself: a failed attempt must be recorded even though the sign-in is refused.
    """
    settings = get_settings()
    email = normalize_email(email)
    if _recent_failures(session, email, now) >= settings.login_max_failures:
        raise Throttled(
            f"Too many failed attempts. Try again in {int(settings.login_lockout_minutes)} minutes."
        )
    user = session.exec(select(User).where(User.email == email)).first()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if not ok or user is None or not user.is_active:
        session.add(LoginAttempt(email=email, succeeded=False, created_at=now))
        session.commit()
        raise SignInFailed(BAD_CREDENTIALS)
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
