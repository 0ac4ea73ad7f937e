"""One Starlette app holding every non-Reflex route; mounted in front of Reflex's backend.

Each feature module exposes its routes with full paths (no shared `Mount` prefixes, so
lists never shadow each other); add a module's routes here to serve them.
"""

from __future__ import annotations

from starlette.applications import Starlette

from support_portal.api import files, rest, sign_in, webhooks


def build_api() -> Starlette:
    return Starlette(routes=[*files.routes, *rest.routes, *sign_in.routes, *webhooks.routes()])
