"""The 15-minute rule, computed from stored times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from support_portal.domain.chat_rules import chat_clock, format_mm_ss, sort_flagged_first

T0 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def _clock(seconds: float, status: str = "active", threshold: float = 15):
    return chat_clock(
        created_at=T0,
        accepted_at=T0 + timedelta(seconds=30),
        status=status,
        now=T0 + timedelta(seconds=seconds),
        threshold_minutes=threshold,
    )


def test_a_chat_under_the_threshold_is_not_flagged_and_shows_mm_ss():
    clock = _clock(14 * 60 + 59)
    assert clock.mm_ss == "14:59"
    assert not clock.flagged
    assert clock.flag_text == ""


def test_a_chat_at_the_threshold_is_flagged_with_the_configured_minutes():
    clock = _clock(15 * 60)
    assert clock.flagged
    assert clock.flag_text == "15 minutes without resolution: convert to a ticket"


def test_a_fractional_threshold_is_honoured_and_named():
    assert _clock(5, threshold=0.1).flagged is False
    clock = _clock(6, threshold=0.1)
    assert clock.flagged
    assert clock.flag_text.startswith("0.1 minutes without resolution")


def test_an_ended_chat_is_never_flagged():
    assert not _clock(3600, status="resolved").flagged
    assert not _clock(3600, status="converted").flagged


def test_a_naive_stored_time_is_read_as_utc():
    clock = chat_clock(
        created_at=T0.replace(tzinfo=None),
        accepted_at=None,
        status="waiting",
        now=T0 + timedelta(minutes=2),
        threshold_minutes=15,
    )
    assert clock.mm_ss == "02:00"


def test_long_chats_keep_counting_minutes_past_an_hour():
    assert format_mm_ss(75 * 60 + 2) == "75:02"


def test_flagged_chats_sort_first_then_the_longest_running():
    chats = [
        {"id": 1, "flagged": False, "elapsed_seconds": 100},
        {"id": 2, "flagged": True, "elapsed_seconds": 1000},
        {"id": 3, "flagged": False, "elapsed_seconds": 500},
        {"id": 4, "flagged": True, "elapsed_seconds": 2000},
    ]
    assert [c["id"] for c in sort_flagged_first(chats)] == [4, 2, 3, 1]
