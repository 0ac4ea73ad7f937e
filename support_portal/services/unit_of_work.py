"""How every entry point (Reflex handlers, API routes) runs one use case.

A use case is a service function that takes the session as its unit of work and commits
what it changed itself; whatever it did not commit is rolled back here. A refusal of any
kind leaves as a `ServiceError` whose message is fit to show the person who acted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from support_portal.db import session_scope
from support_portal.domain.lifecycle import TransitionNotAllowed
from support_portal.domain.roles import Role
from support_portal.services import tickets
from support_portal.services.authz import Principal, require_role
from support_portal.services.errors import Conflict, ServiceError, Unavailable

T = TypeVar("T")


def run(use_case: Callable[[Session], T]) -> T:
    """Run `use_case(session)` in a fresh unit of work (blocking: call it off the event loop)."""
    try:
        with session_scope() as session:
            return use_case(session)
    except TransitionNotAllowed as exc:
        # A lifecycle rule of the domain said no; its message is written for the user.
        raise ServiceError(str(exc)) from exc
    except StaleDataError as exc:
        # Another change to the same ticket committed between our read and our write.
        raise Conflict(
            "Someone else changed this ticket at the same moment. It now shows its latest "
            "state; please check it and try again."
        ) from exc
    except DBAPIError as exc:
        # A lost or refused connection (database restarting, network blip) is the
        # user's business only as "try again"; anything else is a bug and propagates.
        # Connecting failed (no statement ran), or the driver saw the connection drop.
        cannot_connect = isinstance(exc, OperationalError) and exc.statement is None
        if cannot_connect or exc.connection_invalidated:
            raise Unavailable() from exc
        raise


def on_ticket(
    step: Callable[..., object],
    *,
    session: Session,
    principal: Principal,
    number: str,
    roles: tuple[Role, ...],
    **change: Any,
) -> int:
    """A use case made of one ticket service: `step` applied to the ticket `number` by one
    of `roles` who may see it, committed with its events and notifications. Returns the
    ticket's id, for the pushes to its open pages."""
    require_role(principal, *roles)
    ticket = tickets.get_ticket(session=session, principal=principal, number=number)
    step(session=session, principal=principal, ticket=ticket, **change)
    session.commit()
    return ticket.id  # type: ignore[return-value]
