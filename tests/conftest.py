"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL when configured),
settings overrides, a movable clock and factories with overrides."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

import support_portal.models  # noqa: F401
from support_portal import db as db_module
from support_portal.settings import get_settings

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch) -> None:
    """Argon2's production cost is not what these tests measure; keep them quick."""
    from argon2 import PasswordHasher

    from support_portal.services import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def clock() -> Clock:
    # A Tuesday, 10:00 in New York.
    return Clock(datetime(2026, 3, 3, 15, 0, tzinfo=UTC))


@pytest.fixture
def settings_env(monkeypatch) -> Iterator:
    """Set settings through the environment, as a user would: settings_env(CHAT_...="1")."""

    def set_(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, str(value))
        get_settings.cache_clear()

    yield set_
    get_settings.cache_clear()


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, monkeypatch) -> Iterator[str]:
    """A URL to an empty database with the schema created, wired into the app's settings."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        schema = None
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = db_module.make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        url = _pg_schema_url(PG_URL, schema)
    monkeypatch.setenv("DB_URL", url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    engine = db_module.get_engine(url)
    SQLModel.metadata.create_all(engine)
    yield url
    engine.dispose()
    db_module._engines.pop(url, None)
    get_settings.cache_clear()
    if schema:
        admin = db_module.make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def session(db_url) -> Iterator[Session]:
    with Session(db_module.get_engine(db_url), expire_on_commit=False) as s:
        yield s


def pytest_collection_modifyitems(session, config, items) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in this
    thread until the session ends, and asyncio-based tests cannot start their own after it."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path))
