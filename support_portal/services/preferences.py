"""A client's choice of how to hear about their tickets: email, SMS, and the phone number.

SMS consent also follows the carrier keywords: STOP (and its synonyms) opts a number out at
Twilio and here; START opts it back in. An opted-out number is never sent to.
"""

from __future__ import annotations

from sqlmodel import Session, select

from support_portal.domain.contact import (
    InvalidContact,
    normalize_email_address,
    normalize_phone,
)
from support_portal.models import User
from support_portal.services.authz import Principal
from support_portal.services.errors import Forbidden, ValidationFailed

# The keywords Twilio's Advanced Opt-Out acts on (its defaults).
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
START_WORDS = frozenset({"START", "YES", "UNSTOP"})


def update_preferences(
    *,
    session: Session,
    principal: Principal,
    notify_email: bool,
    notify_sms: bool,
    phone: str | None,
    email: str | None = None,
) -> User:
    """Saves the signed-in person's own preferences; every field's problem is reported at once."""
    user = session.get(User, principal.user_id)
    if user is None or not user.is_active:
        raise Forbidden("Your account is not active. Please sign in again.")
    errors: dict[str, str] = {}
    new_phone: str | None = None
    if phone and phone.strip():
        try:
            new_phone = normalize_phone(phone)
        except InvalidContact as exc:
            errors["phone"] = str(exc)
    new_email = user.email
    if email is not None and email.strip() != user.email:
        try:
            new_email = normalize_email_address(email)
        except InvalidContact as exc:
            errors["email"] = str(exc)
        else:
            taken = session.exec(
                select(User).where(User.email == new_email, User.id != user.id)
            ).first()
            if taken is not None:
                errors["email"] = "That email address is already used by another account."
    if notify_sms and not new_phone and "phone" not in errors:
        errors["phone"] = "Add a mobile number to get SMS updates."
    if errors:
        raise ValidationFailed(errors)
    if new_phone != user.phone:
        # An opt-out belongs to the number that sent STOP, not to the person.
        user.sms_opted_out = False
    if new_email != user.email:
        user.email = new_email
        user.email_undeliverable = False
    user.phone = new_phone
    user.notify_email = notify_email
    user.notify_sms = notify_sms
    session.add(user)
    return user


def users_with_phone(session: Session, phone: str) -> list[User]:
    return list(session.exec(select(User).where(User.phone == phone)).all())


def opt_out_sms(*, session: Session, phone: str) -> int:
    """The number replied STOP: nothing more is sent to it until it replies START."""
    users = users_with_phone(session, phone)
    for user in users:
        user.sms_opted_out = True
        session.add(user)
    return len(users)


def opt_in_sms(*, session: Session, phone: str) -> int:
    """The number replied START: it asked for messages again."""
    users = users_with_phone(session, phone)
    for user in users:
        user.sms_opted_out = False
        user.notify_sms = True
        session.add(user)
    return len(users)


def keyword(text: str) -> str | None:
    """ "STOP", "START", "CONFIRM" or "REOPEN" when the whole message is that word, else None."""
    word = " ".join(text.strip().upper().rstrip(".!").split())
    if word in STOP_WORDS:
        return "STOP"
    if word in START_WORDS:
        return "START"
    first = word.split(" ", 1)[0].rstrip(":,.!") if word else ""
    if first in {"CONFIRM", "REOPEN"}:
        return first
    return None


def get_preferences(*, session: Session, principal: Principal) -> User:
    """The signed-in person's own record, for the settings form."""
    user = session.get(User, principal.user_id)
    if user is None or not user.is_active:
        raise Forbidden("Your account is not active. Please sign in again.")
    return user


def save_preferences(
    *,
    session: Session,
    principal: Principal,
    notify_email: bool,
    notify_sms: bool,
    phone: str | None,
) -> str:
    """The use case behind the client settings and the staff profile: the signed-in person's
    own notification settings, committed; returns the phone as stored."""
    user = update_preferences(
        session=session,
        principal=principal,
        notify_email=notify_email,
        notify_sms=notify_sms,
        phone=phone,
    )
    session.commit()
    return user.phone or ""
