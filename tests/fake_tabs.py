"""Open browser tabs without a browser: stands in for the running app's `modify_state` and
socket registry, so a push can be checked against each tab's private state."""

from __future__ import annotations

import contextlib
from typing import Any

import reflex as rx

from support_portal.realtime import topics


class FakeTabs:
    def __init__(self) -> None:
        self.states: dict[tuple[str, type], rx.State] = {}
        self.connected: set[str] = set()
        self.event_namespace = self
        self._token_manager = self

    async def is_token_connected(self, token: str) -> bool:
        return token in self.connected

    def open(self, token: str) -> None:
        self.connected.add(token)

    def state(self, token: str, cls: type) -> Any:
        """The tab's instance of `cls`, inside a state tree of its own as in the app."""
        if (token, cls) not in self.states:
            root = rx.State(_reflex_internal_init=True)
            self.states[token, cls] = root.get_substate(cls.get_full_name().split("."))
        return self.states[token, cls]

    @contextlib.asynccontextmanager
    async def modify_state(self, token: rx.BaseStateToken):
        tabs = self

        class Root:
            async def get_state(self, cls: type) -> Any:
                assert cls is token.cls
                return tabs.state(token.ident, cls)

        yield Root()


@contextlib.contextmanager
def fake_tabs(monkeypatch) -> Any:
    tabs = FakeTabs()
    monkeypatch.setattr(topics, "_app", lambda: tabs)
    topics.use_registry(topics.MemoryRegistry())
    try:
        yield tabs
    finally:
        topics.use_registry(None)
