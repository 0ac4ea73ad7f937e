"""One Starlette app holding every non-Reflex route; mounted in front of Reflex's backend.

Each feature module exposes a `routes` list with full paths (no shared `Mount` prefixes, so
lists never shadow each other); add a module's list here to serve it.
"""

from __future__ import annotations

from starlette.applications import Starlette

from support_portal.api import files, rest


def build_api() -> Starlette:
    return Starlette(routes=[*files.routes, *rest.routes])
