"""After a committed ticket change: refresh every open view of it, wherever it is shown.

One call for handlers (`ticket_changed_later`), so no screen forgets the board or the
client's timeline. In-process only; with Redis the pushes reach every worker's tabs.
"""

from __future__ import annotations

from support_portal.state.board import broadcast_board_changed, refresh_board_later
from support_portal.state.ticket_live import schedule_ticket_update


def ticket_changed_later(ticket_id: int | None, *, skip_user_id: int | None = None) -> None:
    """Schedule the refresh to run after the current event has released its state locks."""
    if ticket_id is not None:
        schedule_ticket_update(ticket_id, skip_user_id=skip_user_id)
    refresh_board_later()


# Jobs whose work changes tickets (SLA badges, auto-close, problem resolutions).
_TICKET_JOBS = ("sla", "detect_systemic")


async def after_job_tick(done: dict[str, int]) -> None:
    """Called by the in-process job loop: boards reload when a job changed something."""
    if any(done.get(name, 0) > 0 for name in _TICKET_JOBS):
        await broadcast_board_changed()
