"""The database briefly unreachable: the app says so plainly, loses nothing, and recovers.

The app reaches PostgreSQL through a small TCP proxy started by the test; stopping the proxy
refuses new connections and cuts the open ones, as a database restart or a network blip does.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlmodel import Session, col, select

from support_portal.testkit import live_app
from tests.integration.test_scale_out import DATABASE_URL, fresh_database

UNAVAILABLE = "The service is briefly unavailable, please retry."

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgres"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
    ),
]


class TcpProxy:
    """Forwards 127.0.0.1:port to the target; stop() refuses and cuts, start() restores."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = live_app.free_port()
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self.writers -= {writer, up_writer}

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def start(self) -> None:
        async def serve() -> None:
            self.server = await asyncio.start_server(
                self._handle, "127.0.0.1", self.port, reuse_address=True
            )

        self._run(serve())

    def stop(self) -> None:
        async def halt() -> None:
            if self.server is not None:
                self.server.close()
                await self.server.wait_closed()
            for w in list(self.writers):
                w.transport.abort()
            self.writers.clear()

        self._run(halt())


def test_while_the_database_is_unreachable_users_are_told_to_retry_and_nothing_is_lost(
    tmp_path,
):
    with fresh_database(DATABASE_URL) as direct_url:
        parts = urlsplit(direct_url)
        proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        proxy.start()
        via_proxy = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
        env = live_app.app_env(via_proxy, DATA_DIR=str(tmp_path / "data"))
        live_app.migrate(live_app.app_env(direct_url))
        [pair] = live_app.seed_pairs(direct_url, 1, prefix="outage")
        with live_app.backend(env, tmp_path / "backend.log") as url:
            asyncio.run(_scenario(url, pair, proxy))
        _assert_stored_once(direct_url)


RETRIED_ID = uuid.uuid4().hex


async def _scenario(url: str, pair: live_app.Pair, proxy: TcpProxy) -> None:
    client, agent, chat_id = await live_app.open_pair(url, url, pair)
    await client.emit("client", "send", form_data={"message": "before", "client_msg_id": "a1"})
    await agent.wait_for(lambda: _has(agent, "before"))

    proxy.stop()
    # A send during the outage: refused with a message the user understands, not a crash.
    form = {"message": "during the outage", "client_msg_id": RETRIED_ID}
    await client.emit("client", "send", form_data=form)
    await client.wait_for(lambda: _told_to_retry(client))
    # A page opened during the outage gets the same message as a toast.
    late = live_app.ReflexClient(url, pair.client_token, "/client")
    await late.connect()
    await late.wait_for(lambda: _told_to_retry(late))
    await late.close()

    time.sleep(0.5)
    proxy.start()
    # The user retries the same message (same id): it is stored once and delivered.
    await client.emit("client", "send", form_data=form)
    await agent.wait_for(lambda: _has(agent, "during the outage"))
    await client.emit("client", "send", form_data=form)
    await agent.emit("agent", "send", form_data={"message": "after", "client_msg_id": "b1"})
    await client.wait_for(lambda: _has(client, "after"))
    # A new page works again.
    again = live_app.ReflexClient(url, pair.client_token, "/client")
    await again.connect()
    await again.emit("client", "load")
    await again.wait_for(lambda: again.get("room", "chat_id") == chat_id)
    for tab in (client, agent, again):
        await tab.close()


def _told_to_retry(tab: live_app.ReflexClient) -> bool:
    # As a toast when the user's session could not be checked, or in place in the chat box.
    toast = any(UNAVAILABLE in t for t in tab.toasts())
    return toast or tab.get("client", "chat_error") == UNAVAILABLE


def _has(tab: live_app.ReflexClient, body: str) -> bool:
    return any(m["body"] == body for m in tab.get("room", "messages", []))


def _assert_stored_once(db_url: str) -> None:
    from support_portal.db import get_engine
    from support_portal.models import ChatMessage

    with Session(get_engine(db_url)) as s:
        bodies = s.exec(
            select(ChatMessage.body).where(col(ChatMessage.sender_role) != "system")
        ).all()
    assert sorted(bodies) == ["after", "before", "during the outage"]
