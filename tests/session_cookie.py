"""A state as a tab signed in with `token` sees it: in its websocket's Cookie header."""

from __future__ import annotations

from typing import Any

from support_portal.urls import SESSION_COOKIE


def with_session_cookie(state: Any, token: str) -> Any:
    """Give `state` (and its root) the router data of a socket that sent the session cookie."""
    headers = {"headers": {"cookie": f"other=1; {SESSION_COOKIE}={token}"}}
    targets = [state]
    while targets[-1].parent_state is not None:
        targets.append(targets[-1].parent_state)
    for target in targets:
        target.router_data = target._update_router_vars(headers, target.router_data)
    return state
