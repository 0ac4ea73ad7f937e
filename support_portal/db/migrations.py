"""Running the Alembic chain from code (CLI, app start-up, tests)."""

from __future__ import annotations

from alembic.config import Config

from alembic import command
from support_portal.db import normalize_url
from support_portal.settings import PROJECT_ROOT, get_settings


def alembic_config(db_url: str | None = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["db_url"] = normalize_url(db_url or get_settings().db_url)
    return cfg


def upgrade(db_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(db_url), revision)


def downgrade(db_url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(db_url), revision)


def check(db_url: str | None = None) -> None:
    """Raises if the models and the migration chain disagree."""
    command.check(alembic_config(db_url))
