"""Records written straight into the database of the app under test, through the shared
factories (support_portal.testkit).

Browser tests that need two organizations, a file, or text with markup in it build them here
instead of clicking through forms they do not test. Everyone's password is the demo one.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from support_portal.settings import get_settings
from support_portal.testkit import factories
from tests.e2e.conftest import DEMO_PASSWORD


@contextlib.contextmanager
def app_database(app_env: dict[str, str]) -> Iterator[None]:
    """Point this process's settings at the app's database and attachment folder."""
    with pytest.MonkeyPatch.context() as mp:
        for key in ("DB_URL", "DATA_DIR"):
            mp.setenv(key, app_env[key])
        get_settings.cache_clear()
        try:
            yield
        finally:
            get_settings.cache_clear()
    get_settings.cache_clear()


@dataclass
class AppWorld:
    emails: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def tag() -> str:
    return uuid.uuid4().hex[:6]


def make_people(session, sfx: str, **names: str) -> dict[str, Any]:
    """Users named by role (client_a=..., agent_x=...) who sign in with the demo password."""
    return factories.make_people(session, sfx, password=DEMO_PASSWORD, **names)
