"""The timeline's vocabulary: every kind of ticket event, who sees it, and how each audience
reads it.

A ticket's history is a list of events (`models.TicketEvent`: kind, data, public flag). Three
audiences read it:
- the client, on their ticket page: only the kinds in `CLIENT_KEYS`, and of each only the data
  keys listed there (the page itself is built in `services/client_views.py` from these rules);
- the team, on the agent ticket page: every kind, one line each (`team_text`);
- the REST API (outside chat tools acting for the agency): the public events, one sentence
  each (`api_text`).

Each kind says what data it carries (`CARRIES`). Each audience has one presenter built from
that data: `client_entry` (icon, headline, body, link of a client's timeline item),
`team_text` and `api_text`. Adding a kind means adding it to `EventKind`, `CARRIES`,
`AUDIENCES`, and to the presenter of each audience that sees it;
`tests/unit/test_timeline_vocabulary.py` fails until that is done.
Who sees a kind is decided here by kind, not only by the row's public flag: a priority change
is triage, never shown to a client, whatever flag an old row carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from support_portal.domain.lifecycle import CLIENT_STATUS_WORDS, STATUS_LABELS, Status
from support_portal.domain.links import LinkRefused, check_url


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

# The data an event of each kind carries (written by the service that records it).
_STATUS_STEP = frozenset({"from", "to", "from_label", "to_label", "reason"})
_WORDS = frozenset({"body", "author"})
_ADDED_LINK = frozenset({"url", "title", "author"})
_SLA_STEP = frozenset({"target", "target_label", "due_at"})
CARRIES: dict[EventKind, frozenset[str]] = {
    # `api_key` names the key an outside chat tool used.
    EventKind.CREATED: frozenset(
        {"source", "chat_id", "transcript", "title", "api_key", "follow_up_of"}
    ),
    EventKind.ASSIGNED: frozenset({"assignee_id", "assignee", "previous_id", "previous"}),
    EventKind.UNASSIGNED: frozenset({"assignee_id", "assignee", "previous_id", "previous"}),
    EventKind.STATUS_CHANGED: _STATUS_STEP,
    EventKind.REOPENED: _STATUS_STEP,
    EventKind.PRIORITY_CHANGED: frozenset({"from", "to"}),
    EventKind.PUBLIC_UPDATE: _WORDS,
    EventKind.INTERNAL_NOTE: _WORDS,
    EventKind.CLIENT_DETAILS: _WORDS | {"attachment_ids", "via"},
    EventKind.WALKTHROUGH: _ADDED_LINK,
    EventKind.LINK: _ADDED_LINK,
    EventKind.ZOOM_SCHEDULED: frozenset(
        {"escalation_id", "meeting_url", "scheduled_at", "attendees"}
    ),
    EventKind.ZOOM_OUTCOME: frozenset({"escalation_id", "outcome", "resolved_on_call"}),
    EventKind.PROBLEM_UPDATE: _WORDS | {"problem_id"},
    EventKind.LINKED_TO_PROBLEM: frozenset({"problem_id", "problem_title"}),
    EventKind.RELATED_TICKET: frozenset({"ticket_id", "number", "title"}),
    EventKind.FOLLOW_UP_OF: frozenset({"ticket_id", "number", "title"}),
    EventKind.FOLLOW_UP_OPENED: frozenset({"ticket_id", "number", "title"}),
    EventKind.NOTIFICATION_FAILED: frozenset(
        {"message", "channel", "to", "reason", "notification_id"}
    ),
    EventKind.SLA_WARNING: _SLA_STEP,
    EventKind.SLA_BREACH: _SLA_STEP,
    EventKind.UPDATE_REMINDER: _SLA_STEP,
    EventKind.AUTO_CLOSE_WARNING: _SLA_STEP,
    EventKind.AUTO_CLOSE: _SLA_STEP,
}

# Kinds whose body is prose written by a person: pages cut their links out for display.
PROSE_KINDS = frozenset(
    {
        EventKind.PUBLIC_UPDATE,
        EventKind.INTERNAL_NOTE,
        EventKind.CLIENT_DETAILS,
        EventKind.PROBLEM_UPDATE,
    }
)
# Kinds that are a web address someone added: shown as a link that opens in a new tab.
LINK_KINDS = frozenset({EventKind.WALKTHROUGH, EventKind.LINK})

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


def is_prose(kind: str) -> bool:
    return kind_of(kind) in PROSE_KINDS


def is_link(kind: str) -> bool:
    return kind_of(kind) in LINK_KINDS


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


@dataclass(frozen=True)
class ClientEntry:
    """How one event reads on the client's timeline. `link_url` is a checked http(s) address
    (or empty); `attachment_ids` are the files the caller may list under the entry."""

    icon: str
    headline: str
    body: str = ""
    link_url: str = ""
    link_title: str = ""
    attachment_ids: tuple[int, ...] = ()


def _client_status_words(value: Any) -> str:
    try:
        return CLIENT_STATUS_WORDS[Status(value)]
    except ValueError:
        return ""


def _web_link(value: Any) -> str:
    """Stored links were checked when added; check again, a page must never get a script."""
    try:
        return check_url(str(value or ""))
    except LinkRefused:
        return ""


def _client_transcript(lines: Any) -> str:
    if not isinstance(lines, list):
        return ""
    out = []
    for line in lines:
        if not isinstance(line, dict):
            continue
        who = "You" if line.get("sender") == "client" else "Support"
        out.append(f"{who}: {line.get('body', '')}")
    return "\n".join(out)


def client_entry(
    kind: str, data: Mapping[str, Any], *, by_viewer: bool = False, when: str = ""
) -> ClientEntry | None:
    """How the client reads an event; None for a kind the client never sees. Only the keys
    in `CLIENT_KEYS` are read, whatever else the row holds. `by_viewer` is True when the
    viewing client wrote it; `when` is the scheduled time formatted in the viewer's zone."""
    k = kind_of(kind)
    if k is None or Audience.CLIENT not in AUDIENCES[k]:
        return None
    d = {key: value for key, value in data.items() if key in CLIENT_KEYS[k]}
    author = d.get("author")
    match k:
        case EventKind.CREATED:
            from_chat = d.get("source") == "chat"
            return ClientEntry(
                icon="message-circle" if from_chat else "file-plus",
                headline="Ticket opened from your chat" if from_chat else "Ticket opened",
                body=_client_transcript(d.get("transcript")),
            )
        case EventKind.ASSIGNED:
            who = d.get("assignee") or "A team member"
            return ClientEntry(icon="user-check", headline=f"{who} is now working on it")
        case EventKind.UNASSIGNED:
            return ClientEntry(icon="user-x", headline="Waiting for a team member to pick it up")
        case EventKind.REOPENED:
            return ClientEntry(
                icon="refresh-cw",
                headline=f"Reopened: {_client_status_words(d.get('to'))}",
                body=str(d.get("reason") or ""),
            )
        case EventKind.STATUS_CHANGED:
            reason = str(d.get("reason") or "")
            if d.get("to") == Status.RESOLVED.value:
                icon, headline = "circle-check", "Resolved: the team says it is fixed"
            elif d.get("to") == Status.CLOSED.value:
                icon, headline = "lock", "Closed"
            else:
                icon, headline = "arrow-right", f"Status: {_client_status_words(d.get('to'))}"
            return ClientEntry(icon=icon, headline=headline, body=reason)
        case EventKind.PUBLIC_UPDATE | EventKind.PROBLEM_UPDATE:
            wider = " on a wider problem" if k is EventKind.PROBLEM_UPDATE else ""
            return ClientEntry(
                icon="megaphone",
                headline=f"Update from {author or 'the team'}{wider}",
                body=str(d.get("body") or ""),
            )
        case EventKind.CLIENT_DETAILS:
            ids = d.get("attachment_ids")
            return ClientEntry(
                icon="paperclip",
                headline="You added details" if by_viewer else f"{author} added details",
                body=str(d.get("body") or ""),
                attachment_ids=tuple(i for i in ids if isinstance(i, int))
                if isinstance(ids, list)
                else (),
            )
        case EventKind.WALKTHROUGH | EventKind.LINK:
            walkthrough = k is EventKind.WALKTHROUGH
            what = "a walkthrough" if walkthrough else "a link"
            url = _web_link(d.get("url"))
            return ClientEntry(
                icon="video" if walkthrough else "link",
                headline=f"You added {what}" if by_viewer else f"{author} added {what}",
                link_url=url,
                link_title=str(d.get("title") or url),
            )
        case EventKind.ZOOM_SCHEDULED:
            return ClientEntry(
                icon="video",
                headline=f"Zoom call scheduled for {when}",
                body=f"Who attends: {d.get('attendees', '')}",
                link_url=_web_link(d.get("meeting_url")),
                link_title="Join the Zoom call",
            )
        case EventKind.ZOOM_OUTCOME:
            solved = bool(d.get("resolved_on_call"))
            return ClientEntry(
                icon="circle-check" if solved else "video",
                headline="Zoom call: solved on the call"
                if solved
                else "Zoom call: what happens next",
                body=str(d.get("outcome") or ""),
            )
        case EventKind.FOLLOW_UP_OF:
            return ClientEntry(
                icon="link",
                headline=f"Continues your closed ticket #{d.get('number')}",
                body=str(d.get("title") or ""),
            )
        case EventKind.FOLLOW_UP_OPENED:
            return ClientEntry(
                icon="link",
                headline=f"Your reply after the close started ticket #{d.get('number')}",
                body=str(d.get("title") or ""),
            )
    return None
