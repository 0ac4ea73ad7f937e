"""Live topics: which open tabs show what, so a change is pushed to exactly those tabs.

A topic ("chat:12", "agents-queue", "board", "ticket:7:viewer:3") is a set of tab tokens.
A tab joins a topic only after a service has said it may see what the topic carries; a push
then modifies each member tab's own private state through `app.modify_state`, so the data
never sits anywhere another tab could read it. With Redis the set lives in Redis and
Reflex relays each push to whichever worker holds the tab's socket.

Why not `rx.SharedState`: in Reflex 0.10.1 every event of a tab linked to a shared state
locks that state's room and re-sends it to every other linked tab, changed or not
(reflex-dev/reflex#6746). Fifty agent consoles linked to one queue turned each chat message
into fifty pushes behind one lock. Here a message costs one push per tab of that chat.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar

import reflex as rx

log = logging.getLogger(__name__)

S = TypeVar("S", bound=rx.State)

# A member stays until the sign-in session it joined under expires (its score), until it
# leaves, or until that session signs out. The keys themselves outlive any session.
KEY_SECONDS = 7 * 24 * 3600
_PREFIX = "support-portal:topic:"
_TAB_PREFIX = "support-portal:tab-topics:"
_OWNER_PREFIX = "support-portal:session-tabs:"
_CLAIM_PREFIX = "support-portal:claim:"
_MARK_PREFIX = "support-portal:mark:"


class Registry(Protocol):
    async def join(self, topic: str, token: str, *, until: float, owner: str) -> None: ...
    async def leave(self, topic: str, token: str) -> None: ...
    async def leave_all(self, token: str) -> None: ...
    async def leave_owner(self, owner: str) -> None: ...
    async def members(self, topic: str) -> list[str]: ...
    async def claim(self, name: str, seconds: float) -> bool: ...
    async def get_mark(self, name: str) -> int | None: ...
    async def set_mark(self, name: str, value: int) -> None: ...


class MemoryRegistry:
    """One process (Reflex's in-memory state manager runs a single worker)."""

    def __init__(self) -> None:
        self._members: dict[str, dict[str, float]] = {}
        self._topics_of: dict[str, set[str]] = {}
        self._tabs_of: dict[str, set[str]] = {}
        self._marks: dict[str, int] = {}

    async def join(self, topic: str, token: str, *, until: float, owner: str) -> None:
        self._members.setdefault(topic, {})[token] = until
        self._topics_of.setdefault(token, set()).add(topic)
        self._tabs_of.setdefault(owner, set()).add(token)

    async def leave(self, topic: str, token: str) -> None:
        self._members.get(topic, {}).pop(token, None)
        self._topics_of.get(token, set()).discard(topic)

    async def leave_all(self, token: str) -> None:
        for topic in self._topics_of.pop(token, set()):
            self._members.get(topic, {}).pop(token, None)

    async def leave_owner(self, owner: str) -> None:
        for token in self._tabs_of.pop(owner, set()):
            await self.leave_all(token)

    async def claim(self, name: str, seconds: float) -> bool:
        return True  # one process: nobody else to take turns with

    async def get_mark(self, name: str) -> int | None:
        return self._marks.get(name)

    async def set_mark(self, name: str, value: int) -> None:
        self._marks[name] = value

    async def members(self, topic: str) -> list[str]:
        tabs = self._members.get(topic, {})
        now = time.time()
        for token in [t for t, until in tabs.items() if until <= now]:
            await self.leave(topic, token)
        return list(tabs)


class RedisRegistry:
    """Shared by every worker: a sorted set per topic (score: when the member's session
    expires), per tab the set of its topics, per sign-in session the set of its tabs."""

    def __init__(self, redis: Any) -> None:
        self._redis = redis

    async def join(self, topic: str, token: str, *, until: float, owner: str) -> None:
        async with self._redis.pipeline(transaction=False) as p:
            p.zadd(_PREFIX + topic, {token: until})
            p.expire(_PREFIX + topic, KEY_SECONDS)
            p.sadd(_TAB_PREFIX + token, topic)
            p.expire(_TAB_PREFIX + token, KEY_SECONDS)
            p.sadd(_OWNER_PREFIX + owner, token)
            p.expire(_OWNER_PREFIX + owner, KEY_SECONDS)
            await p.execute()

    async def leave(self, topic: str, token: str) -> None:
        async with self._redis.pipeline(transaction=False) as p:
            p.zrem(_PREFIX + topic, token)
            p.srem(_TAB_PREFIX + token, topic)
            await p.execute()

    async def leave_all(self, token: str) -> None:
        topics = await self._redis.smembers(_TAB_PREFIX + token)
        async with self._redis.pipeline(transaction=False) as p:
            for topic in topics:
                p.zrem(_PREFIX + _text(topic), token)
            p.delete(_TAB_PREFIX + token)
            await p.execute()

    async def leave_owner(self, owner: str) -> None:
        for token in await self._redis.smembers(_OWNER_PREFIX + owner):
            await self.leave_all(_text(token))
        await self._redis.delete(_OWNER_PREFIX + owner)

    async def claim(self, name: str, seconds: float) -> bool:
        """True for one caller among every worker per `seconds`."""
        ms = max(1, int(seconds * 1000))
        return bool(await self._redis.set(_CLAIM_PREFIX + name, b"1", nx=True, px=ms))

    async def get_mark(self, name: str) -> int | None:
        """A number every worker shares (how far the change feed has been pushed)."""
        value = await self._redis.get(_MARK_PREFIX + name)
        return None if value is None else int(value)

    async def set_mark(self, name: str, value: int) -> None:
        await self._redis.set(_MARK_PREFIX + name, str(value), ex=KEY_SECONDS)

    async def members(self, topic: str) -> list[str]:
        key = _PREFIX + topic
        async with self._redis.pipeline(transaction=False) as p:
            p.zremrangebyscore(key, "-inf", time.time())
            p.zrange(key, 0, -1)
            _, tokens = await p.execute()
        return [_text(t) for t in tokens]


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


_registry: Registry | None = None


def _app() -> Any | None:
    """The running app, or None (unit tests, CLI): then there is nobody to push to."""
    try:
        from reflex_base.registry import RegistrationContext

        app = RegistrationContext.get().app
    except Exception:  # noqa: BLE001 - no app registered in this process
        return None
    if app is None or getattr(app, "event_namespace", None) is None:
        return None
    return app


async def has_members(topic: str) -> bool:
    """Whether any tab listens (always False when no app runs in this process)."""
    return _app() is not None and bool(await registry().members(topic))


def registry() -> Registry:
    """Redis when the app keeps its state in Redis (several workers), else this process."""
    global _registry
    if _registry is not None:
        return _registry
    app = _app()
    redis = getattr(getattr(app, "state_manager", None), "redis", None)
    chosen: Registry = RedisRegistry(redis) if redis is not None else MemoryRegistry()
    if app is not None:  # decided only once the app (and its state manager) is known
        _registry = chosen
    return chosen


def use_registry(value: Registry | None) -> None:
    """Replace the registry (tests); None picks it again from the running app."""
    global _registry
    _registry = value


def tab_token(state: rx.State) -> str:
    return state.rx_router_session.client_token


async def join(state: rx.State, topic: str, *, until: float, owner: str) -> None:
    """This tab joins `topic` while the sign-in session `owner` lasts (`until`, epoch s)."""
    await registry().join(topic, tab_token(state), until=until, owner=owner)


async def leave(state: rx.State, topic: str) -> None:
    await registry().leave(topic, tab_token(state))


async def leave_session(owner: str) -> None:
    """Signed out: every tab of that sign-in session leaves every topic."""
    await registry().leave_owner(owner)


async def leave_all(state: rx.State) -> None:
    await registry().leave_all(tab_token(state))


async def publish(
    topic: str,
    cls: type[S],
    apply: Callable[[S], Awaitable[None] | None],
    *,
    skip: str | None = None,
) -> int:
    """Run `apply` on `cls` in every connected member tab; returns how many were updated.

    Never await this from an event handler of a member tab (the push would wait for that
    handler's own lock): use `publish_later`. `skip` is a tab that already has the change
    (the one whose event made it). Tabs whose socket is gone are dropped; when
    they come back their page load joins again and reads the database.
    """
    app = _app()
    if app is None:
        return 0
    tokens = [t for t in await registry().members(topic) if t != skip]
    if not tokens:
        return 0
    sockets = app.event_namespace._token_manager

    async def push(token: str) -> bool:
        if not await sockets.is_token_connected(token):
            await registry().leave(topic, token)
            return False
        async with app.modify_state(rx.BaseStateToken(ident=token, cls=cls)) as root:
            result = apply(await root.get_state(cls))
            if inspect.isawaitable(result):
                await result
        return True

    done = await asyncio.gather(*(push(t) for t in tokens), return_exceptions=True)
    for token, outcome in zip(tokens, done, strict=True):
        if isinstance(outcome, BaseException):
            log.warning("push to tab %s on %s failed: %r", token, topic, outcome)
    return sum(1 for outcome in done if outcome is True)


_TASKS: set[asyncio.Task] = set()


def spawn(coro: Coroutine[Any, Any, Any]) -> None:
    """Run after the current event has released its state lock; failures are logged, never
    raised into the change that caused them."""

    async def guarded() -> None:
        try:
            await coro
        except Exception:
            log.exception("live update failed")

    task = asyncio.get_running_loop().create_task(guarded())
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


def publish_later(
    topic: str,
    cls: type[S],
    apply: Callable[[S], Awaitable[None] | None],
    *,
    skip: str | None = None,
) -> None:
    spawn(publish(topic, cls, apply, skip=skip))
