"""Live chat in the browser: each tab's view of a chat room, the agents' queue, and the
client's panel.

Room and queue views are private states of each tab, filled from the database and kept live
by pushes to the tabs of a topic (`state.topics`): "chat:<id>" holds the tabs of the
chat's client and agent, joined only after the chat service has confirmed membership;
"agents-queue" holds the team's consoles. The database is the record; these hold view data.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import reflex as rx

from support_portal import urls
from support_portal.clock import utcnow
from support_portal.domain.chat_rules import OPEN_CHAT_STATUSES, ChatStatus
from support_portal.domain.roles import Role
from support_portal.realtime import topics
from support_portal.services import chat as chat_service
from support_portal.services.errors import ServiceError
from support_portal.state.session import SessionState, in_db

QUEUE_TOPIC = "agents-queue"


def chat_topic(chat_id: int) -> str:
    return f"chat:{int(chat_id)}"


class ChatRoomState(rx.State):
    """One live chat as this tab shows it (the client's panel or the agent's open chat)."""

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
            # A message pushed to this tab after the snapshot was read must survive it:
            # messages are never deleted, so the view holds the union.
            messages = _merged(messages, self.messages)
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

    def _add(self, message: dict[str, Any]) -> None:
        if all(m["id"] != message["id"] for m in self.messages):
            # Pushes may land out of order; the transcript stays in the order it was stored.
            self.messages = _merged(self.messages, [message])

    @rx.var
    def client_ticket_href(self) -> str:
        return urls.client_ticket(self.ticket_number) if self.ticket_number else ""

    @rx.var
    def is_open(self) -> bool:
        return self.status in OPEN_CHAT_STATUSES


def _merged(base: list[dict[str, Any]], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    known = {m["id"] for m in base}
    newer = [m for m in extra if m["id"] not in known]
    if not newer:
        return base
    merged = [*base, *newer]
    if any(int(a["id"]) > int(b["id"]) for a, b in zip(merged, merged[1:], strict=False)):
        merged.sort(key=lambda m: int(m["id"]))
    return merged


class AgentsQueueState(rx.State):
    """The waiting chats, as this team member's console shows them."""

    chats: list[dict[str, Any]] = []


def refresh_room_later(chat_id: int) -> None:
    """Status, agent or ticket changed: every tab showing the chat gets the stored room."""

    async def run() -> None:
        snapshot = await in_db(
            lambda s: chat_service.room_snapshot(session=s, chat_id=chat_id, now=utcnow())
        )

        def apply(room: ChatRoomState) -> None:
            if room.chat_id == chat_id:
                room._apply(snapshot)

        await topics.publish(chat_topic(chat_id), ChatRoomState, apply)

    topics.spawn(run())


def append_message_later(chat_id: int, message: dict[str, Any], *, skip: str | None = None) -> None:
    """A new message reaches every other tab of the chat as it is, without rebuilding the
    transcript from the database: the tabs already hold the rest."""

    def apply(room: ChatRoomState) -> None:
        if room.chat_id == chat_id:  # the tab may have moved on to another chat
            room._add(message)

    topics.publish_later(chat_topic(chat_id), ChatRoomState, apply, skip=skip)


_queue_refresh_pending = False
_queue_lock: asyncio.Lock | None = None


def refresh_queue_later() -> None:
    """Push the queue to every console. A burst of changes (many chats starting or taken at
    once) coalesces into the refresh already waiting: each refresh reaches every console,
    so one per change would grow as changes x consoles."""
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
            chats = await in_db(lambda s: chat_service.queue_snapshot(session=s, now=utcnow()))

            def apply(queue: AgentsQueueState) -> None:
                if queue.chats != chats:  # unchanged consoles get no delta
                    queue.chats = chats

            await topics.publish(QUEUE_TOPIC, AgentsQueueState, apply)

    topics.spawn(run())


class ChatMemberState(SessionState):
    """What the client's panel and the agent console share: joining a room and sending."""

    send_id: str = ""
    chat_error: str = ""
    # What is typed in the send box; kept when a message is refused.
    draft: str = ""
    _chat_id: int = 0

    @rx.event
    def set_draft(self, value: str):
        # Far above any limit: only bounds what a forged event can make the server hold.
        self.draft = str(value)[:100_000]

    async def _join(self, principal, chat_id: int) -> ChatRoomState | None:
        """Link this browser to the chat's room, after the service confirms membership."""

        def work(s) -> dict[str, Any]:
            chat_service.join_chat(session=s, principal=principal, chat_id=chat_id)
            return chat_service.room_snapshot(session=s, chat_id=chat_id, now=utcnow())

        try:
            snapshot = await in_db(work)
        except ServiceError as exc:
            self.chat_error = str(exc)
            return None
        if self._chat_id and self._chat_id != chat_id:
            await topics.leave(self, chat_topic(self._chat_id))
            self.draft = ""  # what was typed to another chat is not for this one
        await self._join_topic(chat_topic(chat_id))
        room = await self.get_state(ChatRoomState)
        room._apply(snapshot)
        self._chat_id = chat_id
        self.send_id = uuid.uuid4().hex
        self.chat_error = ""
        return room

    async def _send(self, principal, form_data: dict[str, Any]) -> bool:
        chat_id = self._chat_id
        body = str(form_data.get("message", ""))
        msg_id = str(form_data.get("client_msg_id", "")) or uuid.uuid4().hex

        try:
            posted = await in_db(
                lambda s: chat_service.post_message(
                    session=s,
                    principal=principal,
                    chat_id=chat_id,
                    body=body,
                    client_msg_id=msg_id,
                    now=utcnow(),
                )
            )
        except ServiceError as exc:
            self.chat_error = str(exc)
            return False
        message = chat_service.message_view(posted, principal.name)
        self.chat_error = ""
        self.draft = ""
        self.send_id = uuid.uuid4().hex
        # The sender sees it in this event's reply; the chat's other tabs get a push.
        room = await self.get_state(ChatRoomState)
        if room.chat_id == chat_id:
            room._add(message)
        append_message_later(chat_id, message, skip=topics.tab_token(self))
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

        try:
            chat = await in_db(
                lambda s: chat_service.start_chat(session=s, principal=principal, now=utcnow())
            )
        except ServiceError as exc:
            self.chat_error = str(exc)
            return
        await self._join(principal, chat.id)
        refresh_queue_later()

    @rx.event
    async def send(self, form_data: dict[str, Any]):
        principal = await self._require(Role.CLIENT)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        room = await self.get_state(ChatRoomState)
        first = not room.messages and room.status == ChatStatus.WAITING
        if await self._send(principal, form_data) and first:
            # The first message becomes the chat's topic in the agents' queue.
            refresh_queue_later()
