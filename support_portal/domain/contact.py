"""Email addresses and phone numbers, checked by well-kept libraries."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class InvalidContact(ValueError):
    pass


def normalize_email_address(value: str) -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidContact(f"That email address is not valid: {exc}") from exc
    return result.normalized.lower()


def normalize_phone(value: str, default_region: str = "US") -> str:
    """Parse a phone number as a person types it and return it in E.164 (+15551234567)."""
    try:
        number = phonenumbers.parse(value.strip(), default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidContact(
            "That phone number could not be read. Include the country code."
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidContact("That phone number is not a valid number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
