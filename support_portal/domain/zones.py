"""Whose clock a time is shown on: the viewer's own time zone, else their organization's,
else a fallback (UTC, or the agency's zone for the team).

Every screen, message and Zoom time picks its zone here, so a person reads one time
everywhere. A stored name that is not a real zone (typed by hand, or from an old import) is
skipped, never an error on the page.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@cache
def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def viewer_zone(own: str | None, organization: str | None = None, *, fallback: str = "UTC") -> str:
    """The name of the first real zone among the person's own and their organization's;
    `fallback` when neither is set or real."""
    for name in (own, organization):
        if name and _is_zone(name):
            return name
    return fallback
