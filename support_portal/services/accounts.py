"""Organizations and users: creating them with their input checked."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from support_portal.domain.contact import InvalidContact, normalize_email_address, normalize_phone
from support_portal.domain.roles import Role
from support_portal.models import Organization, User
from support_portal.services.auth import hash_password
from support_portal.services.errors import NotFound, ValidationFailed

MIN_PASSWORD_LENGTH = 8


def _check_timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed({"timezone": f"Unknown time zone: {tz}"}) from exc
    return tz


def create_organization(
    *, session: Session, name: str, timezone: str = "UTC", crm_subaccount_id: str | None = None
) -> Organization:
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": "An organization needs a name."})
    if session.exec(select(Organization).where(Organization.name == name)).first():
        raise ValidationFailed({"name": f"An organization named {name!r} already exists."})
    org = Organization(
        name=name, timezone=_check_timezone(timezone), crm_subaccount_id=crm_subaccount_id
    )
    session.add(org)
    session.flush()
    return org


def find_organization(*, session: Session, name: str) -> Organization:
    org = session.exec(select(Organization).where(Organization.name == name.strip())).first()
    if org is None:
        raise NotFound(f"No organization named {name!r}.")
    return org


def create_user(
    *,
    session: Session,
    email: str,
    name: str,
    role: str,
    password: str,
    organization: Organization | None = None,
    phone: str | None = None,
    notify_sms: bool = False,
    timezone: str | None = None,
) -> User:
    errors: dict[str, str] = {}
    try:
        role_value = Role(role)
    except ValueError:
        errors["role"] = f"Unknown role {role!r}: use client, agent or manager."
        role_value = None
    try:
        email = normalize_email_address(email)
    except InvalidContact as exc:
        errors["email"] = str(exc)
    if not errors.get("email") and session.exec(select(User).where(User.email == email)).first():
        errors["email"] = f"A user with the email {email} already exists."
    if not name.strip():
        errors["name"] = "A user needs a name."
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
    if role_value == Role.CLIENT and organization is None:
        errors["organization"] = "A client user belongs to an organization."
    if role_value in (Role.AGENT, Role.MANAGER) and organization is not None:
        errors["organization"] = "Agency staff do not belong to a client organization."
    if phone:
        try:
            phone = normalize_phone(phone)
        except InvalidContact as exc:
            errors["phone"] = str(exc)
    if timezone:
        try:
            _check_timezone(timezone)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors, "; ".join(errors.values()))
    user = User(
        email=email,
        name=name.strip(),
        role=role_value.value,  # type: ignore[union-attr]
        organization_id=organization.id if organization else None,
        password_hash=hash_password(password),
        phone=phone or None,
        notify_sms=bool(phone) and notify_sms,
        timezone=timezone,
    )
    session.add(user)
    session.flush()
    return user
