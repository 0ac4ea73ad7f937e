"""`/agent/tickets/[number]`: one ticket as the team sees it, internal notes included."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx

from support_portal.clock import as_utc
from support_portal.domain.lifecycle import STATUS_LABELS, allowed_targets
from support_portal.domain.links import link_segments
from support_portal.domain.roles import Role
from support_portal.domain.support_path import CHANNELS
from support_portal.domain.timeline import EventKind, is_link, is_prose, team_text
from support_portal.models import Organization, User
from support_portal.realtime import topics
from support_portal.realtime.updates import ticket_changed_later
from support_portal.services import agent_tickets, attachments, escalations, tickets
from support_portal.services.errors import (
    NotFound,
    ServiceError,
    TransitionNotAllowed,
    ValidationFailed,
)
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


def schedule_zoom_from_form(s, principal, form_data: dict[str, Any], **where: Any) -> None:
    """Shared by the ticket page and the console; field errors come back as zoom_<field>."""
    when = _local_input(str(form_data.get("scheduled_at", "")))
    if when is None:
        raise ValidationFailed({"zoom_scheduled_at": "Choose the date and time of the call."})
    try:
        escalations.schedule_zoom(
            session=s,
            principal=principal,
            meeting_url=str(form_data.get("meeting_url", "")),
            local_time=when,
            attendees=str(form_data.get("attendees", "")),
            **where,
        )
    except ValidationFailed as exc:
        raise ValidationFailed({f"zoom_{k}": v for k, v in exc.errors.items()}) from exc


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
    not_found: bool = False
    _version: int = 0
    _ticket_id: int = 0
    _number_shown: str = ""

    def _number(self) -> str:
        # The last segment of /agent/tickets/<number>/ (router.page.params is deprecated).
        return self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    async def _reload(self, principal, number: str | None = None) -> None:
        number = number or self._number()

        def work(s):
            ticket = tickets.get_ticket(session=s, principal=principal, number=number)
            org = s.get(Organization, ticket.organization_id)
            requester = s.get(User, ticket.requester_id)
            events = agent_tickets.team_timeline(session=s, principal=principal, ticket=ticket)
            files = [
                {"name": a.original_name, "url": attachments.download_url(a.id)}  # type: ignore[arg-type]
                for a in attachments.ticket_attachments(
                    session=s, principal=principal, ticket=ticket
                )
            ]
            zoom = escalations.escalation_views(session=s, principal=principal, ticket=ticket)
            tz = escalations.client_timezone(session=s, principal=principal, ticket=ticket)
            return ticket, org, requester, events, files, zoom, tz

        try:
            ticket, org, requester, events, files, zoom, tz = await in_db(work)
        except ServiceError:
            self.not_found = True
            self.ticket_number = 0
            self._ticket_id = 0
            return
        self.not_found = False
        self._ticket_id = ticket.id or 0
        self._number_shown = number
        self.ticket_number = ticket.number or 0
        self.title = ticket.title
        self.status_label = STATUS_LABELS[ticket.status]
        self.priority = ticket.priority
        self.organization = org.name if org else ""
        self.requester = requester.name if requester else ""
        self.details = [
            {"label": label, "value": getattr(ticket, field) or "—"}
            for field, label in DETAIL_LABELS
        ]
        self.events = [event_view(e, tz) for e in events]
        self.files = files
        self.support_path = support_path_view(ticket.support_path)
        self.crm_subaccount = (org.crm_subaccount_id if org else None) or ""
        self.workflow_name = ticket.affected_workflow_name
        self.workflow_url = ticket.affected_workflow_url
        self.client_tz = tz
        self.agency_tz = get_settings().agency_timezone
        self.escalations = zoom
        self.status_options = [
            {"value": s.value, "label": STATUS_LABELS[s]}
            for s in allowed_targets(ticket.status, principal.actor)
        ]
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

    async def _act(self, action, success: str):
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        number = self._number()

        def work(s):
            ticket = tickets.get_ticket(session=s, principal=principal, number=number)
            action(s, principal, ticket)
            s.commit()
            return ticket.id

        try:
            ticket_id = await in_db(work)
        except (ServiceError, TransitionNotAllowed) as exc:
            return rx.toast.error(str(exc))
        # Clients who have this ticket open see the change without a reload.
        ticket_changed_later(ticket_id)
        await self._reload(principal)
        return rx.toast.success(success)

    @rx.event
    async def post_update(self, form_data: dict[str, Any]):
        body = str(form_data.get("body", ""))
        return await self._act(
            lambda s, p, t: tickets.post_update(session=s, principal=p, ticket=t, body=body),
            "Update posted.",
        )

    @rx.event
    async def add_note(self, form_data: dict[str, Any]):
        body = str(form_data.get("note", ""))
        return await self._act(
            lambda s, p, t: tickets.post_update(
                session=s, principal=p, ticket=t, body=body, internal=True
            ),
            "Internal note added.",
        )

    @rx.event
    async def change_status(self, form_data: dict[str, Any]):
        target = str(form_data.get("status", ""))
        reason = str(form_data.get("reason", ""))
        version = self._version
        return await self._act(
            lambda s, p, t: tickets.change_status(
                session=s,
                principal=p,
                ticket=t,
                to=target,
                reason=reason,
                expected_version=version,
            ),
            "Status changed.",
        )

    async def _act_form(self, action, success: str, clear: tuple[str, ...], prefix: str):
        """Like _act, but field errors stay beside the form's fields (keys `prefix...`)."""
        principal = await self._require(*TEAM)
        if principal is None:
            return rx.toast.error("Please sign in again.")
        number = self._number()

        def work(s):
            ticket = tickets.get_ticket(session=s, principal=principal, number=number)
            action(s, principal, ticket)
            s.commit()
            return ticket.id

        others = {k: v for k, v in self.errors.items() if not k.startswith(prefix)}
        try:
            ticket_id = await in_db(work)
        except ValidationFailed as exc:
            self.errors = {**others, **exc.errors}
            return rx.toast.error(next(iter(exc.errors.values()), str(exc)))
        except (ServiceError, TransitionNotAllowed) as exc:
            return rx.toast.error(str(exc))
        self.errors = others
        # Clients who have this ticket open see the change without a reload.
        ticket_changed_later(ticket_id)
        await self._reload(principal)
        return [*[rx.set_value(ref, "") for ref in clear], rx.toast.success(success)]

    @rx.event
    async def add_link(self, form_data: dict[str, Any]):
        url = str(form_data.get("url", ""))
        title = str(form_data.get("title", ""))

        def action(s, p, t):
            try:
                escalations.add_link(session=s, principal=p, ticket=t, url=url, title=title)
            except ValidationFailed as exc:
                raise ValidationFailed({f"link_{k}": v for k, v in exc.errors.items()}) from exc

        return await self._act_form(action, "Link added.", ("link-url", "link-title"), "link_")

    @rx.event
    async def schedule_zoom(self, form_data: dict[str, Any]):
        return await self._act_form(
            lambda s, p, t: schedule_zoom_from_form(s, p, form_data, ticket=t),
            "Zoom call scheduled; the client is notified.",
            ZOOM_INPUTS,
            "zoom_",
        )

    @rx.event
    async def record_outcome(self, form_data: dict[str, Any]):
        raw_id = str(form_data.get("escalation_id", ""))
        outcome = str(form_data.get("outcome", ""))
        resolved = bool(form_data.get("resolved_on_call"))
        resolve_ticket = bool(form_data.get("resolve_ticket"))

        def action(s, p, t):
            # The id comes from the browser: it must be one of this ticket's calls.
            mine = escalations.escalations_for_ticket(session=s, principal=p, ticket=t)
            if raw_id not in {str(e.id) for e in mine}:
                raise NotFound("Zoom escalation not found.")
            try:
                escalations.record_zoom_outcome(
                    session=s,
                    principal=p,
                    escalation_id=int(raw_id),
                    outcome=outcome,
                    resolved_on_call=resolved,
                    resolve_ticket=resolve_ticket,
                )
            except ValidationFailed as exc:
                raise ValidationFailed({f"outcome_{raw_id}": exc.errors["outcome"]}) from exc

        return await self._act_form(action, "Outcome recorded.", (), "outcome_")
