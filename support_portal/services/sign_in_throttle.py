"""How many sign-ins may be tried, per email and per client address.

A try takes a turn from a counter BEFORE the password is checked, and the counter is changed
in one atomic step shared by every worker: one UPDATE of a counter row (a database row lock),
or, when Redis is configured, Redis INCR on a key that expires with its window. Twelve
simultaneous tries against a limit of five therefore get five password checks, not more.

The window is fixed from its first try, so one wrong try every few minutes cannot keep a
person out for good. When an email has used its turns (someone is guessing its password), a
try from an address that has not been failing still gets one turn every
`login_locked_retry_seconds`: the owner is asked to wait seconds, not locked out, while the
guesser, spread over many addresses, gets a couple of guesses a minute at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import bindparam, case, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from support_portal.db.types import UtcDateTime
from support_portal.models import SignInThrottle
from support_portal.settings import get_settings


@dataclass(frozen=True)
class Limits:
    max_tries: int
    window: timedelta
    locked_retry: timedelta

    @classmethod
    def from_settings(cls) -> Limits:
        s = get_settings()
        return cls(
            max_tries=s.login_max_failures,
            window=timedelta(minutes=s.login_lockout_minutes),
            locked_retry=timedelta(seconds=s.login_locked_retry_seconds),
        )


class Counters(Protocol):
    def take(self, key: str, *, now: datetime, limits: Limits) -> int | None:
        """Count one try; the tries in the window so far, or None when none is left."""

    def give_back(self, key: str) -> None:
        """Return the turn of a try that turned out to be no guess (it signed in)."""

    def clear(self, key: str) -> None: ...

    def take_locked_retry(self, key: str, *, now: datetime, limits: Limits) -> bool:
        """One try past the limit for a clean address, at most once per `locked_retry`."""


def _utc(value: datetime) -> Any:
    return bindparam(None, value, type_=UtcDateTime)


class DatabaseCounters:
    """Counter rows in `sign_in_throttle`, each changed by one UPDATE statement."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _ensure_row(self, key: str, now: datetime) -> None:
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(
            insert(SignInThrottle)
            .values(key=key, tries=0, window_started_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )

    def take(self, key: str, *, now: datetime, limits: Limits) -> int | None:
        self._ensure_row(key, now)
        expired = col(SignInThrottle.window_started_at) <= _utc(now - limits.window)
        row = self.session.execute(
            update(SignInThrottle)
            .where(
                col(SignInThrottle.key) == key,
                or_(expired, col(SignInThrottle.tries) < limits.max_tries),
            )
            .values(
                tries=case((expired, 1), else_=col(SignInThrottle.tries) + 1),
                window_started_at=case(
                    (expired, _utc(now)), else_=col(SignInThrottle.window_started_at)
                ),
            )
            .returning(col(SignInThrottle.tries))
        ).first()
        return None if row is None else int(row[0])

    def give_back(self, key: str) -> None:
        self.session.execute(
            update(SignInThrottle)
            .where(col(SignInThrottle.key) == key, col(SignInThrottle.tries) > 0)
            .values(tries=col(SignInThrottle.tries) - 1)
        )

    def clear(self, key: str) -> None:
        self.session.execute(
            update(SignInThrottle)
            .where(col(SignInThrottle.key) == key)
            .values(tries=0, locked_retry_at=None)
        )

    def take_locked_retry(self, key: str, *, now: datetime, limits: Limits) -> bool:
        result = self.session.execute(
            update(SignInThrottle)
            .where(
                col(SignInThrottle.key) == key,
                or_(
                    col(SignInThrottle.locked_retry_at).is_(None),
                    col(SignInThrottle.locked_retry_at) <= _utc(now - limits.locked_retry),
                ),
            )
            .values(locked_retry_at=_utc(now))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


_GIVE_BACK = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end"


class RedisCounters:
    """INCR on a key created with the window as its expiry (SET NX EX, then INCR, in one
    MULTI), so a key never outlives its window even if a worker dies mid-way."""

    def __init__(self, client: Any) -> None:
        self.redis = client

    def take(self, key: str, *, now: datetime, limits: Limits) -> int | None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(key, 0, nx=True, px=int(limits.window.total_seconds() * 1000))
        pipe.incr(key)
        tries = int(pipe.execute()[1])
        return tries if tries <= limits.max_tries else None

    def give_back(self, key: str) -> None:
        self.redis.eval(_GIVE_BACK, 1, key)

    def clear(self, key: str) -> None:
        self.redis.delete(key, key + ":retry")

    def take_locked_retry(self, key: str, *, now: datetime, limits: Limits) -> bool:
        ms = max(1, int(limits.locked_retry.total_seconds() * 1000))
        return bool(self.redis.set(key + ":retry", 1, nx=True, px=ms))


@lru_cache
def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def counters(session: Session) -> Counters:
    url = get_settings().redis_url
    if url:
        return RedisCounters(_redis(url))
    return DatabaseCounters(session)


def email_key(email: str) -> str:
    return f"sp:sign-in:email:{email}"


def address_key(address: str) -> str:
    return f"sp:sign-in:address:{address}"
