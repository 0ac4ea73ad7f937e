"""What a client's reply does to their ticket.

A reply on an open ticket is more detail for the team. On a resolved ticket it means the fix
did not hold, unless it is a confirmation ("thanks, it works now"); on a closed ticket it
reopens it while the close is recent, and later starts a new ticket linked to the old one,
so nobody's words land on a ticket nobody looks at.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from support_portal.domain.lifecycle import Status


class ReplyEffect(StrEnum):
    DETAILS = "details"  # the ticket stays as it is (open, or a confirmation of a fix)
    REOPEN = "reopen"  # back to in progress, the team told
    FOLLOW_UP = "follow_up"  # a new ticket linked to the long-closed one


# A confirmation is a short message made only of these words, with at least one of the
# positive ones. Anything else ("thanks, but it is still broken") is not a confirmation:
# a missed confirmation costs the team a look, a missed complaint costs the client a fix.
_POSITIVE = frozenset(
    {
        "confirm",
        "confirmed",
        "thanks",
        "thank",
        "thx",
        "ty",
        "works",
        "working",
        "worked",
        "fixed",
        "solved",
        "resolved",
        "perfect",
        "great",
        "awesome",
        "excellent",
        "good",
        "ok",
        "okay",
        "cheers",
        "yes",
        "yep",
    }
)
_FILLER = frozenset(
    {
        "you",
        "so",
        "much",
        "very",
        "many",
        "a",
        "lot",
        "it",
        "its",
        "is",
        "now",
        "all",
        "that",
        "did",
        "the",
        "trick",
        "looks",
        "everything",
        "again",
        "fine",
        "team",
        "for",
        "your",
        "help",
        "hi",
        "hello",
        "and",
        "guys",
    }
)
_WORD = re.compile(r"[a-z]+")
_MAX_WORDS = 12


def is_confirmation(text: str) -> bool:
    words = _WORD.findall(text.lower().replace("'", ""))
    if not words or len(words) > _MAX_WORDS:
        return False
    return all(w in _POSITIVE or w in _FILLER for w in words) and any(w in _POSITIVE for w in words)


def effect_of_reply(
    *,
    status: Status | str,
    text: str,
    closed_at: datetime | None,
    now: datetime,
    reopen_closed_days: float,
) -> ReplyEffect:
    status = Status(status)
    if status not in (Status.RESOLVED, Status.CLOSED) or is_confirmation(text):
        return ReplyEffect.DETAILS
    if status == Status.RESOLVED:
        return ReplyEffect.REOPEN
    if closed_at is not None and now - closed_at > timedelta(days=reopen_closed_days):
        return ReplyEffect.FOLLOW_UP
    return ReplyEffect.REOPEN
