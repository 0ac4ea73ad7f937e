"""The agent console: the live queue, the agent's chats, one open chat, and conversion."""

from __future__ import annotations

from typing import Any

import reflex as rx

from support_portal.clock import utcnow
from support_portal.domain import chat_rules
from support_portal.domain.lifecycle import STATUS_LABELS
from support_portal.domain.roles import Role
from support_portal.domain.support_path import CHANNELS
from support_portal.domain.ticket_quality import TicketDraft
from support_portal.realtime import topics
from support_portal.realtime.updates import ticket_changed_later
from support_portal.services import agent_tickets, escalations, problems, team_actions
from support_portal.services import chat as chat_service
from support_portal.services.errors import Conflict, ServiceError, ValidationFailed
from support_portal.settings import get_settings
from support_portal.state.agent_ticket import ZOOM_INPUTS, zoom_form
from support_portal.state.chat import (
    QUEUE_TOPIC,
    AgentsQueueState,
    ChatMemberState,
    refresh_queue_later,
    refresh_room_later,
)
from support_portal.state.session import in_db

TEAM = (Role.AGENT, Role.MANAGER)
DRAFT_FIELDS = (
    "title",
    "tried_to_do",
    "happened_instead",
    "started_when",
    "recent_changes",
    "steps_to_reproduce",
    "error_messages",
    "category",
    "affected_area",
    "priority",
    "affected_workflow_name",
    "affected_workflow_url",
)
# The conversion form's support path: per live channel, a "tried" box and what it achieved.
# What the similarity of tickets reads (domain.similarity): title, detail and area.
SIMILARITY_FIELDS = (
    "title",
    "tried_to_do",
    "happened_instead",
    "steps_to_reproduce",
    "error_messages",
    "affected_area",
)
PATH_FIELDS = tuple(f"{k}_{c}" for c in CHANNELS for k in ("tried", "outcome"))
CHAT_OUTCOME = "Not solved live in the chat; converted to a ticket."


# Every open console: any ticket change can add a row to, or reorder, each one's lists (a
# ticket that became unassigned, a due time that moved), and each tab rebuilds its own.
LISTS_TOPIC = "agent-console-lists"


async def push_console_lists() -> int:
    """Rebuild "My tickets" and the team queue of every open agent console.

    Call after committing ticket changes, never from a handler of such a page. Each tab's
    lists are read for its own user, whose sign-in (and role) is checked again.
    """

    async def refresh(page: AgentConsoleState) -> None:
        principal = await page._require(*TEAM)
        if principal is not None:
            await page._refresh_lists(principal)

    return await topics.publish(LISTS_TOPIC, AgentConsoleState, refresh)


def support_path_from_form(form_data: dict[str, Any]) -> tuple[list[dict[str, str]], dict]:
    """(support path entries, the raw values to keep in the form) from the submitted form."""
    kept: dict[str, str] = {}
    path: list[dict[str, str]] = []
    for channel in CHANNELS:
        tried = "on" if form_data.get(f"tried_{channel}") else ""
        outcome = str(form_data.get(f"outcome_{channel}", "")).strip()
        kept[f"tried_{channel}"] = tried
        kept[f"outcome_{channel}"] = outcome
        if tried:
            path.append({"channel": channel, "outcome": outcome})
    return path, kept


class AgentConsoleState(ChatMemberState):
    active_chats: list[dict[str, Any]] = []
    my_tickets: list[dict[str, Any]] = []
    # Unassigned tickets and the member's own open ones, what falls due first at the top.
    team_queue: list[dict[str, Any]] = []
    threshold_seconds: float = 900.0
    flag_text: str = ""
    converting: bool = False
    prefill: dict[str, str] = {}
    form_errors: dict[str, str] = {}
    created_notice: str = ""
    attachment_names: list[str] = []
    zoom_tz: str = ""
    zoom_errors: dict[str, str] = {}
    zoom_notice: str = ""
    _attachment_ids: list[int] = []
    # "Similar open tickets" for the ticket being written, and the one the agent chose to link.
    similar: list[dict[str, Any]] = []
    link_choice: str = ""
    link_label: str = ""
    _draft_text: dict[str, str] = {}

    async def _join_and_prepare(self, principal, chat_id: int):
        """Join the room, then read the client's time zone for the Zoom form."""
        room = await self._join(principal, chat_id)
        if room is None:
            return None
        self.zoom_errors, self.zoom_notice = {}, ""
        self.zoom_tz = await in_db(
            lambda s: escalations.client_timezone(session=s, principal=principal, chat_id=chat_id)
        )
        return room

    async def _refresh_lists(self, principal) -> None:
        now = utcnow()

        def work(s):
            return (
                [
                    v.as_dict()
                    for v in chat_service.list_my_active(
                        session=s, principal=principal, now=utcnow()
                    )
                ],
                agent_tickets.list_assigned(session=s, principal=principal),
                [
                    r.as_dict()
                    for r in agent_tickets.team_queue(session=s, principal=principal, now=now)
                ],
            )

        self.active_chats, self.my_tickets, self.team_queue = await in_db(work)

    @rx.event
    async def take(self, number: int, version: int):
        """Take a ticket from the team queue; the version is the one the row showed."""
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")

        now = utcnow()
        try:
            ticket = await in_db(
                lambda s: agent_tickets.take_ticket(
                    session=s,
                    principal=principal,
                    number=int(number),
                    expected_version=int(version),
                    now=now,
                )
            )
        except ServiceError as exc:
            message = str(exc)
            if isinstance(exc, Conflict):
                # A take that lost a race at the database says only "changed": name who won.
                message = await in_db(
                    lambda s: agent_tickets.taken_message(
                        session=s, principal=principal, number=int(number)
                    )
                )
            await self._refresh_lists(principal)
            return rx.toast.error(message)
        await self._refresh_lists(principal)
        ticket_changed_later(ticket.id)
        return rx.toast.success(f"Ticket #{number} is yours.")

    @rx.event
    async def load(self):
        principal = await self._require(*TEAM)
        if principal is None:
            return
        minutes = get_settings().chat_escalation_minutes
        self.threshold_seconds = minutes * 60
        self.flag_text = chat_rules.flag_text(minutes)
        await self._join_topic(QUEUE_TOPIC)
        await self._join_topic(LISTS_TOPIC)
        queue = await self.get_state(AgentsQueueState)
        queue.chats = await in_db(lambda s: chat_service.queue_snapshot(session=s, now=utcnow()))
        await self._refresh_lists(principal)
        if self._chat_id:
            await self._join_and_prepare(principal, self._chat_id)

    @rx.event
    async def accept(self, chat_id: int):
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")

        try:
            await in_db(
                lambda s: chat_service.accept_chat(
                    session=s, principal=principal, chat_id=int(chat_id), now=utcnow()
                )
            )
        except ServiceError as exc:
            refresh_queue_later()
            return rx.toast.error(str(exc))
        refresh_queue_later()
        await self._refresh_lists(principal)
        self.converting = False
        await self._join_and_prepare(principal, int(chat_id))
        refresh_room_later(int(chat_id))

    @rx.event
    async def open_chat(self, chat_id: int):
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        self.converting = False
        if await self._join_and_prepare(principal, int(chat_id)) is None:
            return rx.toast.error(self.chat_error)

    @rx.event
    async def send(self, form_data: dict[str, Any]):
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        await self._send(principal, form_data)

    @rx.event
    async def mark_resolved(self):
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        chat_id = self._chat_id

        try:
            await in_db(
                lambda s: chat_service.mark_resolved(
                    session=s, principal=principal, chat_id=chat_id, now=utcnow()
                )
            )
        except ServiceError as exc:
            return rx.toast.error(str(exc))
        refresh_room_later(chat_id)
        await self._refresh_lists(principal)
        return rx.toast.success("Chat marked resolved.")

    @rx.event
    async def start_convert(self):
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        chat_id = self._chat_id
        try:
            suggestion = await in_db(
                lambda s: chat_service.suggested_draft(
                    session=s, principal=principal, chat_id=chat_id
                )
            )
        except ServiceError as exc:
            return rx.toast.error(str(exc))
        self.prefill = {
            **{f: "" for f in DRAFT_FIELDS},
            "category": "Bug",
            "affected_area": "Other",
            "priority": "normal",
            **{f: "" for f in PATH_FIELDS},
            "tried_chat": "on",
            "outcome_chat": CHAT_OUTCOME,
            **suggestion,
        }
        self.form_errors = {}
        self.created_notice = ""
        self.attachment_names = []
        self._attachment_ids = []
        self.converting = True
        self._draft_text = {f: self.prefill.get(f, "") for f in SIMILARITY_FIELDS}
        self.link_choice = ""
        self.link_label = ""
        await self._find_similar(principal)

    @rx.event
    async def upload_screenshots(self, files: list[rx.UploadFile]):
        """Keep the bytes ourselves: Reflex's upload folder is served to anyone."""
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        chat_id = self._chat_id
        errors = {k: v for k, v in self.form_errors.items() if k != "file"}
        for upload in files:
            data = await upload.read()
            name = upload.name or "upload"

            def work(s, data=data, name=name):
                return team_actions.add_screenshot(
                    session=s,
                    principal=principal,
                    chat_id=chat_id,
                    filename=name,
                    data=data,
                    now=utcnow(),
                )

            try:
                attachment_id, stored_name = await in_db(work)
            except ServiceError as exc:
                errors["file"] = f"{name}: {exc}"
                continue
            self._attachment_ids = [*self._attachment_ids, attachment_id]
            self.attachment_names = [*self.attachment_names, stored_name]
        if "file" not in errors and self._attachment_ids:
            # A screenshot is one of the ways to meet the "steps, error or screenshot" rule.
            errors.pop("steps_to_reproduce", None)
        self.form_errors = errors

    @rx.event
    async def schedule_zoom(self, form_data: dict[str, Any]):
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        chat_id = self._chat_id
        try:
            fields = zoom_form(form_data)
            await in_db(
                lambda s: team_actions.schedule_zoom(
                    session=s, principal=principal, chat_id=chat_id, now=utcnow(), **fields
                )
            )
        except ValidationFailed as exc:
            self.zoom_errors = {
                k if k.startswith("zoom_") else f"zoom_{k}": v for k, v in exc.errors.items()
            }
            return rx.toast.error(next(iter(exc.errors.values()), str(exc)))
        except ServiceError as exc:
            return rx.toast.error(str(exc))
        self.zoom_errors = {}
        self.zoom_notice = "Zoom call scheduled; the client is notified."
        return [*[rx.set_value(ref, "") for ref in ZOOM_INPUTS], rx.toast.success(self.zoom_notice)]

    @rx.event
    def cancel_convert(self):
        self.converting = False
        self.form_errors = {}

    async def _find_similar(self, principal) -> None:
        draft = TicketDraft(**{f: self._draft_text.get(f, "") for f in SIMILARITY_FIELDS})
        if not any(self._draft_text.get(f) for f in SIMILARITY_FIELDS if f != "affected_area"):
            self.similar = []
            return
        try:
            found = await in_db(
                lambda s: problems.similar_open_tickets(
                    session=s, principal=principal, draft_or_ticket=draft
                )
            )
        except ServiceError:
            found = []
        self.similar = [
            {
                "ticket_id": t.ticket_id,
                "number": t.number,
                "title": t.title,
                "organization": t.organization,
                "status": STATUS_LABELS.get(t.status, t.status),
                "score": f"{round(t.score * 100)}% alike",
                "problem_id": t.problem_id or 0,
                "problem_title": t.problem_title or "",
                "choice": f"problem:{t.problem_id}" if t.problem_id else f"ticket:{t.ticket_id}",
                "action": (
                    f"Link to problem: {t.problem_title}"
                    if t.problem_id
                    else f"Link to #{t.number}"
                ),
            }
            for t in found
        ]

    @rx.event
    async def draft_changed(self, field: str, value: str):
        """A field the similarity looks at changed: look for similar open tickets again."""
        if field not in SIMILARITY_FIELDS or not self.converting:
            return None
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        self._draft_text = {**self._draft_text, field: str(value)[:5000]}
        await self._find_similar(principal)
        return None

    @rx.event
    def choose_link(self, choice: str):
        # Only a suggestion this agent was shown can be chosen; the ids never come from typing.
        match = next((t for t in self.similar if t["choice"] == choice), None)
        if match is None:
            return rx.toast.error("That ticket is no longer suggested.")
        self.link_choice = choice
        self.link_label = match["action"].replace("Link to", "Will be linked to", 1)
        return None

    @rx.event
    def clear_link(self):
        self.link_choice = ""
        self.link_label = ""

    @rx.event
    async def create_ticket(self, form_data: dict[str, Any]):
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        chat_id = self._chat_id
        values = {f: str(form_data.get(f, "")).strip() for f in DRAFT_FIELDS}
        support_path, typed_path = support_path_from_form(form_data)
        # Keep everything typed, whatever happens next.
        self.prefill = {**self.prefill, **values, **typed_path}
        attachment_ids = list(self._attachment_ids)
        link_choice = self.link_choice
        draft = TicketDraft(
            **values, support_path=support_path, attachment_count=len(attachment_ids)
        )

        try:
            number = await in_db(
                lambda s: team_actions.convert_chat(
                    session=s,
                    principal=principal,
                    chat_id=chat_id,
                    draft=draft,
                    attachment_ids=attachment_ids,
                    link_choice=link_choice,
                    now=utcnow(),
                )
            )
        except ValidationFailed as exc:
            self.form_errors = exc.errors
            return rx.toast.error(str(exc) if not exc.errors else "Please add the missing detail.")
        except ServiceError as exc:
            return rx.toast.error(str(exc))
        self.form_errors = {}
        self.converting = False
        self.similar = []
        self.link_choice = ""
        self.link_label = ""
        self.created_notice = f"Ticket #{number} created"
        refresh_room_later(chat_id)
        ticket_changed_later(None)  # the new ticket appears on every open board
        await self._refresh_lists(principal)
        return rx.toast.success(self.created_notice)
