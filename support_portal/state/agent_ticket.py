"""`/agent/tickets/[number]`: one ticket as the team sees it, internal notes included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import reflex as rx

from support_portal.clock import as_utc, utcnow
from support_portal.domain.lifecycle import MOVE_LABELS, STATUS_LABELS, Status, allowed_targets
from support_portal.domain.links import link_segments
from support_portal.domain.roles import Role
from support_portal.domain.support_path import CHANNELS
from support_portal.domain.timeline import EventKind, is_link, is_prose, team_text
from support_portal.realtime import topics
from support_portal.realtime.updates import ticket_changed_later
from support_portal.services import agent_tickets, escalations, team_actions
from support_portal.services.errors import ServiceError, ValidationFailed
from support_portal.services.notifications import format_local
from support_portal.settings import get_settings
from support_portal.state.session import SessionState, in_db

TEAM = (Role.AGENT, Role.MANAGER)
DETAIL_LABELS = (
    ("tried_to_do", "What was the client trying to do?"),
    ("happened_instead", "What happened instead?"),
    ("started_when", "When did it start?"),
    ("recent_changes", "Recent changes"),
    ("steps_to_reproduce", "Steps to reproduce"),
    ("error_messages", "Error messages"),
)


def describe(event: dict[str, Any], client_tz: str = "UTC") -> str:
    """One line a person reads in the timeline."""
    data = event["data"] or {}
    when = ""
    if event["kind"] == EventKind.ZOOM_SCHEDULED:
        when = format_local(_parse_time(data.get("scheduled_at")), client_tz)
    text = team_text(event["kind"], data, when=when)
    return text if text is not None else event["kind"].replace("_", " ").capitalize()


def _transcript_text(data: dict[str, Any]) -> str:
    """Transcripts come from chats, demo data and outside tools: read them leniently."""
    lines = []
    for m in data.get("transcript") or []:
        if isinstance(m, dict):
            who = m.get("sender_name") or m.get("sender") or m.get("sender_role") or ""
            lines.append(f"{who}: {m.get('body', '')}")
    return "\n".join(lines)


def _parse_time(value: Any) -> datetime | None:
    try:
        return as_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


def event_view(e: dict[str, Any], client_tz: str) -> dict[str, Any]:
    """A timeline row as view data: links cut out of bodies here, never in the page."""
    data = e["data"] or {}
    link = is_link(e["kind"])
    summary = describe(e, client_tz)
    return {
        "id": e["id"],
        "kind": e["kind"],
        "visibility": "Public" if e["is_public"] else "Internal",
        "actor": e["actor"],
        "at": e["at"],
        "summary": summary,
        "segments": link_segments(summary) if is_prose(e["kind"]) else [],
        "link_url": str(data.get("url", "")) if link else "",
        "link_title": summary if link else "",
        "transcript": _transcript_text(data),
    }


def support_path_view(entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "channel": CHANNELS.get(str(p.get("channel")), str(p.get("channel"))),
            "outcome": str(p.get("outcome", "")),
        }
        for p in entries or []
        if isinstance(p, dict)
    ]


def _local_input(value: str) -> datetime | None:
    """What a datetime-local input sends ("2026-12-01T10:00"), naive, in the client's zone."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def zoom_form(form_data: dict[str, Any]) -> dict[str, Any]:
    """The Zoom form's fields as a use case takes them (shared by the ticket page and the
    console); an unreadable time is a field error, as zoom_scheduled_at."""
    when = _local_input(str(form_data.get("scheduled_at", "")))
    if when is None:
        raise ValidationFailed({"zoom_scheduled_at": "Choose the date and time of the call."})
    return {
        "meeting_url": str(form_data.get("meeting_url", "")),
        "local_time": when,
        "attendees": str(form_data.get("attendees", "")),
    }


ZOOM_INPUTS = ("zoom-meeting_url", "zoom-scheduled_at", "zoom-attendees")


def team_topic(ticket_id: int) -> str:
    """The team's open pages of one ticket (what they show is the same for all of them)."""
    return f"ticket:{int(ticket_id)}:team"


async def push_team_ticket(ticket_id: int) -> int:
    """Rebuild every open team page of the ticket, each for its own user (checked again).

    Call after committing a change to the ticket, never from a handler of such a page (it
    would wait for that handler's own lock). Returns how many tabs were rebuilt.
    """

    async def refresh(page: AgentTicketState) -> None:
        if page._ticket_id != ticket_id:  # the tab has moved on to another ticket
            return
        principal = await page._require(*TEAM)
        if principal is not None:
            await page._reload(principal, page._number_shown)

    return await topics.publish(team_topic(ticket_id), AgentTicketState, refresh)


class AgentTicketState(SessionState):
    ticket_number: int = 0
    title: str = ""
    status_label: str = ""
    priority: str = ""
    organization: str = ""
    requester: str = ""
    details: list[dict[str, str]] = []
    events: list[dict[str, Any]] = []
    status_options: list[dict[str, str]] = []
    files: list[dict[str, str]] = []
    support_path: list[dict[str, str]] = []
    crm_subaccount: str = ""
    workflow_name: str = ""
    workflow_url: str = ""
    client_tz: str = ""
    agency_tz: str = ""
    escalations: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    # The status a reopen moves to ("" when this ticket cannot be reopened by this user).
    reopen_to: str = ""
    status_note: str = ""
    reopen_reason: str = ""
    # What is typed in the update and note boxes; kept when the text is refused.
    update_text: str = ""
    note_text: str = ""
    not_found: bool = False
    _version: int = 0
    _ticket_id: int = 0
    _number_shown: str = ""

    def _number(self) -> str:
        # The last segment of /agent/tickets/<number>/ (router.page.params is deprecated).
        return self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    async def _reload(self, principal, number: str | None = None) -> None:
        number = number or self._number()
        try:
            page = await in_db(
                lambda s: agent_tickets.ticket_page(session=s, principal=principal, number=number)
            )
        except ServiceError:
            self.not_found = True
            self.ticket_number = 0
            self._ticket_id = 0
            return
        ticket, tz = page.ticket, page.client_tz
        self.not_found = False
        if ticket.id != self._ticket_id:
            # Text typed on another ticket is not for this one.
            self.update_text = self.note_text = ""
        self._ticket_id = ticket.id or 0
        self._number_shown = number
        self.ticket_number = ticket.number or 0
        self.title = ticket.title
        self.status_label = STATUS_LABELS[ticket.status]
        self.priority = ticket.priority
        self.organization = page.organization
        self.requester = page.requester
        self.details = [
            {"label": label, "value": getattr(ticket, field) or "—"}
            for field, label in DETAIL_LABELS
        ]
        self.events = [event_view(e, tz) for e in page.events]
        self.files = page.files
        self.support_path = support_path_view(ticket.support_path)
        self.crm_subaccount = page.crm_subaccount
        self.workflow_name = ticket.affected_workflow_name
        self.workflow_url = ticket.affected_workflow_url
        self.client_tz = tz
        self.agency_tz = get_settings().agency_timezone
        self.escalations = page.escalations
        current = Status(ticket.status)
        moves = [(t, MOVE_LABELS[(current, t)]) for t in allowed_targets(current, principal.actor)]
        # A reopen is kept apart from the other moves: it asks for its own reason.
        self.status_options = [{"value": t.value, "label": m} for t, m in moves if m != "Reopen"]
        self.reopen_to = next((t.value for t, m in moves if m == "Reopen"), "")
        self._version = ticket.version

    @rx.event
    async def on_load(self):
        principal = await self._require(*TEAM)
        if principal is None:
            return await self._guard(*TEAM)
        shown = self._ticket_id
        await self._reload(principal)
        if shown and shown != self._ticket_id:
            await topics.leave(self, team_topic(shown))
        if self._ticket_id:  # the service has just said this user may see it
            await self._join_topic(team_topic(self._ticket_id))

    async def _act(
        self,
        use_case: Callable[..., int | None],
        success: str,
        *,
        clear: tuple[str, ...] = (),
        prefix: str = "",
        field_key: Callable[[str], str] | None = None,
        **args: Any,
    ):
        """Re-check the user, run one team use case on this ticket, refresh the page; a list
        of events on success, one error toast on refusal. With a `prefix`, field errors stay
        beside that form's fields (keys `prefix<field>`, or `field_key(field)`)."""
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        number, now = self._number(), utcnow()
        others = {k: v for k, v in self.errors.items() if not (prefix and k.startswith(prefix))}
        try:
            ticket_id = await in_db(
                lambda s: use_case(session=s, principal=principal, number=number, now=now, **args)
            )
        except ValidationFailed as exc:
            if prefix:
                key = field_key or (lambda field: prefix + field)
                self.errors = {**others, **{key(k): v for k, v in exc.errors.items()}}
                return rx.toast.error(next(iter(exc.errors.values()), str(exc)))
            return rx.toast.error(str(exc))
        except ServiceError as exc:
            return rx.toast.error(str(exc))
        self.errors = others
        # Clients who have this ticket open see the change without a reload.
        ticket_changed_later(ticket_id)
        await self._reload(principal)
        return [*[rx.set_value(ref, "") for ref in clear], rx.toast.success(success)]

    @rx.event
    def set_update_text(self, value: str):
        self.update_text = str(value)[:100_000]  # bounds only what a forged event can send

    @rx.event
    def set_note_text(self, value: str):
        self.note_text = str(value)[:100_000]

    @rx.event
    async def post_update(self, form_data: dict[str, Any]):
        done = await self._act(
            team_actions.post_update,
            "Update posted.",
            prefix="body_",
            body=self.update_text,
            internal=False,
        )
        if isinstance(done, list):  # posted: the box is cleared for the next one
            self.update_text = ""
        return done

    @rx.event
    async def add_note(self, form_data: dict[str, Any]):
        done = await self._act(
            team_actions.post_update,
            "Internal note added.",
            prefix="note_",
            body=self.note_text,
            internal=True,
        )
        if isinstance(done, list):  # posted: the box is cleared for the next one
            self.note_text = ""
        return done

    @rx.event
    def set_status_note(self, value: str):
        self.status_note = str(value)[:100_000]

    @rx.event
    def set_reopen_reason(self, value: str):
        self.reopen_reason = str(value)[:100_000]

    @rx.event
    async def move_to(self, to: str):
        """One of the offered moves; the optional note goes to the client with it."""
        done = await self._act(
            team_actions.change_status,
            "Status changed.",
            to=str(to),
            reason=self.status_note,
            expected_version=self._version,
        )
        if isinstance(done, list):
            self.status_note = ""
        return done

    @rx.event
    async def reopen(self):
        """A reopen says why: the client reads it, so it is never another move's note."""
        if not self.reopen_reason.strip():
            self.errors = {**self.errors, "reopen_reason": "Say why the ticket is reopened."}
            return None
        done = await self._act(
            team_actions.change_status,
            "Ticket reopened.",
            prefix="reopen_",
            to=self.reopen_to,
            reason=self.reopen_reason,
            expected_version=self._version,
        )
        if isinstance(done, list):
            self.reopen_reason = ""
            self.errors = {k: v for k, v in self.errors.items() if k != "reopen_reason"}
        return done

    @rx.event
    async def add_link(self, form_data: dict[str, Any]):
        return await self._act(
            escalations.add_link_on_page,
            "Link added.",
            clear=("link-url", "link-title"),
            prefix="link_",
            url=str(form_data.get("url", "")),
            title=str(form_data.get("title", "")),
        )

    @rx.event
    async def schedule_zoom(self, form_data: dict[str, Any]):
        try:
            fields = zoom_form(form_data)
        except ValidationFailed as exc:
            self.errors = {
                **{k: v for k, v in self.errors.items() if not k.startswith("zoom_")},
                **exc.errors,
            }
            return rx.toast.error(str(exc))
        return await self._act(
            team_actions.schedule_zoom,
            "Zoom call scheduled; the client is notified.",
            clear=ZOOM_INPUTS,
            prefix="zoom_",
            **fields,
        )

    @rx.event
    async def record_outcome(self, form_data: dict[str, Any]):
        raw_id = str(form_data.get("escalation_id", ""))
        return await self._act(
            team_actions.record_zoom_outcome,
            "Outcome recorded.",
            prefix="outcome_",
            field_key=lambda _field: f"outcome_{raw_id}",
            escalation_id=raw_id,
            outcome=str(form_data.get("outcome", "")),
            resolved_on_call=bool(form_data.get("resolved_on_call")),
            resolve_ticket=bool(form_data.get("resolve_ticket")),
        )
