"""The migration chain builds the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import inspect, text

from support_portal.db import make_engine, migrations

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _roundtrip(url: str) -> None:
    migrations.upgrade(url)
    migrations.check(url)  # raises if models and migrations drift apart
    engine = make_engine(url)
    assert "ticket" in inspect(engine).get_table_names()
    migrations.downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_upgrade_check_and_downgrade_on_empty_sqlite(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")
def test_upgrade_check_and_downgrade_on_empty_postgres():
    schema = f"m_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        sep = "&" if "?" in PG_URL else "?"
        _roundtrip(f"{PG_URL}{sep}options=-csearch_path%3D{schema}")
    finally:
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
