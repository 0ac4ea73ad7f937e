"""The support path: which live channels were tried before the ticket, and what each achieved."""

from __future__ import annotations

CHANNELS: dict[str, str] = {
    "chat": "Live chat",
    "loom": "Loom walkthrough",
    "zoom": "Zoom call",
}
MAX_OUTCOME = 500


def clean_support_path(
    entries: list[dict[str, str]],
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """(kept entries, errors by field). A tried channel must say what it achieved."""
    kept: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for entry in entries:
        channel = str(entry.get("channel", "")).strip()
        outcome = str(entry.get("outcome", "")).strip()
        if channel not in CHANNELS:
            errors["support_path"] = f"Unknown support channel {channel!r}."
            continue
        if channel in seen:
            continue
        seen.add(channel)
        if not outcome:
            errors[f"support_path_{channel}"] = (
                f"Say what the {CHANNELS[channel].lower()} achieved, so nobody repeats it."
            )
            continue
        kept.append({"channel": channel, "outcome": outcome[:MAX_OUTCOME]})
    return kept, errors
