"""The OpenAPI 3.1 description of the REST API, built from the pydantic models' JSON schemas."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from support_portal.api import schemas

_REQUESTS: list[type[BaseModel]] = [schemas.TicketCreate]
_RESPONSES: list[type[BaseModel]] = [
    schemas.TicketCreated,
    schemas.TicketStatus,
    schemas.ApiErrorBody,
    schemas.Health,
]
_SECURITY = [{"bearerAuth": []}, {"apiKeyHeader": []}]


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _error(description: str) -> dict[str, Any]:
    return _json(schemas.ApiErrorBody, description)


_UNAUTHORIZED = _error("No API key, or a wrong or revoked one. Nothing was changed.")


@cache
def openapi_document() -> dict[str, Any]:
    _, top = models_json_schema(
        [(m, "validation") for m in _REQUESTS] + [(m, "serialization") for m in _RESPONSES],
        ref_template="#/components/schemas/{model}",
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Support Portal API",
            "version": "1",
            "description": (
                "Create tickets from outside chat tools and read their status. "
                "Authenticate with an API key made by a manager "
                "(`support-portal create-api-key NAME`)."
            ),
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "the API key"},
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
        "paths": {
            "/api/v1/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Whether the service and its database answer",
                    "security": [],
                    "responses": {
                        "200": _json(schemas.Health, "The service is up."),
                        "503": _json(schemas.Health, "The database does not answer."),
                    },
                }
            },
            "/api/v1/tickets": {
                "post": {
                    "operationId": "createTicket",
                    "summary": "Create a ticket from a chat held in an outside tool",
                    "description": (
                        "The ticket is created for the client with `client_email` and acts as "
                        "the manager who created the API key. A vague ticket is refused with a "
                        "message per field, exactly as in the agent console."
                    ),
                    "security": _SECURITY,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(schemas.TicketCreate)}},
                    },
                    "responses": {
                        "201": {
                            **_json(schemas.TicketCreated, "The ticket was created."),
                            "headers": {
                                "Location": {
                                    "description": "the ticket's URL in this API",
                                    "schema": {"type": "string"},
                                }
                            },
                        },
                        "400": _error("The body is not JSON."),
                        "401": _UNAUTHORIZED,
                        "413": _error("The body is larger than 1 MB."),
                        "422": _error(
                            "Invalid or too vague: `errors` holds a message per field "
                            "(unknown client email, missing detail, too long, ...). "
                            "Nothing was created."
                        ),
                    },
                }
            },
            "/api/v1/tickets/{number}": {
                "get": {
                    "operationId": "getTicket",
                    "summary": "A ticket's status, priority, timestamps and public timeline",
                    "security": _SECURITY,
                    "parameters": [
                        {
                            "name": "number",
                            "in": "path",
                            "required": True,
                            "description": "the ticket number, e.g. 1042",
                            "schema": {"type": "integer", "minimum": 1},
                            "example": 1001,
                        }
                    ],
                    "responses": {
                        "200": _json(schemas.TicketStatus, "The ticket."),
                        "401": _UNAUTHORIZED,
                        "404": _error("No ticket with this number."),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This description",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
    }
