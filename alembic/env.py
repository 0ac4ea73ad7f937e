"""Alembic environment: the target is SQLModel's metadata; the URL comes from settings.

`render_as_batch` lets SQLite alter tables; `compare_type` makes `alembic check` see type drift.
"""

from sqlmodel import SQLModel

import support_portal.models  # noqa: F401  (registers the tables)
from alembic import context
from support_portal.db import get_engine, normalize_url
from support_portal.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    return normalize_url(config.attributes.get("db_url") or get_settings().db_url)


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        with get_engine(_url()).connect() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
