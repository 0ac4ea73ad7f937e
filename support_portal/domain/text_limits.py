"""How long a person's free text may be, one place for the services that refuse longer
text and the screens that show the limit while it is typed."""

from __future__ import annotations

CHAT_MESSAGE = 4_000
# "Add details", an update for the client, an internal note: long enough for a pasted log
# excerpt, short enough that a page with many of them stays readable.
TICKET_TEXT = 10_000

# A counter shows once this share of the limit is used.
COUNTER_FROM = 0.9


def too_long(what: str, limit: int) -> str:
    """`what` says it in full: "This message is too long"."""
    return f"{what}: keep it under {limit:,} characters."
