"""Records written straight into the database of the app under test, through the services.

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

from support_portal.domain.ticket_quality import TicketDraft
from support_portal.settings import get_settings
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


def draft(**kw: Any) -> TicketDraft:
    values = dict(
        title="Appointment reminder workflow skips SMS step",
        tried_to_do="send the 24-hour appointment reminder SMS from the reminders workflow",
        happened_instead="workflow history shows the SMS step skipped for every contact",
        started_when="Monday morning",
        steps_to_reproduce="Book a test appointment for tomorrow, open workflow history",
        error_messages="Action skipped: no valid phone number",
        category="Bug",
        affected_area="Workflows",
        priority="normal",
    )
    values.update(kw)
    return TicketDraft(**values)


@dataclass
class AppWorld:
    emails: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def tag() -> str:
    return uuid.uuid4().hex[:6]


def make_people(session, sfx: str, **names: str) -> dict[str, Any]:
    """people(client_a="Name", ...): a role is read from the key's start (client/agent/manager)."""
    from support_portal.services.accounts import create_organization, create_user

    orgs: dict[str, Any] = {}
    people = {}
    for key, name in names.items():
        role = key.split("_", 1)[0]
        org = None
        if role == "client":
            org_key = key.rsplit("_", 1)[-1]
            if org_key not in orgs:
                orgs[org_key] = create_organization(session=session, name=f"Org {org_key} {sfx}")
            org = orgs[org_key]
        people[key] = create_user(
            session=session,
            email=f"{key.replace('_', '-')}-{sfx}@example.com",
            name=name,
            role=role,
            password=DEMO_PASSWORD,
            organization=org,
        )
    return people
