"""`/agent/tickets/[number]`: one ticket as the team sees it, internal notes included."""

from __future__ import annotations

from typing import Any

import reflex as rx

from support_portal.domain.lifecycle import STATUS_LABELS, allowed_targets
from support_portal.domain.roles import Role
from support_portal.models import Organization, User
from support_portal.services import agent_tickets, attachments, tickets
from support_portal.services.errors import ServiceError, TransitionNotAllowed
from support_portal.state.live_updates import ticket_changed_later
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


def describe(event: dict[str, Any]) -> str:
    """One line a person reads in the timeline."""
    data = event["data"] or {}
    kind = event["kind"]
    if kind == "created":
        source = "from a chat" if data.get("source") == "chat" else f"via {data.get('source')}"
        return f"Created {source}: {data.get('title', '')}"
    if kind in ("status_changed", "reopened"):
        text = f"Status: {data.get('from_label')} → {data.get('to_label')}"
        return f"{text} ({data['reason']})" if data.get("reason") else text
    if kind in ("public_update", "internal_note", "client_details"):
        return str(data.get("body", ""))
    if kind in ("assigned", "unassigned"):
        return f"Assigned to {data.get('assignee')}" if data.get("assignee") else "Unassigned"
    if kind == "priority_changed":
        return f"Priority: {data.get('from')} → {data.get('to')}"
    return kind.replace("_", " ").capitalize()


def _transcript_text(data: dict[str, Any]) -> str:
    """Transcripts come from chats, demo data and outside tools: read them leniently."""
    lines = []
    for m in data.get("transcript") or []:
        if isinstance(m, dict):
            who = m.get("sender_name") or m.get("sender") or m.get("sender_role") or ""
            lines.append(f"{who}: {m.get('body', '')}")
    return "\n".join(lines)


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
    not_found: bool = False
    _version: int = 0

    def _number(self) -> str:
        # The last segment of /agent/tickets/<number>/ (router.page.params is deprecated).
        return self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    async def _reload(self, principal) -> None:
        number = self._number()

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
            return ticket, org, requester, events, files

        try:
            ticket, org, requester, events, files = await in_db(work)
        except ServiceError:
            self.not_found = True
            self.ticket_number = 0
            return
        self.not_found = False
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
        self.events = [
            {
                "id": e["id"],
                "kind": e["kind"],
                "visibility": "Public" if e["is_public"] else "Internal",
                "actor": e["actor"],
                "at": e["at"],
                "summary": describe(e),
                "transcript": _transcript_text(e["data"] or {}),
            }
            for e in events
        ]
        self.files = files
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
        await self._reload(principal)

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
