"""The Starlette app for API routes, mounted in front of Reflex through `api_transformer`.

Each routes module exposes `routes() -> list[Route]`; add yours to `ROUTE_MODULES`.
"""

from __future__ import annotations

from importlib import import_module

from starlette.applications import Starlette
from starlette.routing import BaseRoute

ROUTE_MODULES = ["support_portal.api.webhooks"]


def all_routes() -> list[BaseRoute]:
    found: list[BaseRoute] = []
    for name in ROUTE_MODULES:
        found += import_module(name).routes()
    return found


def build_api() -> Starlette:
    return Starlette(routes=all_routes())
