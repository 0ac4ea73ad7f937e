"""GET /files/{id}: the signed-in user's session cookie decides who gets a file."""

from __future__ import annotations

from starlette.testclient import TestClient

from support_portal.api.app import build_api
from support_portal.clock import utcnow
from support_portal.services import attachments, auth
from support_portal.testkit.factories import PASSWORD, make_org, make_ticket, make_user, principal
from support_portal.testkit.files import PNG
from support_portal.urls import SESSION_COOKIE


def _client_with_session(session, user) -> TestClient:
    token, _ = auth.sign_in(session=session, email=user.email, password=PASSWORD, now=utcnow())
    client = TestClient(build_api())
    client.cookies.set(SESSION_COOKIE, token)
    return client


def test_the_owner_downloads_and_others_get_404_or_401(session):
    owner = make_user(session, "client")
    ticket = make_ticket(session, requester=owner)
    outsider = make_user(session, "client", organization=make_org(session))
    att = attachments.store_attachment(
        session=session,
        principal=principal(owner),
        filename="shot.png",
        data=PNG,
        ticket_id=ticket.id,
        now=utcnow(),
    )
    session.commit()

    resp = _client_with_session(session, owner).get(f"/files/{att.id}")
    assert resp.status_code == 200 and resp.content == PNG
    assert resp.headers["content-type"] == "image/png"
    assert resp.headers["x-content-type-options"] == "nosniff"

    forbidden = _client_with_session(session, outsider).get(f"/files/{att.id}")
    missing = _client_with_session(session, outsider).get("/files/999999")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()

    assert TestClient(build_api()).get(f"/files/{att.id}").status_code == 401


def test_a_signed_out_session_can_no_longer_download(session):
    owner = make_user(session, "client")
    ticket = make_ticket(session, requester=owner)
    att = attachments.store_attachment(
        session=session,
        principal=principal(owner),
        filename="shot.png",
        data=PNG,
        ticket_id=ticket.id,
        now=utcnow(),
    )
    session.commit()
    token, _ = auth.sign_in(session=session, email=owner.email, password=PASSWORD, now=utcnow())
    auth.sign_out(session=session, token=token, now=utcnow())
    client = TestClient(build_api())
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get(f"/files/{att.id}").status_code == 401
