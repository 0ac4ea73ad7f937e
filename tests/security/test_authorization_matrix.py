"""The authorization matrix: every service function that acts for a person, and who may call it.

Each public function of a module in `support_portal/services/` that takes a `principal` must
have at least one row here; a new service fails `test_every_service_function_is_classified`
until someone decides who may call it. For each row and each role of the world (see
`tests/security/world.py`), an allowed role's call is not refused, and a refused role's call
raises Forbidden or NotFound and leaves every row of every table as it was.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

import support_portal.services as services_pkg
from support_portal.clock import utcnow
from support_portal.domain.lifecycle import Status, TransitionNotAllowed
from support_portal.services import (
    agent_tickets,
    api_keys,
    attachments,
    authz,
    board,
    chat,
    client_actions,
    client_views,
    escalations,
    notification_log,
    preferences,
    problems,
    reports,
    systemic,
    team_actions,
    tickets,
)
from support_portal.services.authz import Principal
from support_portal.services.errors import Forbidden, NotFound, ServiceError
from support_portal.testkit.factories import good_draft
from support_portal.testkit.files import PNG
from tests.security.world import LOOM, ROLES, World, build_world, changed_tables, snapshot

EVERYONE = frozenset(ROLES)
CLIENTS = frozenset({"client", "colleague", "outsider"})
ORG_A = frozenset({"client", "colleague", "agent", "other_agent", "manager"})
TEAM = frozenset({"agent", "other_agent", "manager"})
CHAT_MEMBERS = frozenset({"client", "agent", "manager"})
HOLDER = frozenset({"agent", "manager"})
MANAGER = frozenset({"manager"})

Call = Callable[[World, Session, Principal], Any]


@dataclass(frozen=True)
class Case:
    """One row: `call` acts on org A's things as `p`; `allowed` are the roles it must let in."""

    call: Call
    allowed: frozenset[str]
    prepare: Callable[[World, Session], None] | None = None


def _set_status(status: Status) -> Callable[[World, Session], None]:
    def prepare(w: World, s: Session) -> None:
        w.ticket_a.status = status.value
        s.add(w.ticket_a)
        s.commit()

    return prepare


def _unassigned(w: World, s: Session) -> None:
    w.ticket_a.assignee_id = None
    s.add(w.ticket_a)
    s.commit()


def _later(hours: float = 24):
    return (utcnow() + timedelta(hours=hours)).replace(tzinfo=None)


# Functions that take a principal but are the checks themselves, not use cases.
NOT_USE_CASES = {
    "authz.require_role": "the role check every service uses; exercised by every row below",
    "authz.require_team": "the role check every service uses; exercised by every row below",
    "authz.can_see_ticket": "boolean form of ensure_can_see_ticket, which has a row",
    "authz.may_take_part_in_chat": "boolean rule behind join_chat, post_message and chat uploads",
    "authz.may_see_chat": "boolean rule behind get_transcript and chat files, which have rows",
    "client_views.viewer_timezone": "reads the caller's own time zone, nothing of anyone else",
    "unit_of_work.on_ticket": "runs a ticket service for the roles given; every use case built"
    " on it has its row",
}

MATRIX: dict[str, Case] = {
    # authz
    "authz.ensure_can_see_ticket": Case(
        lambda w, s, p: authz.ensure_can_see_ticket(p, w.ticket_a), ORG_A
    ),
    # tickets
    "tickets.get_ticket": Case(
        lambda w, s, p: tickets.get_ticket(session=s, principal=p, number=w.ticket_a.number),
        ORG_A,
    ),
    "tickets.get_ticket_by_id": Case(
        lambda w, s, p: tickets.get_ticket_by_id(session=s, principal=p, ticket_id=w.ticket_a.id),
        ORG_A,
    ),
    "tickets.create_ticket": Case(
        lambda w, s, p: tickets.create_ticket(
            session=s,
            principal=p,
            draft=good_draft(),
            organization_id=w.org_a.id,
            requester_id=w.users["client"].id,
            now=utcnow(),
        ),
        TEAM,
    ),
    "tickets.change_status": Case(
        lambda w, s, p: tickets.change_status(
            session=s, principal=p, ticket=w.ticket_a, to=Status.IN_PROGRESS, now=utcnow()
        ),
        ORG_A,
        prepare=_set_status(Status.WAITING_ON_CLIENT),
    ),
    "tickets.assign[to someone else]": Case(
        lambda w, s, p: tickets.assign(
            session=s,
            principal=p,
            ticket=w.ticket_a,
            assignee_id=w.users["other_agent"].id,
            now=utcnow(),
        ),
        # An agent may take a ticket for themselves, never hand it to someone else.
        frozenset({"other_agent", "manager"}),
    ),
    "tickets.assign[to oneself]": Case(
        lambda w, s, p: tickets.assign(
            session=s, principal=p, ticket=w.ticket_a, assignee_id=p.user_id, now=utcnow()
        ),
        TEAM,
    ),
    "tickets.set_priority": Case(
        lambda w, s, p: tickets.set_priority(
            session=s, principal=p, ticket=w.ticket_a, priority="urgent", now=utcnow()
        ),
        TEAM,
    ),
    "tickets.post_update[public]": Case(
        lambda w, s, p: tickets.post_update(
            session=s, principal=p, ticket=w.ticket_a, body="x", now=utcnow()
        ),
        TEAM,
    ),
    "tickets.post_update[internal]": Case(
        lambda w, s, p: tickets.post_update(
            session=s, principal=p, ticket=w.ticket_a, body="x", internal=True, now=utcnow()
        ),
        TEAM,
    ),
    "tickets.add_client_details": Case(
        lambda w, s, p: tickets.add_client_details(
            session=s, principal=p, ticket=w.ticket_a, body="More detail", now=utcnow()
        ),
        frozenset({"client", "colleague"}),
    ),
    "tickets.add_client_details[another org's file]": Case(
        # The files named must be the client's own, not ids picked from another org.
        lambda w, s, p: tickets.add_client_details(
            session=s,
            principal=p,
            ticket=w.ticket_a,
            body="See",
            attachment_ids=[w.file_b.id],
            now=utcnow(),
        ),
        frozenset(),
    ),
    "tickets.confirm_fix": Case(
        lambda w, s, p: tickets.confirm_fix(
            session=s, principal=p, ticket=w.ticket_a, now=utcnow()
        ),
        frozenset({"client", "colleague"}),
        prepare=_set_status(Status.RESOLVED),
    ),
    "tickets.reopen": Case(
        lambda w, s, p: tickets.reopen(
            session=s, principal=p, ticket=w.ticket_a, reason="Still broken", now=utcnow()
        ),
        ORG_A,
        prepare=_set_status(Status.RESOLVED),
    ),
    # client_actions: a client's ticket page and settings, each committing its change
    "client_actions.add_details": Case(
        lambda w, s, p: client_actions.add_details(
            session=s,
            principal=p,
            number=str(w.ticket_a.number),
            body="More detail",
            files=[("a.png", PNG)],
            now=utcnow(),
        ),
        frozenset({"client", "colleague"}),
    ),
    "client_actions.add_link": Case(
        lambda w, s, p: client_actions.add_link(
            session=s,
            principal=p,
            number=str(w.ticket_a.number),
            url=LOOM,
            title="Walkthrough",
            now=utcnow(),
        ),
        frozenset({"client", "colleague"}),
    ),
    "client_actions.confirm_fix": Case(
        lambda w, s, p: client_actions.confirm_fix(
            session=s, principal=p, number=str(w.ticket_a.number), now=utcnow()
        ),
        frozenset({"client", "colleague"}),
        prepare=_set_status(Status.RESOLVED),
    ),
    "client_actions.reopen": Case(
        lambda w, s, p: client_actions.reopen(
            session=s, principal=p, number=str(w.ticket_a.number), reason="Still", now=utcnow()
        ),
        frozenset({"client", "colleague"}),
        prepare=_set_status(Status.RESOLVED),
    ),
    "client_actions.save_preferences": Case(
        lambda w, s, p: client_actions.save_preferences(
            session=s, principal=p, notify_email=False, notify_sms=False, phone=None
        ),
        EVERYONE,
    ),
    # team_actions: the team's ticket page and console, each committing its change
    "team_actions.post_update": Case(
        lambda w, s, p: team_actions.post_update(
            session=s,
            principal=p,
            number=str(w.ticket_a.number),
            body="Looking into it",
            internal=False,
            now=utcnow(),
        ),
        TEAM,
    ),
    "team_actions.change_status": Case(
        lambda w, s, p: team_actions.change_status(
            session=s,
            principal=p,
            number=str(w.ticket_a.number),
            to="in_progress",
            reason="",
            expected_version=w.ticket_a.version,
            now=utcnow(),
        ),
        TEAM,
    ),
    "team_actions.add_link": Case(
        lambda w, s, p: team_actions.add_link(
            session=s,
            principal=p,
            number=str(w.ticket_a.number),
            url=LOOM,
            title="Walkthrough",
            now=utcnow(),
        ),
        TEAM,
    ),
    "team_actions.schedule_zoom[ticket]": Case(
        lambda w, s, p: team_actions.schedule_zoom(
            session=s,
            principal=p,
            number=str(w.ticket_a.number),
            meeting_url="https://zoom.us/j/1234567890",
            local_time=_later(),
            attendees="Alice",
            now=utcnow(),
        ),
        TEAM,
    ),
    "team_actions.schedule_zoom[chat]": Case(
        lambda w, s, p: team_actions.schedule_zoom(
            session=s,
            principal=p,
            chat_id=w.chat_a.id,
            meeting_url="https://zoom.us/j/1234567890",
            local_time=_later(),
            attendees="Alice",
            now=utcnow(),
        ),
        HOLDER,
    ),
    "team_actions.record_zoom_outcome": Case(
        lambda w, s, p: team_actions.record_zoom_outcome(
            session=s,
            principal=p,
            number=str(w.ticket_a.number),
            escalation_id=str(w.zoom_a.id),
            outcome="Fixed together",
            resolved_on_call=True,
            resolve_ticket=False,
            now=utcnow(),
        ),
        TEAM,
    ),
    "team_actions.add_screenshot": Case(
        lambda w, s, p: team_actions.add_screenshot(
            session=s, principal=p, chat_id=w.chat_a.id, filename="a.png", data=PNG, now=utcnow()
        ),
        HOLDER,
    ),
    "team_actions.convert_chat": Case(
        lambda w, s, p: team_actions.convert_chat(
            session=s,
            principal=p,
            chat_id=w.chat_a.id,
            draft=good_draft(),
            attachment_ids=[],
            link_choice=f"problem:{w.problem.id}",
            now=utcnow(),
        ),
        HOLDER,
    ),
    "team_actions.link_ticket_to_problem": Case(
        lambda w, s, p: team_actions.link_ticket_to_problem(
            session=s, principal=p, problem_id=w.problem.id, ticket_id=w.ticket_a2.id, now=utcnow()
        ),
        TEAM,
    ),
    "agent_tickets.ticket_page": Case(
        lambda w, s, p: agent_tickets.ticket_page(
            session=s, principal=p, number=str(w.ticket_a.number)
        ),
        TEAM,
    ),
    # agent_tickets
    "agent_tickets.list_assigned": Case(
        lambda w, s, p: agent_tickets.list_assigned(session=s, principal=p), TEAM
    ),
    "agent_tickets.team_queue": Case(
        lambda w, s, p: agent_tickets.team_queue(session=s, principal=p, now=utcnow()), TEAM
    ),
    "agent_tickets.take_ticket": Case(
        lambda w, s, p: agent_tickets.take_ticket(
            session=s,
            principal=p,
            number=w.ticket_a.number,
            expected_version=w.ticket_a.version,
            now=utcnow(),
        ),
        TEAM,
        prepare=_unassigned,
    ),
    "agent_tickets.taken_message": Case(
        lambda w, s, p: agent_tickets.taken_message(
            session=s, principal=p, number=w.ticket_a.number
        ),
        TEAM,
    ),
    "agent_tickets.team_timeline": Case(
        lambda w, s, p: agent_tickets.team_timeline(session=s, principal=p, ticket=w.ticket_a),
        TEAM,
    ),
    # api_keys
    "api_keys.create_api_key": Case(
        lambda w, s, p: api_keys.create_api_key(
            session=s, principal=p, name="Another tool", now=utcnow()
        ),
        MANAGER,
    ),
    "api_keys.list_api_keys": Case(
        lambda w, s, p: api_keys.list_api_keys(session=s, principal=p), MANAGER
    ),
    "api_keys.revoke_api_key": Case(
        lambda w, s, p: api_keys.revoke_api_key(
            session=s, principal=p, prefix=w.api_key.prefix, now=utcnow()
        ),
        MANAGER,
    ),
    # attachments
    "attachments.store_attachment[ticket]": Case(
        lambda w, s, p: attachments.store_attachment(
            session=s,
            principal=p,
            filename="a.png",
            data=PNG,
            ticket_id=w.ticket_a.id,
            now=utcnow(),
        ),
        ORG_A,
    ),
    "attachments.store_attachment[chat]": Case(
        lambda w, s, p: attachments.store_attachment(
            session=s, principal=p, filename="a.png", data=PNG, chat_id=w.chat_a.id, now=utcnow()
        ),
        CHAT_MEMBERS,
    ),
    "attachments.attach_to_ticket": Case(
        lambda w, s, p: attachments.attach_to_ticket(
            session=s, principal=p, attachment_ids=[w.unlinked_file_a.id], ticket=w.ticket_a
        ),
        frozenset({"client"}),  # only the uploader links their own file
    ),
    "attachments.attach_to_ticket[another ticket's file]": Case(
        lambda w, s, p: attachments.attach_to_ticket(
            session=s, principal=p, attachment_ids=[w.file_b.id], ticket=w.ticket_a
        ),
        frozenset(),
    ),
    "attachments.open_attachment[public]": Case(
        lambda w, s, p: attachments.open_attachment(
            session=s, principal=p, attachment_id=w.public_file_a.id
        ),
        ORG_A,
    ),
    "attachments.open_attachment[internal]": Case(
        lambda w, s, p: attachments.open_attachment(
            session=s, principal=p, attachment_id=w.internal_file_a.id
        ),
        TEAM,
    ),
    "attachments.open_attachment[chat]": Case(
        lambda w, s, p: attachments.open_attachment(
            session=s, principal=p, attachment_id=w.chat_file_a.id
        ),
        CHAT_MEMBERS,
    ),
    "attachments.open_attachment[not yet linked]": Case(
        lambda w, s, p: attachments.open_attachment(
            session=s, principal=p, attachment_id=w.unlinked_file_a.id
        ),
        frozenset({"client"}),
    ),
    "attachments.ticket_attachments": Case(
        lambda w, s, p: attachments.ticket_attachments(session=s, principal=p, ticket=w.ticket_a),
        ORG_A,
    ),
    # chat
    "chat.get_chat": Case(
        lambda w, s, p: chat.get_chat(session=s, principal=p, chat_id=w.chat_a.id),
        # The team reads any chat (the queue shows them); only members act in it.
        frozenset({"client", "agent", "other_agent", "manager"}),
    ),
    "chat.join_chat": Case(
        lambda w, s, p: chat.join_chat(session=s, principal=p, chat_id=w.chat_a.id), CHAT_MEMBERS
    ),
    "chat.start_chat": Case(
        lambda w, s, p: chat.start_chat(session=s, principal=p, now=utcnow()), CLIENTS
    ),
    "chat.current_chat": Case(lambda w, s, p: chat.current_chat(session=s, principal=p), CLIENTS),
    "chat.post_message": Case(
        lambda w, s, p: chat.post_message(
            session=s, principal=p, chat_id=w.chat_a.id, body="hi", now=utcnow()
        ),
        CHAT_MEMBERS,
    ),
    "chat.accept_chat": Case(
        lambda w, s, p: chat.accept_chat(
            session=s, principal=p, chat_id=w.waiting_a.id, now=utcnow()
        ),
        TEAM,
    ),
    "chat.mark_resolved": Case(
        lambda w, s, p: chat.mark_resolved(
            session=s, principal=p, chat_id=w.chat_a.id, now=utcnow()
        ),
        HOLDER,
    ),
    "chat.list_waiting": Case(
        lambda w, s, p: chat.list_waiting(session=s, principal=p, now=utcnow()), TEAM
    ),
    "chat.list_my_active": Case(
        lambda w, s, p: chat.list_my_active(session=s, principal=p, now=utcnow()), TEAM
    ),
    "chat.get_transcript": Case(
        lambda w, s, p: chat.get_transcript(session=s, principal=p, chat_id=w.chat_a.id),
        CHAT_MEMBERS,
    ),
    "chat.get_transcript[waiting]": Case(
        # Any team member may read a waiting chat before taking it; other clients may not.
        lambda w, s, p: chat.get_transcript(session=s, principal=p, chat_id=w.waiting_a.id),
        frozenset({"colleague", "agent", "other_agent", "manager"}),
    ),
    "chat.suggested_draft": Case(
        lambda w, s, p: chat.suggested_draft(session=s, principal=p, chat_id=w.chat_a.id), HOLDER
    ),
    "chat.convert_to_ticket": Case(
        lambda w, s, p: chat.convert_to_ticket(
            session=s, principal=p, chat_id=w.chat_a.id, draft=good_draft(), now=utcnow()
        ),
        HOLDER,
    ),
    # live_channels
    "escalations.add_link": Case(
        lambda w, s, p: escalations.add_link(
            session=s, principal=p, ticket=w.ticket_a, url=LOOM, title="Walkthrough", now=utcnow()
        ),
        ORG_A,
    ),
    "escalations.schedule_zoom[ticket]": Case(
        lambda w, s, p: escalations.schedule_zoom(
            session=s,
            principal=p,
            ticket=w.ticket_a,
            meeting_url="https://zoom.us/j/1234567890",
            local_time=_later(),
            attendees="Alice",
            now=utcnow(),
        ),
        TEAM,
    ),
    "escalations.schedule_zoom[chat]": Case(
        lambda w, s, p: escalations.schedule_zoom(
            session=s,
            principal=p,
            chat_id=w.chat_a.id,
            meeting_url="https://zoom.us/j/1234567890",
            local_time=_later(),
            attendees="Alice",
            now=utcnow(),
        ),
        HOLDER,
    ),
    "escalations.record_zoom_outcome": Case(
        lambda w, s, p: escalations.record_zoom_outcome(
            session=s,
            principal=p,
            escalation_id=w.zoom_a.id,
            outcome="Fixed together",
            resolved_on_call=True,
            now=utcnow(),
        ),
        TEAM,
    ),
    "escalations.record_zoom_outcome[chat call]": Case(
        lambda w, s, p: escalations.record_zoom_outcome(
            session=s,
            principal=p,
            escalation_id=w.extra["zoom_chat_a"].id,
            outcome="Fixed together",
            resolved_on_call=True,
            now=utcnow(),
        ),
        HOLDER,
    ),
    "escalations.escalations_for_ticket": Case(
        lambda w, s, p: escalations.escalations_for_ticket(
            session=s, principal=p, ticket=w.ticket_a
        ),
        ORG_A,
    ),
    # notification_log
    "notification_log.recent_notifications": Case(
        lambda w, s, p: notification_log.recent_notifications(session=s, principal=p), MANAGER
    ),
    # problems and systemic issues: the team links, managers declare, update and resolve
    "problems.similar_open_tickets": Case(
        lambda w, s, p: problems.similar_open_tickets(
            session=s, principal=p, draft_or_ticket=w.ticket_a
        ),
        TEAM,
    ),
    "problems.link_ticket_to_problem": Case(
        lambda w, s, p: problems.link_ticket_to_problem(
            session=s, principal=p, problem_id=w.problem.id, ticket_id=w.ticket_a2.id, now=utcnow()
        ),
        TEAM,
    ),
    "problems.link_related_ticket": Case(
        lambda w, s, p: problems.link_related_ticket(
            session=s,
            principal=p,
            ticket_id=w.ticket_a2.id,
            related_ticket_id=w.ticket_a.id,
            now=utcnow(),
        ),
        TEAM,
    ),
    "problems.declare_problem": Case(
        lambda w, s, p: problems.declare_problem(
            session=s,
            principal=p,
            title="Another outage",
            ticket_ids=[w.ticket_a2.id],
            now=utcnow(),
        ),
        MANAGER,
    ),
    "problems.declare_problem[candidate]": Case(
        lambda w, s, p: problems.declare_problem(
            session=s,
            principal=p,
            title="From the detector",
            candidate_id=w.candidate.id,
            now=utcnow(),
        ),
        MANAGER,
    ),
    "problems.post_problem_update": Case(
        lambda w, s, p: problems.post_problem_update(
            session=s, principal=p, problem_id=w.problem.id, body="We found the cause", now=utcnow()
        ),
        MANAGER,
    ),
    "problems.resolve_problem": Case(
        lambda w, s, p: problems.resolve_problem(
            session=s, principal=p, problem_id=w.problem.id, now=utcnow()
        ),
        MANAGER,
    ),
    "problems.suggested_tickets": Case(
        lambda w, s, p: problems.suggested_tickets(session=s, principal=p, problem_id=w.problem.id),
        TEAM,
    ),
    "problems.list_problems": Case(
        lambda w, s, p: problems.list_problems(session=s, principal=p), MANAGER
    ),
    "reports.build_report": Case(
        lambda w, s, p: reports.build_report(
            session=s,
            principal=p,
            start=utcnow().date() - timedelta(days=7),
            end=utcnow().date(),
            now=utcnow(),
        ),
        MANAGER,
    ),
    "systemic.list_candidates": Case(
        lambda w, s, p: systemic.list_candidates(session=s, principal=p), MANAGER
    ),
    "systemic.dismiss_candidate": Case(
        lambda w, s, p: systemic.dismiss_candidate(
            session=s, principal=p, candidate_id=w.candidate.id
        ),
        MANAGER,
    ),
    # client_views: what a client's pages show
    "client_views.list_my_tickets": Case(
        lambda w, s, p: client_views.list_my_tickets(session=s, principal=p, now=utcnow()), CLIENTS
    ),
    "client_views.ticket_view": Case(
        lambda w, s, p: client_views.ticket_view(
            session=s, principal=p, number=w.ticket_a.number, now=utcnow()
        ),
        frozenset({"client", "colleague"}),
    ),
    "client_views.build_ticket_view": Case(
        lambda w, s, p: client_views.build_ticket_view(
            session=s, principal=p, ticket=w.ticket_a, now=utcnow()
        ),
        frozenset({"client", "colleague"}),
    ),
    "preferences.get_preferences": Case(
        lambda w, s, p: preferences.get_preferences(session=s, principal=p), EVERYONE
    ),
    # board
    "board.board_data": Case(
        lambda w, s, p: board.board_data(session=s, principal=p, now=utcnow()), MANAGER
    ),
    "board.change_card[status]": Case(
        lambda w, s, p: board.change_card(
            session=s,
            principal=p,
            ticket_id=w.ticket_a.id,
            field="status",
            value="in_progress",
            expected_version=w.ticket_a.version,
            now=utcnow(),
        ),
        MANAGER,
    ),
    "board.change_card[assignee]": Case(
        lambda w, s, p: board.change_card(
            session=s,
            principal=p,
            ticket_id=w.ticket_a.id,
            field="assignee",
            value=w.p("other_agent").user_id,
            expected_version=w.ticket_a.version,
            now=utcnow(),
        ),
        MANAGER,
    ),
    "board.change_card[priority]": Case(
        lambda w, s, p: board.change_card(
            session=s,
            principal=p,
            ticket_id=w.ticket_a.id,
            field="priority",
            value="urgent",
            expected_version=w.ticket_a.version,
            now=utcnow(),
        ),
        MANAGER,
    ),
    # live_channels views
    "escalations.client_timezone[ticket]": Case(
        lambda w, s, p: escalations.client_timezone(session=s, principal=p, ticket=w.ticket_a),
        ORG_A,
    ),
    "escalations.client_timezone[chat]": Case(
        lambda w, s, p: escalations.client_timezone(session=s, principal=p, chat_id=w.chat_a.id),
        TEAM,
    ),
    "escalations.escalation_views": Case(
        lambda w, s, p: escalations.escalation_views(session=s, principal=p, ticket=w.ticket_a),
        ORG_A,
    ),
    # preferences: everyone changes their own, and only their own, row
    "preferences.update_preferences": Case(
        lambda w, s, p: preferences.update_preferences(
            session=s, principal=p, notify_email=False, notify_sms=False, phone=None
        ),
        EVERYONE,
    ),
}


def _service_functions_taking_a_principal() -> list[str]:
    names = []
    for info in pkgutil.iter_modules(services_pkg.__path__):
        module = importlib.import_module(f"{services_pkg.__name__}.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            if "principal" in inspect.signature(fn).parameters:
                names.append(f"{info.name}.{name}")
    return sorted(names)


def test_every_service_function_is_classified():
    rows = {key.split("[", 1)[0] for key in MATRIX}
    missing = [
        name
        for name in _service_functions_taking_a_principal()
        if name not in rows and name not in NOT_USE_CASES
    ]
    assert not missing, f"add these to the authorization matrix: {missing}"


def test_the_matrix_names_only_functions_that_exist():
    known = set(_service_functions_taking_a_principal())
    stale = sorted({key.split("[", 1)[0] for key in MATRIX} - known)
    assert not stale, f"these rows name functions that are gone: {stale}"


@pytest.fixture
def world(session) -> World:
    return build_world(session)


# Not refusals: the caller may act, but this particular input is wrong.
NOT_AUTHORIZATION = (TransitionNotAllowed,)


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_each_role_is_let_in_or_refused_without_a_trace(key, world, session, monkeypatch):
    case = MATRIX[key]
    if case.prepare:
        case.prepare(world, session)
    # Use cases commit their own unit of work; here each role's call is undone before the
    # next role's, so a commit only writes to the open transaction.
    monkeypatch.setattr(session, "commit", session.flush)
    problems: list[str] = []
    for role in ROLES:
        before = snapshot(session)
        try:
            case.call(world, session, world.p(role))
        except (Forbidden, NotFound) as exc:
            if role in case.allowed:
                problems.append(f"{role}: refused ({type(exc).__name__}: {exc})")
            else:
                changed = changed_tables(before, snapshot(session))
                if changed:
                    problems.append(f"{role}: refused but changed {changed}")
        except (ServiceError, *NOT_AUTHORIZATION) as exc:
            problems.append(f"{role}: {type(exc).__name__}: {exc} (expected a clean call)")
        else:
            if role not in case.allowed:
                problems.append(f"{role}: was let in")
        session.rollback()
        # Re-read the world so one role's call cannot leak into the next role's.
        for obj in (
            world.ticket_a,
            world.ticket_a2,
            world.chat_a,
            world.waiting_a,
            world.zoom_a,
            world.api_key,
            world.problem,
            world.candidate,
        ):
            session.refresh(obj)
    assert not problems, f"{key}:\n" + "\n".join(problems)


def test_a_client_cannot_name_a_file_that_does_not_exist_in_their_details(world, session):
    with pytest.raises(NotFound):
        tickets.add_client_details(
            session=session,
            principal=world.p("client"),
            ticket=world.ticket_a,
            body="See the file",
            attachment_ids=[world.file_b.id + 1000],
            now=utcnow(),
        )


def test_a_client_names_their_own_files_in_their_details(world, session):
    tickets.add_client_details(
        session=session,
        principal=world.p("client"),
        ticket=world.ticket_a,
        body="See the file",
        attachment_ids=[world.unlinked_file_a.id, world.public_file_a.id],
        now=utcnow(),
    )
    session.flush()
    session.refresh(world.unlinked_file_a)
    assert world.unlinked_file_a.ticket_id == world.ticket_a.id


def test_a_clients_ticket_list_holds_only_their_own_organizations_tickets(world, session):
    rows = client_views.list_my_tickets(
        session=session, principal=world.p("outsider"), now=utcnow()
    )
    assert [r.ticket_number for r in rows] == [world.ticket_b.number]


def test_a_clients_timeline_shows_no_internal_note_and_no_problem_link(world, session):
    view = client_views.ticket_view(
        session=session, principal=world.p("colleague"), number=world.ticket_a.number, now=utcnow()
    )
    text = repr(view)
    assert "Org A secret workflow failure" in text
    assert "Internal A note" not in text and "Workflow engine outage" not in text
