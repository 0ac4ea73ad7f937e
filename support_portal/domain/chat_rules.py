"""The chat escalation rule: a chat that runs past the threshold should become a ticket.

Pure: times and the threshold are passed in, so the rule is the same in tests, in the
console after a reload, and in any job that looks at chats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar


class ChatStatus(StrEnum):
    WAITING = "waiting"  # the client wrote; no agent has taken it yet
    ACTIVE = "active"  # an agent is in the chat
    RESOLVED = "resolved"  # ended without a ticket
    CONVERTED = "converted"  # became a ticket


OPEN_CHAT_STATUSES = frozenset({ChatStatus.WAITING, ChatStatus.ACTIVE})


@dataclass(frozen=True)
class ChatClock:
    elapsed_seconds: int
    flagged: bool
    flag_text: str

    @property
    def mm_ss(self) -> str:
        return format_mm_ss(self.elapsed_seconds)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_mm_ss(seconds: float) -> str:
    """Minutes may pass 59 (75:02): a chat is never expected to run for hours."""
    total = max(0, int(seconds))
    return f"{total // 60:02d}:{total % 60:02d}"


def format_minutes(minutes: float) -> str:
    return f"{minutes:g}"


def flag_text(threshold_minutes: float) -> str:
    return f"{format_minutes(threshold_minutes)} minutes without resolution: convert to a ticket"


def chat_started_at(created_at: datetime, accepted_at: datetime | None) -> datetime:
    """The clock runs from the client's first request: waiting in the queue counts too."""
    del accepted_at  # the client's wait is part of the time without resolution
    return _utc(created_at)


def chat_clock(
    *,
    created_at: datetime,
    accepted_at: datetime | None,
    status: str,
    now: datetime,
    threshold_minutes: float,
) -> ChatClock:
    elapsed = max(0, int((_utc(now) - chat_started_at(created_at, accepted_at)).total_seconds()))
    flagged = status in OPEN_CHAT_STATUSES and elapsed >= threshold_minutes * 60
    return ChatClock(
        elapsed_seconds=elapsed,
        flagged=flagged,
        flag_text=flag_text(threshold_minutes) if flagged else "",
    )


T = TypeVar("T")


def sort_flagged_first(
    items: Iterable[T], *, flagged: str = "flagged", age: str = "elapsed_seconds"
) -> list[T]:
    """Flagged chats first, then the longest-running; works on dicts or objects."""

    def get(item: T, key: str):
        return item[key] if isinstance(item, dict) else getattr(item, key)

    return sorted(items, key=lambda i: (not get(i, flagged), -get(i, age)))


def managers_due(
    *, created_at: datetime, status: str, now: datetime, threshold_minutes: float
) -> bool:
    """A chat still open a second threshold after its flag: the managers are told.

    The holding agent is alerted at the threshold; if the chat is still neither a ticket
    nor resolved after as long again, it is the managers' business.
    """
    elapsed = (_utc(now) - _utc(created_at)).total_seconds()
    return status in OPEN_CHAT_STATUSES and elapsed >= 2 * threshold_minutes * 60
