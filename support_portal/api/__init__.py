"""Starlette routes beside the Reflex app: files, webhooks, the REST API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from support_portal.services import unit_of_work

T = TypeVar("T")


async def in_db(use_case: Callable[[Any], T]) -> T:
    """Run one use case off the event loop in its own unit of work (the service commits);
    a refusal arrives as a `ServiceError`, as it does for the Reflex handlers."""
    return await run_in_threadpool(unit_of_work.run, use_case)
