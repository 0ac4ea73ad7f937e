"""API keys for outside chat tools: created by a manager, shown once, stored only as a hash.

A key acts as the manager who created it (the agency's keys are agency-wide), so a ticket made
through the API is recorded as that manager's action, with the key's name on the event.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlmodel import Session, col, select

from support_portal.domain.roles import Role
from support_portal.models import ApiKey, User
from support_portal.services.authz import Principal, require_role
from support_portal.services.errors import Conflict, NotFound, ValidationFailed

# Readable in logs and secret scanners: "sp_" + 43 url-safe characters (256 random bits).
KEY_MARK = "sp_"
PREFIX_CHARS = 11  # "sp_" + 8 characters: enough to tell keys apart, useless for guessing
MAX_NAME_CHARS = 120
# Anything longer is not a key of ours; refuse it before hashing.
MAX_PRESENTED_CHARS = 200


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_key(
    *, session: Session, principal: Principal, name: str, now: datetime
) -> tuple[str, ApiKey]:
    """A new key for an integration; the plaintext is returned once and never stored."""
    require_role(principal, Role.MANAGER)
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": "Give the key a name, such as the tool that will use it."})
    if len(name) > MAX_NAME_CHARS:
        raise ValidationFailed({"name": f"Keep the name under {MAX_NAME_CHARS} characters."})
    plaintext = KEY_MARK + secrets.token_urlsafe(32)
    api_key = ApiKey(
        name=name,
        prefix=plaintext[:PREFIX_CHARS],
        key_hash=hash_key(plaintext),
        created_by_id=principal.user_id,
        created_at=now,
    )
    session.add(api_key)
    session.flush()
    return plaintext, api_key


def list_api_keys(*, session: Session, principal: Principal) -> list[ApiKey]:
    require_role(principal, Role.MANAGER)
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.created_at))).all())


def revoke_api_key(*, session: Session, principal: Principal, prefix: str, now: datetime) -> ApiKey:
    """Stop a key from working, found by the prefix shown when it was created."""
    require_role(principal, Role.MANAGER)
    prefix = prefix.strip()
    matches = (
        session.exec(
            select(ApiKey).where(ApiKey.prefix == prefix, col(ApiKey.revoked_at).is_(None))
        ).all()
        if prefix
        else []
    )
    if not matches:
        raise NotFound(f"No active API key starts with {prefix!r}.")
    if len(matches) > 1:
        raise Conflict(f"More than one active API key starts with {prefix!r}.")
    api_key = matches[0]
    api_key.revoked_at = now
    session.add(api_key)
    return api_key


def authenticate(session: Session, presented_key: str | None) -> ApiKey | None:
    """The active key matching what the caller presented, or None.

    Looking the key up by its SHA-256 hash means no secret is ever compared byte by byte, so
    response times say nothing about how much of a guess was right. A key whose creator is no
    longer an active manager stops working with them.
    """
    if not presented_key or len(presented_key) > MAX_PRESENTED_CHARS:
        return None
    api_key = session.exec(
        select(ApiKey).where(
            ApiKey.key_hash == hash_key(presented_key), col(ApiKey.revoked_at).is_(None)
        )
    ).first()
    if api_key is None or api_key.created_by_id is None:
        return None
    creator = session.get(User, api_key.created_by_id)
    if creator is None or not creator.is_active or creator.role != Role.MANAGER.value:
        return None
    return api_key


def principal_for_key(session: Session, api_key: ApiKey) -> Principal:
    """Who acts when a key is used: the manager who created it."""
    creator = session.get(User, api_key.created_by_id)
    if creator is None:
        raise NotFound("The API key's owner no longer exists.")
    return Principal.of(creator)
