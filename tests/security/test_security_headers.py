"""Every response carries the browser security headers; a page's CSP lets only its own
inline scripts run. (The served app, in Chromium: tests/e2e/test_security_in_browser.py.)"""

from __future__ import annotations

import gzip

import pytest
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient

from support_portal.api.app import build_api
from support_portal.api.middleware import script_hashes, security_headers
from support_portal.clock import utcnow
from support_portal.services import attachments, auth
from support_portal.settings import get_settings
from support_portal.testkit.factories import PASSWORD, make_ticket, make_user, principal
from support_portal.testkit.files import PNG
from support_portal.urls import SESSION_COOKIE

PAGE = b"<html><head><script>window.boot = 1;</script><script src='/a.js'></script></head></html>"
COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


async def page(request):
    return HTMLResponse(PAGE)


async def gzipped_page(request):
    return Response(
        gzip.compress(PAGE), media_type="text/html", headers={"content-encoding": "gzip"}
    )


async def static_page(request):
    # A built page as Reflex's static files serve it: with an ETag, 304 when unchanged.
    etag = '"v1"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"etag": etag})
    return HTMLResponse(PAGE, headers={"etag": etag})


async def socket(ws):
    await ws.accept()
    await ws.close()


def stack() -> TestClient:
    """Our routes in front of stand-ins for Reflex's page and websocket, as in the app."""
    api = build_api()
    api.router.routes += [
        Route("/login", page),
        Route("/manager", gzipped_page),
        WebSocketRoute("/_event/", socket),
        Route("/static-page", static_page),
    ]
    return TestClient(security_headers(api), base_url="https://portal.example.com")


@pytest.fixture
def client(session):
    return stack()


@pytest.mark.parametrize("path", ["/login", "/api/v1/tickets", "/files/1", "/api/openapi.json"])
def test_every_kind_of_response_carries_the_security_headers(client, path):
    r = client.get(path)
    for name, value in COMMON.items():
        assert r.headers[name] == value, (path, name)
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_a_page_may_run_only_its_own_inline_scripts(client):
    policy = client.get("/login").headers["content-security-policy"]
    [own] = script_hashes(PAGE)
    assert own in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in policy
    # A compressed page is read back for its hashes.
    assert own in client.get("/manager").headers["content-security-policy"]


def test_a_served_file_keeps_its_own_stricter_policy(client, session):
    agent = make_user(session, "agent")
    ticket = make_ticket(session, agent=agent)
    att = attachments.store_attachment(
        session=session,
        principal=principal(agent),
        filename="s.png",
        data=PNG,
        ticket_id=ticket.id,
        now=utcnow(),
    )
    session.commit()
    token, _ = auth.sign_in(session=session, email=agent.email, password=PASSWORD, now=utcnow())
    client.cookies.set(SESSION_COOKIE, token)
    r = client.get(f"/files/{att.id}")
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert r.headers["x-frame-options"] == "DENY"


def test_the_websocket_handshake_carries_them_too(client):
    with client.websocket_connect("/_event/") as ws:
        accepted = dict(ws.extra_headers)  # type: ignore[attr-defined]
    assert accepted[b"x-frame-options"] == b"DENY"


def test_hsts_only_when_the_public_address_is_https(session, settings_env):
    settings_env(PUBLIC_BASE_URL="https://portal.example.com")
    hsts = stack().get("/login").headers.get("strict-transport-security")
    assert hsts == "max-age=31536000; includeSubDomains"
    settings_env(PUBLIC_BASE_URL="http://localhost:3000")
    assert "strict-transport-security" not in stack().get("/login").headers


def test_cors_allows_the_public_origin_and_the_listed_ones_only(settings_env):
    settings_env(
        PUBLIC_BASE_URL="https://portal.example.com/",
        CORS_ORIGINS="https://crm.example.com, https://admin.example.com/",
    )
    assert get_settings().allowed_origins() == [
        "https://portal.example.com",
        "https://crm.example.com",
        "https://admin.example.com",
    ]


def test_a_page_the_server_sends_from_disk_is_hashed_too(tmp_path):
    """Reflex serves built pages with ASGI `pathsend`: the file is read for its hashes."""
    built = tmp_path / "login.html"
    built.write_bytes(PAGE)

    async def static(scope, receive, send):
        headers = [(b"content-type", b"text/html; charset=utf-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.pathsend", "path": str(built)})

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    import asyncio

    scope = {"type": "http", "method": "GET", "path": "/login", "headers": []}
    asyncio.run(security_headers(static)(scope, receive, send))
    start, pathsend = sent
    policy = dict(start["headers"])[b"content-security-policy"].decode()
    assert script_hashes(PAGE)[0] in policy
    assert pathsend == {"type": "http.response.pathsend", "path": str(built)}


def test_a_not_modified_answer_leaves_the_cached_pages_policy_alone(client):
    first = client.get("/static-page")
    assert first.status_code == 200
    again = client.get("/static-page", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert "content-security-policy" not in again.headers
    assert again.headers["x-frame-options"] == "DENY"
