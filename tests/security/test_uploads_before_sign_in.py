"""An upload is refused on its headers: no signed-in session or too large, and not a byte
of the body is read."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from support_portal.api.middleware import UPLOAD_PATH, guard_uploads
from support_portal.services import auth
from support_portal.testkit.factories import PASSWORD, make_user
from support_portal.urls import SESSION_COOKIE

MB = 1024 * 1024


class Upstream:
    """Stands in for Reflex's upload handler and notes how much of the body it read."""

    def __init__(self) -> None:
        self.read = 0
        self.called = False

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            self.read += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"stored"})


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
def client(upstream, session):
    return TestClient(guard_uploads(upstream))  # no lifespan: the stand-in has none


def signed_in_token(session) -> str:
    user = make_user(session, "client")
    session.commit()
    token, _ = auth.sign_in(session=session, email=user.email, password=PASSWORD)
    return token


def post(client, size: int, token: str | None = None):
    cookies = {SESSION_COOKIE: token} if token else {}
    client.cookies.clear()
    client.cookies.update(cookies)
    return client.post(
        UPLOAD_PATH,
        files={"files": ("shot.png", b"\0" * size, "image/png")},
        headers={"Reflex-Client-Token": "tab", "Reflex-Event-Handler": "x.add_details"},
    )


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_an_upload_without_a_live_sign_in_is_refused_unread(client, upstream, token):
    r = post(client, 2 * MB, token)
    assert r.status_code == 401
    assert r.json()["error"] == "Sign in to upload files."
    assert not upstream.called and upstream.read == 0


def test_an_upload_over_the_request_cap_is_refused_unread(client, upstream, session, settings_env):
    settings_env(MAX_UPLOAD_REQUEST_MB="1")
    r = post(client, 2 * MB, signed_in_token(session))
    assert r.status_code == 413
    assert "limited to 1 MB" in r.json()["error"]
    assert not upstream.called


def test_a_signed_in_upload_under_the_cap_reaches_the_handler(client, upstream, session):
    r = post(client, 100_000, signed_in_token(session))
    assert r.status_code == 200
    assert upstream.read > 100_000


def test_the_app_guards_its_upload_route():
    from support_portal.support_portal import app

    assert guard_uploads in app.api_transformer
