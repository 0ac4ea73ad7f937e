"""The timeline's vocabulary: every kind of ticket event, who sees it, and how each audience
reads it.

A ticket's history is a list of events (`models.TicketEvent`: kind, data, public flag). Three
audiences read it:
- the client, on their ticket page: only the kinds in `CLIENT_KEYS`, and of each only the data
  keys listed there (the page itself is built in `services/client_views.py` from these rules);
- the team, on the agent ticket page: every kind, one line each (`team_text`);
- the REST API (outside chat tools acting for the agency): the public events, one sentence
  each (`api_text`).

Adding a kind means adding it to `EventKind`, to `AUDIENCES`, and to each presenter of an
audience that sees it; `tests/unit/test_timeline_vocabulary.py` fails until that is done.
Who sees a kind is decided here by kind, not only by the row's public flag: a priority change
is triage, never shown to a client, whatever flag an old row carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from support_portal.domain.lifecycle import STATUS_LABELS, Status


class EventKind(StrEnum):
    CREATED = "created"
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    STATUS_CHANGED = "status_changed"
    REOPENED = "reopened"
    PRIORITY_CHANGED = "priority_changed"
    PUBLIC_UPDATE = "public_update"
    INTERNAL_NOTE = "internal_note"
    CLIENT_DETAILS = "client_details"
    WALKTHROUGH = "walkthrough"
    LINK = "link"
    ZOOM_SCHEDULED = "zoom_scheduled"
    ZOOM_OUTCOME = "zoom_outcome"
    PROBLEM_UPDATE = "problem_update"
    LINKED_TO_PROBLEM = "linked_to_problem"
    RELATED_TICKET = "related_ticket"
    # A reply on a ticket closed long ago starts a new ticket; each names the other.
    FOLLOW_UP_OF = "follow_up_of"
    FOLLOW_UP_OPENED = "follow_up_opened"
    NOTIFICATION_FAILED = "notification_failed"
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"
    UPDATE_REMINDER = "update_reminder"
    AUTO_CLOSE_WARNING = "auto_close_warning"
    AUTO_CLOSE = "auto_close"


class Audience(StrEnum):
    CLIENT = "client"
    TEAM = "team"
    API = "api"


_ALL = frozenset(Audience)
_TEAM_AND_API = frozenset({Audience.TEAM, Audience.API})
_TEAM = frozenset({Audience.TEAM})

AUDIENCES: dict[EventKind, frozenset[Audience]] = {
    EventKind.CREATED: _ALL,
    EventKind.ASSIGNED: _ALL,
    EventKind.UNASSIGNED: _ALL,
    EventKind.STATUS_CHANGED: _ALL,
    EventKind.REOPENED: _ALL,
    EventKind.PUBLIC_UPDATE: _ALL,
    EventKind.CLIENT_DETAILS: _ALL,
    EventKind.WALKTHROUGH: _ALL,
    EventKind.LINK: _ALL,
    EventKind.ZOOM_SCHEDULED: _ALL,
    EventKind.ZOOM_OUTCOME: _ALL,
    EventKind.PROBLEM_UPDATE: _ALL,
    EventKind.FOLLOW_UP_OF: _ALL,
    EventKind.FOLLOW_UP_OPENED: _ALL,
    # Triage is the agency's business: the API serves the agency, the client page does not.
    EventKind.PRIORITY_CHANGED: _TEAM_AND_API,
    # Failed notifications are shown to the client beside their own notifications instead.
    EventKind.NOTIFICATION_FAILED: _TEAM_AND_API,
    EventKind.INTERNAL_NOTE: _TEAM,
    EventKind.LINKED_TO_PROBLEM: _TEAM,
    EventKind.RELATED_TICKET: _TEAM,
    EventKind.SLA_WARNING: _TEAM,
    EventKind.SLA_BREACH: _TEAM,
    EventKind.UPDATE_REMINDER: _TEAM,
    EventKind.AUTO_CLOSE_WARNING: _TEAM,
    EventKind.AUTO_CLOSE: _TEAM,
}

# Of each kind a client sees, the only data keys their page may read.
CLIENT_KEYS: dict[EventKind, frozenset[str]] = {
    EventKind.CREATED: frozenset({"source", "transcript"}),
    EventKind.ASSIGNED: frozenset({"assignee"}),
    EventKind.UNASSIGNED: frozenset(),
    EventKind.STATUS_CHANGED: frozenset({"to", "reason"}),
    EventKind.REOPENED: frozenset({"to", "reason"}),
    EventKind.PUBLIC_UPDATE: frozenset({"body", "author"}),
    EventKind.CLIENT_DETAILS: frozenset({"body", "author", "attachment_ids"}),
    EventKind.WALKTHROUGH: frozenset({"url", "title", "author"}),
    EventKind.LINK: frozenset({"url", "title", "author"}),
    EventKind.ZOOM_SCHEDULED: frozenset({"meeting_url", "scheduled_at", "attendees"}),
    EventKind.ZOOM_OUTCOME: frozenset({"outcome", "resolved_on_call"}),
    EventKind.PROBLEM_UPDATE: frozenset({"body", "author"}),
    EventKind.FOLLOW_UP_OF: frozenset({"number", "title"}),
    EventKind.FOLLOW_UP_OPENED: frozenset({"number", "title"}),
}


def kind_of(value: str) -> EventKind | None:
    try:
        return EventKind(value)
    except ValueError:
        return None


def sees(audience: Audience, kind: str) -> bool:
    known = kind_of(kind)
    return known is not None and audience in AUDIENCES[known]


def status_label(value: Any) -> str:
    try:
        return STATUS_LABELS[Status(value)]
    except ValueError:
        return str(value)


def _sla_step(kind: EventKind, data: Mapping[str, Any]) -> str:
    target = str(data.get("target") or "").replace("_", " ")
    what = {
        EventKind.SLA_WARNING: "SLA warning",
        EventKind.SLA_BREACH: "SLA breached",
        EventKind.UPDATE_REMINDER: "Update reminder sent",
        EventKind.AUTO_CLOSE_WARNING: "Client warned of auto-close",
        EventKind.AUTO_CLOSE: "Closed automatically",
    }[kind]
    return f"{what}: {target}" if target else what


def team_text(kind: str, data: Mapping[str, Any], *, when: str = "") -> str | None:
    """One line the team reads on the agent ticket page; None for a kind not in the
    vocabulary. `when` is a formatted time the caller computed in the viewer's zone."""
    k = kind_of(kind)
    match k:
        case EventKind.CREATED:
            source = "from a chat" if data.get("source") == "chat" else f"via {data.get('source')}"
            return f"Created {source}: {data.get('title', '')}"
        case EventKind.ASSIGNED | EventKind.UNASSIGNED:
            return f"Assigned to {data.get('assignee')}" if data.get("assignee") else "Unassigned"
        case EventKind.STATUS_CHANGED | EventKind.REOPENED:
            text = f"Status: {data.get('from_label')} → {data.get('to_label')}"
            return f"{text} ({data['reason']})" if data.get("reason") else text
        case EventKind.PRIORITY_CHANGED:
            return f"Priority: {data.get('from')} → {data.get('to')}"
        case EventKind.PUBLIC_UPDATE | EventKind.INTERNAL_NOTE | EventKind.CLIENT_DETAILS:
            return str(data.get("body", ""))
        case EventKind.PROBLEM_UPDATE:
            return f"Problem update (to every affected client): {data.get('body', '')}"
        case EventKind.WALKTHROUGH | EventKind.LINK:
            return str(data.get("title") or data.get("url") or "")
        case EventKind.ZOOM_SCHEDULED:
            return f"Zoom call scheduled for {when} with {data.get('attendees', '')}"
        case EventKind.ZOOM_OUTCOME:
            how = (
                "resolved on the call"
                if data.get("resolved_on_call")
                else "not resolved on the call"
            )
            return f"Zoom call outcome ({how}): {data.get('outcome', '')}"
        case EventKind.LINKED_TO_PROBLEM:
            return f"Linked to problem: {data.get('problem_title', '')}"
        case EventKind.RELATED_TICKET:
            return f"Related to #{data.get('number')}: {data.get('title', '')}"
        case EventKind.FOLLOW_UP_OF:
            return f"Follow-up of closed ticket #{data.get('number')}: {data.get('title', '')}"
        case EventKind.FOLLOW_UP_OPENED:
            return f"The client replied after the close: continued in #{data.get('number')}"
        case EventKind.NOTIFICATION_FAILED:
            return str(data.get("message") or "A notification could not be delivered")
        case (
            EventKind.SLA_WARNING
            | EventKind.SLA_BREACH
            | EventKind.UPDATE_REMINDER
            | EventKind.AUTO_CLOSE_WARNING
            | EventKind.AUTO_CLOSE
        ):
            return _sla_step(k, data)
    return None


_API_SOURCES = {
    "chat": "a live chat",
    "api": "a chat in an outside tool",
    "reply": "a client's reply on a closed ticket",
}


def api_text(kind: str, data: Mapping[str, Any]) -> str | None:
    """One sentence for the REST API's public timeline; None for a kind the API does not show."""
    k = kind_of(kind)
    if k is None or Audience.API not in AUDIENCES[k]:
        return None
    match k:
        case EventKind.CREATED:
            return f"Ticket created from {_API_SOURCES.get(data.get('source'), 'a live chat')}."
        case EventKind.STATUS_CHANGED:
            return f"Status changed to {status_label(data.get('to'))}."
        case EventKind.REOPENED:
            return f"Reopened: {status_label(data.get('to'))}."
        case EventKind.PRIORITY_CHANGED:
            return f"Priority changed to {data.get('to')}."
        case EventKind.ASSIGNED:
            return f"Assigned to {data.get('assignee') or 'a team member'}."
        case EventKind.UNASSIGNED:
            return "No longer assigned."
        case EventKind.PUBLIC_UPDATE:
            return f"Update from the team: {data.get('body', '')}"
        case EventKind.PROBLEM_UPDATE:
            return f"Update on a problem affecting several clients: {data.get('body', '')}"
        case EventKind.CLIENT_DETAILS:
            return f"Details added by the client: {data.get('body', '')}"
        case EventKind.WALKTHROUGH:
            return f"Walkthrough added: {data.get('title') or data.get('url', '')}"
        case EventKind.LINK:
            return f"Link added: {data.get('title') or data.get('url', '')}"
        case EventKind.ZOOM_SCHEDULED:
            return f"Zoom call scheduled for {data.get('scheduled_at', '')}."
        case EventKind.ZOOM_OUTCOME:
            return f"Zoom call outcome: {data.get('outcome', '')}"
        case EventKind.FOLLOW_UP_OF:
            return f"Follow-up of closed ticket #{data.get('number')}."
        case EventKind.FOLLOW_UP_OPENED:
            return f"The client replied after the close; continued in ticket #{data.get('number')}."
        case EventKind.NOTIFICATION_FAILED:
            return str(data.get("message") or "A notification could not be delivered.")
    return None
