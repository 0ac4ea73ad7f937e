"""The REST API for outside chat tools, under /api/v1. Each endpoint turns a request into one
service call and the result (or the service's refusal) into JSON."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from pydantic import ValidationError
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support_portal.api import in_db, schemas
from support_portal.api.openapi import openapi_document
from support_portal.clock import utcnow
from support_portal.db import session_scope
from support_portal.domain.lifecycle import STATUS_LABELS, Status
from support_portal.domain.ticket_quality import TicketDraft
from support_portal.models import ApiKey
from support_portal.services import api_keys, tickets_api
from support_portal.services.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceError,
    Throttled,
    Unavailable,
    ValidationFailed,
)

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
MAX_BODY_BYTES = 1_000_000

_SERVICE_STATUS: list[tuple[type[ServiceError], int]] = [
    (ValidationFailed, 422),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (Throttled, 429),
    (Unavailable, 503),
]


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors or {}


def _error(status: int, message: str, errors: dict[str, str] | None = None) -> JSONResponse:
    body = schemas.ApiErrorBody(error=message, errors=errors or {}).model_dump(mode="json")
    headers = {"WWW-Authenticate": 'Bearer realm="api"'} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(fn: Endpoint) -> Endpoint:
    """Refusals become JSON errors; anything unexpected is logged and is a JSON 500."""

    @wraps(fn)
    async def wrapper(request: Request) -> Response:
        try:
            return await fn(request)
        except ApiError as exc:
            return _error(exc.status, str(exc), exc.errors)
        except ServiceError as exc:
            status = next((s for cls, s in _SERVICE_STATUS if isinstance(exc, cls)), 400)
            return _error(status, str(exc), getattr(exc, "errors", None))
        except Exception:
            log.exception("REST API error on %s %s", request.method, request.url.path)
            return _error(500, "Something went wrong on our side; nothing was changed.")

    return wrapper


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-api-key", "").strip() or None


async def _authenticated_key(request: Request) -> ApiKey:
    presented = presented_key(request)
    api_key = await in_db(lambda s: api_keys.authenticate(s, presented))
    if api_key is None:
        raise ApiError(
            401,
            "A valid API key is required: send it as 'Authorization: Bearer <key>' "
            "or in the 'X-API-Key' header.",
        )
    return api_key


async def _read_body(request: Request) -> bytes:
    """The body, refused once it passes the limit rather than read whole into memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, "The body is larger than 1 MB.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, "The body is larger than 1 MB.")
        chunks.append(chunk)
    return b"".join(chunks)


def _field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        field = ".".join(str(part) for part in err["loc"]) or "body"
        errors.setdefault(field, err["msg"].removeprefix("Value error, "))
    return errors


def parse_ticket_create(raw: bytes) -> schemas.TicketCreate:
    try:
        return schemas.TicketCreate.model_validate_json(raw)
    except ValidationError as exc:
        bad_json = [e for e in exc.errors() if e["type"] == "json_invalid"]
        if bad_json:
            raise ApiError(400, f"The body is not valid JSON: {bad_json[0]['msg']}.") from exc
        raise ApiError(422, "The request has invalid fields.", _field_errors(exc)) from exc


async def _create(api_key: ApiKey, body: schemas.TicketCreate) -> schemas.TicketCreated:
    fields = body.model_dump(exclude={"client_email", "transcript"})
    transcript = [m.model_dump(mode="json") for m in body.transcript]
    now = utcnow()
    ticket = await in_db(
        lambda s: tickets_api.create_ticket_via_api(
            session=s,
            api_key=api_key,
            client_email=body.client_email,
            draft=TicketDraft(**fields),
            transcript=transcript,
            now=now,
        )
    )
    return schemas.TicketCreated(
        number=ticket.number,  # type: ignore[arg-type]
        status=ticket.status,
        priority=ticket.priority,
        title=ticket.title,
        created_at=ticket.created_at,
        url=f"{PREFIX}/tickets/{ticket.number}",
    )


async def _read(api_key: ApiKey, number: str) -> schemas.TicketStatus:
    view = await in_db(
        lambda s: tickets_api.ticket_status(session=s, api_key=api_key, number=number)
    )
    t = view.ticket
    return schemas.TicketStatus(
        number=t.number,  # type: ignore[arg-type]
        title=t.title,
        status=t.status,
        status_label=STATUS_LABELS.get(Status(t.status), t.status),
        priority=t.priority,
        category=t.category,
        affected_area=t.affected_area,
        organization=view.organization,
        source=t.source,
        created_at=t.created_at,
        updated_at=t.updated_at,
        first_response_at=t.first_response_at,
        resolved_at=t.resolved_at,
        closed_at=t.closed_at,
        timeline=[
            schemas.TimelineItem(kind=e.kind, at=e.at, summary=e.summary) for e in view.timeline
        ],
    )


def _json(model: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), status_code=status, headers=headers)


@endpoint
async def create_ticket(request: Request) -> Response:
    api_key = await _authenticated_key(request)
    body = parse_ticket_create(await _read_body(request))
    created = await _create(api_key, body)
    return _json(created, 201, headers={"Location": created.url})


@endpoint
async def read_ticket(request: Request) -> Response:
    api_key = await _authenticated_key(request)
    view = await _read(api_key, request.path_params["number"])
    return _json(view)


def _database_answers() -> bool:
    try:
        with session_scope() as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        return True
    except Exception:
        log.exception("Health check: the database does not answer")
        return False


@endpoint
async def health(request: Request) -> Response:
    ok = await run_in_threadpool(_database_answers)
    return _json(schemas.Health(status="ok" if ok else "unavailable"), 200 if ok else 503)


@endpoint
async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


routes = [
    Route(f"{PREFIX}/health", health, methods=["GET"]),
    Route(f"{PREFIX}/openapi.json", openapi, methods=["GET"]),
    Route(f"{PREFIX}/tickets", create_ticket, methods=["POST"]),
    Route(f"{PREFIX}/tickets/{{number}}", read_ticket, methods=["GET"]),
]
