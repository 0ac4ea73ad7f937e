"""One Starlette app holding every non-Reflex route; mounted in front of Reflex's backend."""

from __future__ import annotations

from starlette.applications import Starlette

from support_portal.api import files


def build_api() -> Starlette:
    return Starlette(routes=[*files.routes])
