"""The REST API for outside chat tools, against the real database: keys, create, read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import func, select

from support_portal.api.app import build_api
from support_portal.clock import utcnow
from support_portal.models import Ticket, TicketEvent
from support_portal.services.api_keys import create_api_key, revoke_api_key
from support_portal.testkit.factories import make_org, make_user, principal


@pytest.fixture
async def api(db_url) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_api(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def world(session) -> dict[str, Any]:
    manager = make_user(session, "manager", name="Morgan Manager")
    org = make_org(session, name="Bright Smiles Dental")
    client = make_user(session, "client", organization=org, email="dana@brightsmiles.example")
    key, api_key = create_api_key(
        session=session, principal=principal(manager), name="Intercom", now=utcnow()
    )
    session.commit()
    return {"manager": manager, "client": client, "org": org, "key": key, "api_key": api_key}


def ticket_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_email": "dana@brightsmiles.example",
        "title": "Appointment reminder workflow skips SMS step",
        "tried_to_do": "send the 24-hour appointment reminder SMS from the reminders workflow",
        "happened_instead": "workflow history shows the SMS step skipped for every contact",
        "steps_to_reproduce": "Book a test appointment for tomorrow, open workflow history",
        "error_messages": "Action skipped: no valid phone number",
        "category": "Bug",
        "affected_area": "Workflows",
        "priority": "high",
        "transcript": [
            {"sender": "Dana", "body": "Reminders stopped going out", "at": "2026-03-03T14:50:00Z"},
            {"sender": "Alex", "body": "Looking at the workflow now", "at": "2026-03-03T14:51:00Z"},
        ],
    }
    body.update(changes)
    return body


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def ticket_count(session) -> int:
    return session.exec(select(func.count()).select_from(Ticket)).one()


async def test_a_valid_key_creates_a_ticket_and_reads_it_back(api, world, session):
    created = await api.post("/api/v1/tickets", json=ticket_body(), headers=bearer(world["key"]))
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    assert created.headers["location"] == f"/api/v1/tickets/{number}"

    read = await api.get(f"/api/v1/tickets/{number}", headers={"X-API-Key": world["key"]})
    assert read.status_code == 200
    ticket = read.json()
    assert ticket["status"] == "new" and ticket["status_label"] == "New"
    assert ticket["priority"] == "high" and ticket["source"] == "api"
    assert ticket["organization"] == "Bright Smiles Dental"
    assert ticket["timeline"][0]["summary"] == "Ticket created from a chat in an outside tool."

    stored = session.exec(select(Ticket)).one()
    assert stored.requester_id == world["client"].id and stored.organization_id == world["org"].id
    event = session.exec(select(TicketEvent).where(TicketEvent.kind == "created")).one()
    assert event.actor_id == world["manager"].id
    assert event.data["api_key"] == {"name": "Intercom", "prefix": world["api_key"].prefix}
    assert [m["body"] for m in event.data["transcript"]] == [
        "Reminders stopped going out",
        "Looking at the workflow now",
    ]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer sp_not-a-real-key"},
        {"X-API-Key": "sp_not-a-real-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["missing", "wrong bearer", "wrong header", "other scheme"],
)
async def test_a_missing_or_wrong_key_gets_401_and_creates_nothing(api, world, session, headers):
    response = await api.post("/api/v1/tickets", json=ticket_body(), headers=headers)
    assert response.status_code == 401
    assert "API key" in response.json()["error"]
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert ticket_count(session) == 0


async def test_a_revoked_key_gets_401_and_creates_nothing(api, world, session):
    revoke_api_key(
        session=session,
        principal=principal(world["manager"]),
        prefix=world["api_key"].prefix,
        now=utcnow(),
    )
    session.commit()
    response = await api.post("/api/v1/tickets", json=ticket_body(), headers=bearer(world["key"]))
    assert response.status_code == 401
    assert ticket_count(session) == 0


async def test_reading_a_ticket_needs_a_key_too(api, world):
    assert (await api.get("/api/v1/tickets/1001")).status_code == 401


async def test_a_vague_ticket_gets_422_with_a_message_per_field_and_creates_nothing(
    api, world, session
):
    vague = ticket_body(
        tried_to_do="it doesn't work",
        happened_instead="broken",
        steps_to_reproduce="",
        error_messages="",
    )
    response = await api.post("/api/v1/tickets", json=vague, headers=bearer(world["key"]))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"tried_to_do", "happened_instead", "steps_to_reproduce"}
    assert "specific" in errors["tried_to_do"]
    assert ticket_count(session) == 0


async def test_an_unknown_client_email_is_refused_clearly(api, world, session):
    body = ticket_body(client_email="stranger@nowhere.example")
    response = await api.post("/api/v1/tickets", json=body, headers=bearer(world["key"]))
    assert response.status_code == 422
    assert "No client with this email" in response.json()["errors"]["client_email"]
    assert ticket_count(session) == 0


async def test_a_team_members_email_is_not_a_client(api, world, session):
    body = ticket_body(client_email=world["manager"].email)
    response = await api.post("/api/v1/tickets", json=body, headers=bearer(world["key"]))
    assert response.status_code == 422 and "client_email" in response.json()["errors"]


async def test_the_client_email_is_matched_whatever_its_case(api, world):
    body = ticket_body(client_email="  Dana@BrightSmiles.example ")
    response = await api.post("/api/v1/tickets", json=body, headers=bearer(world["key"]))
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (ticket_body(title="x" * 201), "title"),
        (ticket_body(category="Bugs"), "category"),
        (ticket_body(priority="asap"), "priority"),
        (ticket_body(title="Null \x00 byte in the title"), "title"),
        (ticket_body(surprise=1), "surprise"),
        (ticket_body(transcript=[{"sender": "Dana", "body": "hi", "at": "yesterday"}]), "at"),
        (ticket_body(transcript=[{"sender": "Dana", "body": "hi"}]), "transcript.0.at"),
        ({k: v for k, v in ticket_body().items() if k != "client_email"}, "client_email"),
    ],
    ids=["long title", "category", "priority", "NUL", "extra", "bad time", "no time", "no email"],
)
async def test_a_malformed_field_gets_422_naming_it(api, world, session, body, field):
    response = await api.post("/api/v1/tickets", json=body, headers=bearer(world["key"]))
    assert response.status_code == 422
    assert any(field in name for name in response.json()["errors"])
    assert ticket_count(session) == 0


@pytest.mark.parametrize("raw", [b"{", b"not json", b""])
async def test_a_body_that_is_not_json_gets_400(api, world, raw):
    response = await api.post(
        "/api/v1/tickets",
        content=raw,
        headers={**bearer(world["key"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]


async def test_a_body_that_is_not_an_object_gets_422(api, world):
    response = await api.post("/api/v1/tickets", json=[1, 2], headers=bearer(world["key"]))
    assert response.status_code == 422


async def test_an_oversized_body_gets_413(api, world, session):
    body = ticket_body(
        transcript=[{"sender": "x", "body": "y" * 9000, "at": "2026-03-03T14:50:00Z"}] * 200
    )
    response = await api.post("/api/v1/tickets", json=body, headers=bearer(world["key"]))
    assert response.status_code == 413
    assert ticket_count(session) == 0


@pytest.mark.parametrize("number", ["999999", "abc", "-1", "99999999999999999999999"])
async def test_an_unknown_ticket_number_gets_404(api, world, number):
    response = await api.get(f"/api/v1/tickets/{number}", headers=bearer(world["key"]))
    assert response.status_code == 404
    assert response.json()["error"] == "Ticket not found."


async def test_health_answers_without_a_key(api, db_url):
    response = await api.get("/api/v1/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_the_openapi_description_names_every_endpoint_and_the_key_schemes(api, db_url):
    doc = (await api.get("/api/v1/openapi.json")).json()
    assert set(doc["paths"]) >= {"/api/v1/tickets", "/api/v1/tickets/{number}", "/api/v1/health"}
    assert set(doc["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyHeader"}
    create = doc["paths"]["/api/v1/tickets"]["post"]
    assert {"201", "400", "401", "413", "422"} <= set(create["responses"])
    assert doc["components"]["schemas"]["TicketCreate"]["properties"]["title"]["maxLength"] == 200


async def test_support_path_and_workflow_link_are_checked_like_in_the_console(api, world, session):
    body = ticket_body(
        support_path=[{"channel": "zoom", "outcome": "   "}],
        affected_workflow_url="http://[broken",
    )
    response = await api.post("/api/v1/tickets", json=body, headers=bearer(world["key"]))
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"support_path_zoom", "affected_workflow_url"}
    assert ticket_count(session) == 0


async def test_support_path_and_workflow_link_are_kept_on_the_ticket(api, world, session):
    body = ticket_body(
        support_path=[{"channel": "chat", "outcome": "Checked the phone field together"}],
        affected_workflow_name="Appointment reminders",
        affected_workflow_url="https://app.example.com/workflows/123",
    )
    response = await api.post("/api/v1/tickets", json=body, headers=bearer(world["key"]))
    assert response.status_code == 201
    ticket = session.exec(select(Ticket)).one()
    assert ticket.support_path == [
        {"channel": "chat", "outcome": "Checked the phone field together"}
    ]
    assert ticket.affected_workflow_url == "https://app.example.com/workflows/123"
