"""Errors a service raises; each message is fit to show the person who acted."""

from __future__ import annotations

from support_portal.domain.lifecycle import TransitionNotAllowed


class ServiceError(Exception):
    """Base of every refusal a service makes."""


class NotFound(ServiceError):
    """Also raised for things that exist but the actor may not see: the two look the same."""


class Forbidden(ServiceError):
    pass


class Conflict(ServiceError):
    """Someone else changed the record first (version check) or claimed it first."""


class Throttled(ServiceError):
    pass


class Unavailable(ServiceError):
    """The database could not be reached; nothing was done, and trying again is safe."""

    def __init__(self, message: str = "The service is briefly unavailable, please retry.") -> None:
        super().__init__(message)


class ValidationFailed(ServiceError):
    """Bad input; `errors` maps each field to its message so forms can show them in place."""

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        self.errors = errors
        super().__init__(message or " ".join(errors.values()))


__all__ = [
    "Conflict",
    "Forbidden",
    "NotFound",
    "ServiceError",
    "Throttled",
    "TransitionNotAllowed",
    "ValidationFailed",
]
