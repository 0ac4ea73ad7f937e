"""An unreachable database becomes one plain, retryable message for the user."""

from __future__ import annotations

import pytest
from sqlmodel import text

from support_portal.services.errors import ServiceError, Unavailable
from support_portal.state.session import backend_error_toast, in_db
from support_portal.testkit.live_app import free_port


async def test_work_on_an_unreachable_database_fails_with_a_retry_message(settings_env):
    settings_env(DB_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere")
    with pytest.raises(Unavailable) as caught:
        await in_db(lambda s: s.exec(text("SELECT 1")).one())
    assert isinstance(caught.value, ServiceError)
    assert str(caught.value) == "The service is briefly unavailable, please retry."


async def test_a_programming_error_in_the_database_is_not_disguised_as_an_outage(
    settings_env, tmp_path
):
    settings_env(DB_URL=f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(Exception) as caught:
        await in_db(lambda s: s.exec(text("SELECT * FROM no_such_table")).one())
    assert not isinstance(caught.value, Unavailable)


def test_the_outage_message_reaches_the_user_as_an_error_toast():
    spec = backend_error_toast(Unavailable())
    assert "briefly unavailable" in str(spec)
    generic = backend_error_toast(RuntimeError("boom"))
    assert "briefly unavailable" not in str(generic)
