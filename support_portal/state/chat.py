"""Live chat in the browser: the shared chat room, the agents' queue, and the client's panel.

Rooms hold view data only, rebuilt from the database; the database is the record. A browser
is linked to a room only after the chat service has confirmed its user belongs there, and
rooms have no public event handlers: every action goes through a private state that checks.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

import reflex as rx
from reflex_base.registry import RegistrationContext

from support_portal import routes
from support_portal.domain.roles import Role
from support_portal.services import chat as chat_service
from support_portal.services.errors import ServiceError
from support_portal.state.session import SessionState, in_db

log = logging.getLogger(__name__)

QUEUE_ROOM = "agents-queue"
OPEN_STATUSES = ("waiting", "active")


def room_token(chat_id: int) -> str:
    # Shared tokens may not contain "_".
    return f"chat-{int(chat_id)}"


class ChatRoomState(rx.SharedState):
    """One live chat, shared by the client's and the agent's browsers."""

    chat_id: int = 0
    status: str = ""
    topic: str = ""
    client_name: str = ""
    organization_name: str = ""
    agent_name: str = ""
    started_at_ms: int = 0
    flagged: bool = False
    ticket_number: int = 0
    messages: list[dict[str, Any]] = []

    def _apply(self, snapshot: dict[str, Any]) -> None:
        messages = snapshot["messages"]
        if self.chat_id == snapshot["id"]:
            # A message added to the room after this snapshot was read must survive it:
            # messages are never deleted, so the room holds the union.
            known = {m["id"] for m in messages}
            newer = [m for m in self.messages if m["id"] not in known]
            if newer:
                messages = sorted([*messages, *newer], key=lambda m: int(m["id"]))
        self.chat_id = snapshot["id"]
        self.status = snapshot["status"]
        self.topic = snapshot["topic"]
        self.client_name = snapshot["client_name"]
        self.organization_name = snapshot["organization_name"]
        self.agent_name = snapshot["agent_name"]
        self.started_at_ms = snapshot["started_at_ms"]
        self.flagged = snapshot["flagged"]
        self.ticket_number = snapshot["ticket_number"] or 0
        self.messages = messages

    @rx.var
    def client_ticket_href(self) -> str:
        return routes.client_ticket(self.ticket_number) if self.ticket_number else ""

    @rx.var
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AgentsQueueState(rx.SharedState):
    """The waiting chats, shared by every team member's console."""

    chats: list[dict[str, Any]] = []


_TASKS: set[asyncio.Task] = set()


def _spawn(coro: Coroutine[Any, Any, None]) -> None:
    """Push after the current event has released its locks, so pushes never deadlock."""
    task = asyncio.create_task(coro)
    _TASKS.add(task)

    def done(t: asyncio.Task) -> None:
        _TASKS.discard(t)
        if not t.cancelled() and t.exception() is not None:
            log.warning("live update failed: %r", t.exception())

    task.add_done_callback(done)


async def _push(token: str, cls: type[rx.State], apply: Callable[[Any], None]) -> None:
    app = RegistrationContext.get().app
    async with app.modify_state(rx.BaseStateToken(ident=token, cls=cls)) as root:
        apply(await root.get_state(cls))


def refresh_room_later(chat_id: int) -> None:
    async def run() -> None:
        snapshot = await in_db(lambda s: chat_service.room_snapshot(session=s, chat_id=chat_id))
        await _push(room_token(chat_id), ChatRoomState, lambda room: room._apply(snapshot))

    _spawn(run())


def append_message_later(chat_id: int, message: dict[str, str]) -> None:
    """A new message reaches the room as it is, without rebuilding the transcript from the
    database: the room already holds the rest. A room that lost its state is rebuilt."""

    async def run() -> None:
        rebuild = False

        def apply(room: ChatRoomState) -> None:
            nonlocal rebuild
            if room.chat_id != chat_id:
                rebuild = True
            elif all(m["id"] != message["id"] for m in room.messages):
                room.messages = [*room.messages, message]

        await _push(room_token(chat_id), ChatRoomState, apply)
        if rebuild:
            refresh_room_later(chat_id)

    _spawn(run())


_queue_refresh_pending = False
_queue_lock: asyncio.Lock | None = None


def refresh_queue_later() -> None:
    """Push the queue to every console. A burst of changes (many chats starting or taken at
    once) coalesces into the refreshes already waiting: each push reaches every console, so
    one per change would grow as changes x consoles."""
    global _queue_refresh_pending
    if _queue_refresh_pending:
        return
    _queue_refresh_pending = True

    async def run() -> None:
        global _queue_refresh_pending, _queue_lock
        _queue_lock = _queue_lock or asyncio.Lock()
        # One refresh at a time, in order: a slower, older snapshot must never land last.
        async with _queue_lock:
            # Cleared before reading, so a change made after this read schedules another.
            _queue_refresh_pending = False
            chats = await in_db(lambda s: chat_service.queue_snapshot(session=s))

            def apply(queue: AgentsQueueState) -> None:
                # Every assignment fans out to every linked console, changed or not.
                if queue.chats != chats:
                    queue.chats = chats

            await _push(QUEUE_ROOM, AgentsQueueState, apply)

    _spawn(run())


class ChatMemberState(SessionState):
    """What the client's panel and the agent console share: joining a room and sending."""

    send_id: str = ""
    chat_error: str = ""
    _chat_id: int = 0

    async def _join(self, principal, chat_id: int) -> ChatRoomState | None:
        """Link this browser to the chat's room, after the service confirms membership."""

        def work(s) -> dict[str, Any]:
            chat_service.join_chat(session=s, principal=principal, chat_id=chat_id)
            return chat_service.room_snapshot(session=s, chat_id=chat_id)

        try:
            snapshot = await in_db(work)
        except ServiceError as exc:
            self.chat_error = str(exc)
            return None
        room = await self.get_state(ChatRoomState)
        room = await room._link_to(room_token(chat_id))
        room._apply(snapshot)
        self._chat_id = chat_id
        self.send_id = uuid.uuid4().hex
        self.chat_error = ""
        return room

    async def _send(self, principal, form_data: dict[str, Any]) -> bool:
        chat_id = self._chat_id
        body = str(form_data.get("message", ""))
        msg_id = str(form_data.get("client_msg_id", "")) or uuid.uuid4().hex

        def work(s) -> dict[str, str]:
            message = chat_service.post_message(
                session=s, principal=principal, chat_id=chat_id, body=body, client_msg_id=msg_id
            )
            s.commit()
            return chat_service.message_view(message, principal.name)

        try:
            message = await in_db(work)
        except ServiceError as exc:
            self.chat_error = str(exc)
            return False
        self.chat_error = ""
        self.send_id = uuid.uuid4().hex
        # Pushed to the room's shared token rather than changed through this tab's linked
        # copy: on Redis state the linked change did not always reach the other member.
        append_message_later(chat_id, message)
        return True


class ClientChatState(ChatMemberState):
    """The client's chat panel on /client."""

    @rx.event
    async def load(self):
        principal = await self._require(Role.CLIENT)
        if principal is None:
            return
        chat = await in_db(lambda s: chat_service.current_chat(session=s, principal=principal))
        if chat is not None:
            await self._join(principal, chat.id)

    @rx.event
    async def start_chat(self):
        principal = await self._require(Role.CLIENT)
        if principal is None:
            return rx.toast.error("Please sign in as a client to chat.")

        def work(s):
            chat = chat_service.start_chat(session=s, principal=principal)
            s.commit()
            return chat.id

        try:
            chat_id = await in_db(work)
        except ServiceError as exc:
            self.chat_error = str(exc)
            return
        await self._join(principal, chat_id)
        refresh_queue_later()

    @rx.event
    async def send(self, form_data: dict[str, Any]):
        principal = await self._require(Role.CLIENT)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        room = await self.get_state(ChatRoomState)
        first = not room.messages and room.status == "waiting"
        if await self._send(principal, form_data) and first:
            # The first message becomes the chat's topic in the agents' queue.
            refresh_queue_later()
