"""The session token lives in an HttpOnly cookie that only a server response writes, is read
from the websocket's Cookie header, and never appears in state sent to the browser.
(In Chromium: tests/e2e/test_security_in_browser.py.)"""

from __future__ import annotations

import pytest
import reflex as rx
from reflex_base.utils.format import json_dumps
from starlette.testclient import TestClient

from support_portal import urls
from support_portal.api.app import build_api
from support_portal.clock import utcnow
from support_portal.services import auth
from support_portal.state.login import LoginState
from support_portal.state.session import SessionState
from support_portal.testkit.factories import PASSWORD, make_user
from tests.session_cookie import with_session_cookie


@pytest.fixture
def client_user(session):
    user = make_user(session, "client", email="dana@example.com")
    session.commit()
    return user


def post_sign_in(settings_env, base: str, origin: str | None = None, **form: str):
    settings_env(PUBLIC_BASE_URL=base)
    client = TestClient(build_api(), base_url=base, follow_redirects=False)
    headers = {"Origin": origin} if origin else {}
    return client.post(urls.SIGN_IN_POST, data=form, headers=headers)


def test_signing_in_sets_an_httponly_lax_cookie_and_goes_home(client_user, settings_env):
    r = post_sign_in(
        settings_env,
        "http://portal.test",
        "http://portal.test",
        email="dana@example.com",
        password=PASSWORD,
    )
    assert (r.status_code, r.headers["location"]) == (303, "/client")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{urls.SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http in development


def test_over_https_the_cookie_is_secure(client_user, settings_env):
    r = post_sign_in(
        settings_env, "https://portal.example.com", email="dana@example.com", password=PASSWORD
    )
    assert "Secure" in r.headers["set-cookie"]


def test_a_wrong_password_returns_to_sign_in_with_the_email_and_no_cookie(
    client_user, settings_env
):
    r = post_sign_in(settings_env, "http://portal.test", email="dana@example.com", password="x")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?error=wrong&email=dana%40example.com"
    assert "set-cookie" not in r.headers


def test_a_sign_in_posted_from_another_site_is_refused(client_user, settings_env):
    r = post_sign_in(
        settings_env,
        "http://portal.test",
        "https://evil.example",
        email="dana@example.com",
        password=PASSWORD,
    )
    assert r.headers["location"].startswith("/login?error=origin")
    assert "set-cookie" not in r.headers


def test_the_session_has_no_client_side_cookie_var():
    assert not any(SessionState._is_client_storage(name) for name in SessionState.base_vars)


async def test_the_tab_reads_the_token_from_its_socket_and_never_sends_it(session, client_user):
    token, _ = auth.sign_in(
        session=session, email=client_user.email, password=PASSWORD, now=utcnow()
    )
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(LoginState.get_full_name().split("."))
    with_session_cookie(state, token)
    principal = await state._current()
    assert principal is not None and principal.user_id == client_user.id
    assert state.user_role == "client"
    sent = json_dumps(root.dict()) + json_dumps(root.get_delta())
    assert token not in sent


async def test_the_sign_in_page_shows_only_known_messages(session):
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(LoginState.get_full_name().split("."))
    for query, message in [
        ("error=locked&email=a%40b.c", "Too many failed attempts. Try again in 15 minutes."),
        ("error=Your+account+is+suspended", ""),
    ]:
        root.router_data = root._update_router_vars(
            {"pathname": "/login", "asPath": f"/login?{query}", "query": {}}, root.router_data
        )
        await LoginState.on_load.fn(state)
        assert state.error == message
