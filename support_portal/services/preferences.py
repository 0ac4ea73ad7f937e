"""A person's choice of how to hear about their tickets: email, SMS, and their phone number."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from support_portal.domain.contact import InvalidContact, normalize_phone
from support_portal.models import User
from support_portal.services.authz import Principal
from support_portal.services.errors import Forbidden, ValidationFailed


@dataclass(frozen=True)
class Preferences:
    notify_email: bool
    notify_sms: bool
    phone: str


def _me(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    if user is None or not user.is_active:
        raise Forbidden("Your account is not active. Please sign in again.")
    return user


def get_preferences(*, session: Session, principal: Principal) -> Preferences:
    user = _me(session, principal)
    return Preferences(user.notify_email, user.notify_sms, user.phone or "")


def update_preferences(
    *, session: Session, principal: Principal, notify_email: bool, notify_sms: bool, phone: str
) -> User:
    """Save the signed-in person's own choices; a bad number or SMS without one is refused."""
    user = _me(session, principal)
    phone = phone.strip()
    normalized: str | None = None
    if phone:
        try:
            normalized = normalize_phone(phone)
        except InvalidContact as exc:
            raise ValidationFailed({"phone": str(exc)}) from exc
    if notify_sms and normalized is None:
        raise ValidationFailed({"phone": "Add your mobile number to get SMS updates."})
    user.notify_email = bool(notify_email)
    user.notify_sms = bool(notify_sms)
    user.phone = normalized
    session.add(user)
    return user
