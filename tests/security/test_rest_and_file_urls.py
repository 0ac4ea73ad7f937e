"""The REST API and the attachment URLs, approached with a valid key or a valid session and a
path that tries to reach somewhere else.

The API's keys are agency-wide (see support_portal/services/api_keys.py), so reading any ticket
number is allowed; what must hold is that a key reaches only the API's own answers: never a
file, never an internal note, and an unknown or malformed number is a plain 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from support_portal.api.app import build_api
from support_portal.clock import utcnow
from support_portal.services import auth
from support_portal.testkit.factories import PASSWORD
from support_portal.testkit.files import PNG
from support_portal.urls import SESSION_COOKIE
from tests.security.world import World, build_world


@pytest.fixture
def world(session) -> World:
    return build_world(session)


@pytest.fixture
async def api(db_url) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_api(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def _bearer(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_key_plain}"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/{a}/../../../files/{file}",
        "/api/v1/tickets/..%2F..%2F..%2Ffiles%2F{file}",
        "/api/v1/tickets/{a}%2F..%2F..%2Ffiles%2F{file}",
        "/api/v1/tickets/{a}/attachments/{file}",
        "/api/v1/tickets/{a}.json",
        "/api/v1/tickets/0x{a}",
    ],
)
async def test_a_valid_key_cannot_walk_out_of_the_api(api, world, path):
    url = path.format(a=world.ticket_a.number, file=world.public_file_a.id)
    response = await api.get(url, headers=_bearer(world))
    assert response.content != PNG
    assert response.status_code in (401, 404), url


async def test_a_key_is_not_a_session_for_files(api, world):
    response = await api.get(f"/files/{world.public_file_a.id}", headers=_bearer(world))
    assert response.status_code == 401
    assert response.content != PNG


async def test_the_api_shows_a_ticket_without_its_internal_notes(api, world):
    response = await api.get(f"/api/v1/tickets/{world.ticket_a.number}", headers=_bearer(world))
    assert response.status_code == 200
    assert "Internal A note" not in response.text
    assert "Workflow engine outage" not in response.text  # problem links are internal


async def test_a_session_reaches_only_its_own_organizations_files(api, world, session):
    token, _ = auth.sign_in(
        session=session, email=world.users["client"].email, password=PASSWORD, now=utcnow()
    )
    cookies = {SESSION_COOKIE: token}
    api.cookies.update(cookies)
    own = await api.get(f"/files/{world.public_file_a.id}")
    assert own.status_code == 200 and own.content == PNG
    answers = [
        await api.get(f"/files/{attachment_id}")
        for attachment_id in (
            world.file_b.id,  # another organization's
            world.internal_file_a.id,  # the team's internal file on their own ticket
            world.chat_file_a.id + 10_000,  # nothing at all
        )
    ]
    assert [r.status_code for r in answers] == [404, 404, 404]
    assert len({r.content for r in answers}) == 1  # the same answer, so nothing is revealed
    for path in (f"/files/{world.file_b.id}/", f"/files/-{world.file_b.id}", "/files/1e3"):
        assert (await api.get(path)).content != PNG


async def test_an_ended_session_cannot_download(api, world, session):
    token, _ = auth.sign_in(
        session=session, email=world.users["client"].email, password=PASSWORD, now=utcnow()
    )
    auth.sign_out(session=session, token=token, now=utcnow())
    api.cookies.update({SESSION_COOKIE: token})
    response = await api.get(f"/files/{world.public_file_a.id}")
    assert response.status_code == 401
