"""The real app's backend on a free port, and a websocket client that speaks Reflex's protocol.

Browsers for a hundred endpoints are too heavy for two cores, so this client does what the
compiled frontend does (.web/utils/state.js): it connects socket.io to /_event with the tab's
token in the query string and the hydrate event in the CONNECT packet's `auth`; the HttpOnly
session cookie travels in the handshake's Cookie header, where the backend reads it; then
`event` packets go both ways, and updates carry deltas keyed by full state names with
`_rx_state_` appended to each var name.

Used by bench/chat_latency.py and the load, fault and scale-out tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import socketio

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "load-test-password"

ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
# Reflex mounts socket.io at /_event and serves its events in the namespace of the same name.
NAMESPACE = "/_event"


def _names() -> dict[str, str]:
    # Imported late: the app's modules pull in Reflex, which a caller may not need yet.
    from support_portal.state.agent_console import AgentConsoleState
    from support_portal.state.board import BoardState
    from support_portal.state.chat import AgentsQueueState, ChatRoomState, ClientChatState
    from support_portal.state.login import LoginState

    return {
        "room": ChatRoomState.get_full_name(),
        "queue": AgentsQueueState.get_full_name(),
        "client": ClientChatState.get_full_name(),
        "agent": AgentConsoleState.get_full_name(),
        "login": LoginState.get_full_name(),
        "board": BoardState.get_full_name(),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(db_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DB_URL": db_url,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        # The in-process job runner is not what is measured here.
        "JOBS_INTERVAL_SECONDS": "3600",
        "GRANIAN_WORKERS": "1",
    }
    for key in ("REDIS_URL", "REFLEX_REDIS_URL", "REFLEX_DB_URL"):
        env.pop(key, None)
    env.update(extra)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "support_portal.cli", "migrate"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )


@contextlib.contextmanager
def backend(
    env: dict[str, str], log_path: Path, port: int | None = None, *, frontend: bool = False
) -> Iterator[str]:
    """`reflex run --env prod` on a free port; yields its http URL once it answers.

    Without `frontend` only the backend runs (`--backend-only`): socket clients need only
    that, and the build would take the CPU a measurement needs. With it, the pages are built
    and served on the same port, for a browser."""
    port = port or free_port()
    # The app accepts pages and sockets from its own public origin only (CORS).
    # The pages open their websocket on the same host as the page, so the browser sends the
    # HttpOnly session cookie with the handshake (Reflex would otherwise use localhost).
    own = f"http://127.0.0.1:{port}"
    env = {"PUBLIC_BASE_URL": own, "REFLEX_API_URL": own, **env}
    serve = ["--frontend-port", str(port)] if frontend else ["--backend-only"]
    log = open(log_path, "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(BIN / "reflex"),
            "run",
            "--env",
            "prod",
            *serve,
            "--backend-port",
            str(port),
            "--loglevel",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    # Building the pages takes a few minutes on a cold machine.
    deadline = time.monotonic() + (300 if frontend else 180)
    try:
        while not _answers(url, pages=frontend):
            if proc.poll() is not None:
                raise RuntimeError(f"app exited:\n{log_path.read_text()[-4000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"app did not start:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.5)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _answers(url: str, *, pages: bool) -> bool:
    try:
        if httpx.get(f"{url}/ping", timeout=2).status_code != 200:
            return False
        return not pages or httpx.get(f"{url}/login", timeout=30, follow_redirects=True).is_success
    except httpx.HTTPError:
        return False


@dataclass
class Pair:
    client_email: str
    client_name: str
    client_token: str
    agent_email: str
    agent_token: str


def seed_pairs(db_url: str, n: int, prefix: str = "load") -> list[Pair]:
    """N clients (one organization each) and N agents, signed in through the auth service."""
    from argon2 import PasswordHasher
    from sqlmodel import Session

    from support_portal.clock import utcnow
    from support_portal.db import get_engine
    from support_portal.services import auth
    from support_portal.services.accounts import create_organization, create_user

    # Setup, not measurement: a cheap Argon2 cost for these throwaway accounts (the hash
    # records its own parameters, so sign-in still verifies them the usual way).
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    engine = get_engine(db_url)
    pairs = []
    with Session(engine, expire_on_commit=False) as s:
        for i in range(n):
            org = create_organization(session=s, name=f"{prefix} org {i}", timezone="UTC")
            create_user(
                session=s,
                email=f"{prefix}-client{i}@example.com",
                name=f"Client {prefix} {i}",
                role="client",
                password=PASSWORD,
                organization=org,
            )
            create_user(
                session=s,
                email=f"{prefix}-agent{i}@agency.example",
                name=f"Agent {prefix} {i}",
                role="agent",
                password=PASSWORD,
            )
        s.commit()
    for i in range(n):
        with Session(engine, expire_on_commit=False) as s:
            client_token, _ = auth.sign_in(
                session=s, email=f"{prefix}-client{i}@example.com", password=PASSWORD, now=utcnow()
            )
            s.commit()
        with Session(engine, expire_on_commit=False) as s:
            agent_token, _ = auth.sign_in(
                session=s,
                email=f"{prefix}-agent{i}@agency.example",
                password=PASSWORD,
                now=utcnow(),
            )
            s.commit()
        pairs.append(
            Pair(
                client_email=f"{prefix}-client{i}@example.com",
                client_name=f"Client {prefix} {i}",
                client_token=client_token,
                agent_email=f"{prefix}-agent{i}@agency.example",
                agent_token=agent_token,
            )
        )
    return pairs


class ReflexClient:
    """One browser tab, without the browser."""

    def __init__(self, base_url: str, session_token: str, path: str) -> None:
        self.names = _names()
        self.base_url = base_url
        self.session_token = session_token
        self.path = path
        self.token = str(uuid.uuid4())
        self.state: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.listeners: list[Callable[[dict[str, Any], float], None]] = []
        self._changed = asyncio.Event()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_update, namespace=NAMESPACE)

    def _router(self) -> dict[str, Any]:
        return {"pathname": self.path, "asPath": self.path}

    async def _on_update(self, update: dict[str, Any]) -> None:
        now = time.perf_counter()
        delta = update.get("delta") or {}
        for name, values in delta.items():
            self.state.setdefault(name, {}).update(values)
        self.events.extend(update.get("events") or [])
        for listener in self.listeners:
            listener(delta, now)
        self._changed.set()

    async def connect(self) -> None:
        hydrate = {
            "name": HYDRATE,
            "payload": {},
            "router_data": self._router(),
        }
        from support_portal.urls import SESSION_COOKIE

        await self.sio.connect(
            f"{self.base_url}?token={self.token}",
            # As a browser does: the HttpOnly session cookie rides on the handshake.
            headers={"Cookie": f"{SESSION_COOKIE}={self.session_token}"},
            socketio_path="/_event",
            transports=["websocket"],
            auth={"event": hydrate},
            namespaces=[NAMESPACE],
            wait_timeout=30,
        )
        await self.wait_for(lambda: self.get(ROOT_STATE, "is_hydrated") is True)

    async def close(self) -> None:
        await self.sio.disconnect()

    def get(self, state: str, var: str, default: Any = None) -> Any:
        name = self.names.get(state, state)
        return self.state.get(name, {}).get(f"{var}_rx_state_", default)

    async def emit(self, state: str, handler: str, **payload: Any) -> None:
        name = f"{self.names.get(state, state)}.{handler}"
        await self.sio.emit(
            "event",
            {"name": name, "payload": payload, "router_data": self._router()},
            namespace=NAMESPACE,
        )

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.path}: condition not met; state {self.state}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def toasts(self) -> list[str]:
        """The text of every toast the server asked this tab to show."""
        return [str(e.get("payload")) for e in self.events if "toast" in str(e)]


async def open_pair(
    client_url: str, agent_url: str, pair: Pair
) -> tuple[ReflexClient, ReflexClient, int]:
    """Client opens /client and starts a chat; the agent opens /agent and accepts it."""
    agent = ReflexClient(agent_url, pair.agent_token, "/agent")
    await agent.connect()
    await agent.emit("agent", "load")
    client = ReflexClient(client_url, pair.client_token, "/client")
    await client.connect()
    await client.emit("client", "load")
    await client.emit("client", "start_chat")
    chat_id = await client.wait_for(lambda: client.get("room", "chat_id"))
    # The chat reaches the agent through the live queue, not through the test.
    await agent.wait_for(
        lambda: any(c["id"] == chat_id for c in agent.get("queue", "chats", [])), timeout=60
    )
    await agent.emit("agent", "accept", chat_id=chat_id)
    await agent.wait_for(
        lambda: agent.get("room", "chat_id") == chat_id and agent.get("room", "status") == "active",
        timeout=60,
    )
    await client.wait_for(lambda: client.get("room", "status") == "active", timeout=60)
    return client, agent, chat_id


@dataclass
class Sent:
    chat_id: int
    side: str
    body: str
    client_msg_id: str
    at: float
    arrived: float | None = None


@dataclass
class RunResult:
    sent: list[Sent] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    chats: list[int] = field(default_factory=list)
    seconds: float = 0.0
    stale_queues: int = 0

    @property
    def latencies(self) -> list[float]:
        return [m.arrived - m.at for m in self.sent if m.arrived is not None]

    @property
    def undelivered(self) -> list[Sent]:
        return [m for m in self.sent if m.arrived is None]


def _watch(receiver: ReflexClient, pending: dict[str, Sent]) -> None:
    room = receiver.names["room"]

    def on_delta(delta: dict[str, Any], now: float) -> None:
        messages = delta.get(room, {}).get("messages_rx_state_")
        if not messages:
            return
        for m in messages:
            sent = pending.pop(m.get("body", ""), None)
            if sent is not None and sent.arrived is None:
                sent.arrived = now

    receiver.listeners.append(on_delta)


async def converse(
    client: ReflexClient,
    agent: ReflexClient,
    chat_id: int,
    result: RunResult,
    *,
    until: float,
    think: tuple[float, float] = (0.5, 1.5),
    retry_every: int = 10,
    probe_floor: bool = True,
) -> None:
    """Client and agent take turns until `until`: each message must reach the other side
    before the reply; every `retry_every`-th send is repeated with the same id, as a browser
    retrying after a dropped connection would."""
    to_agent: dict[str, Sent] = {}
    to_client: dict[str, Sent] = {}
    _watch(agent, to_agent)
    _watch(client, to_client)
    seq = 0
    sides = (("client", client, to_agent), ("agent", agent, to_client))
    while time.perf_counter() < until:
        for side, sender, pending in sides:
            seq += 1
            await asyncio.sleep(random.uniform(*think))
            body = f"chat {chat_id} {side} message {seq} {uuid.uuid4().hex[:8]}"
            msg_id = uuid.uuid4().hex
            sent = Sent(chat_id, side, body, msg_id, time.perf_counter())
            pending[body] = sent
            result.sent.append(sent)
            form = {"message": body, "client_msg_id": msg_id}
            await sender.emit(side, "send", form_data=form)
            if seq % retry_every == 0:
                await sender.emit(side, "send", form_data=form)
            with contextlib.suppress(TimeoutError):
                await (agent if side == "client" else client).wait_for(
                    lambda s=sent: s.arrived is not None, timeout=15
                )
            if probe_floor:
                await _probe(sender, result)


async def _probe(tab: ReflexClient, result: RunResult) -> None:
    """The floor: a trivial event (the sign-in form's email setter) out and its delta back."""
    value = uuid.uuid4().hex
    start = time.perf_counter()
    await tab.emit("login", "set_email", value=value)
    with contextlib.suppress(TimeoutError):
        await tab.wait_for(lambda: tab.get("login", "email") == value, timeout=15)
        result.floor.append(time.perf_counter() - start)


async def run_chats(
    pairs: list[Pair],
    client_urls: list[str],
    agent_urls: list[str],
    seconds: float,
    drain: float = 10,
    **converse_args: Any,
) -> RunResult:
    """Open every pair (spread over the given backends), talk for `seconds`, close."""
    result = RunResult()
    tabs: list[tuple[ReflexClient, ReflexClient, int]] = []
    # Opened a few at a time: a hundred hydrations at once is not what is measured.
    for i in range(0, len(pairs), 10):
        batch = pairs[i : i + 10]
        tabs += await asyncio.gather(
            *(
                open_pair(
                    client_urls[(i + j) % len(client_urls)],
                    agent_urls[(i + j + 1) % len(agent_urls)],
                    p,
                )
                for j, p in enumerate(batch)
            )
        )
    result.chats = [chat_id for _, _, chat_id in tabs]
    # Opening the chats fans the queue out to every console: let that settle (every console
    # shows none of them waiting, and a trivial event is quick again) before talking.
    ours = set(result.chats)
    settle = time.monotonic() + 60
    for _, agent, _ in tabs:
        with contextlib.suppress(TimeoutError):
            await agent.wait_for(
                lambda a=agent: not {c["id"] for c in a.get("queue", "chats", [])} & ours,
                timeout=max(0.1, settle - time.monotonic()),
            )
    # Consoles still showing a taken chat as waiting after a minute: a lost queue update.
    result.stale_queues = sum(
        1 for _, a, _ in tabs if {c["id"] for c in a.get("queue", "chats", [])} & ours
    )
    settle = time.monotonic() + 60
    while time.monotonic() < settle:
        probe = RunResult()
        await _probe(tabs[0][0], probe)
        if probe.floor and probe.floor[0] < 0.1:
            break
        await asyncio.sleep(0.5)
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(
        *(converse(c, a, chat_id, result, until=until, **converse_args) for c, a, chat_id in tabs)
    )
    result.seconds = time.perf_counter() - start
    # Late arrivals still count as delivered: a message is lost only if it never arrives.
    deadline = time.monotonic() + drain
    while result.undelivered and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    for c, a, _ in tabs:
        await c.close()
        await a.close()
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
