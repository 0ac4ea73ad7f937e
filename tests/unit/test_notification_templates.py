"""Every kind of notification that is queued anywhere can be rendered, in all four forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import meta

from support_portal.notify.templates import SMS_MAX, TEMPLATE_DIR, _env, render

SOURCE = Path(__file__).resolve().parents[2] / "support_portal"
# Kinds the issue names, queued by the SLA, reminder, auto-close and systemic-issue jobs.
ISSUE_KINDS = {
    "ticket_created_team",
    "ticket_created_client",
    "ticket_assigned",
    "public_update",
    "waiting_on_client",
    "ticket_resolved",
    "auto_close_warning",
    "ticket_closed",
    "sla_warning",
    "sla_breach",
    "update_reminder",
    "systemic_issue",
    "problem_update",
}
QUEUE_CALL = re.compile(r"queue_for_\w+\((?:[^()]|\([^()]*\))*?kind=\"(\w+)\"", re.S)


def queued_kinds() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        found |= set(QUEUE_CALL.findall(path.read_text()))
    return found


TICKET_CONTEXT = {
    "number": 1042,
    "title": "Reminder <b>workflow</b> skips SMS",
    "organization": "Bright Smiles Dental",
    "priority": "high",
    "status": "in_progress",
    "client_name": "Dana",
    "recipient_name": "Dana",
    "first_response_due": "Tue 03 Mar 2026, 14:00 EST",
    "link": "https://portal.example/client/tickets/1042",
    "source": "chat",
    "reason": "We fixed the trigger.",
    "body": "We are testing the fix.",
    "actor_name": "Alex",
    "assignee": "Alex",
    "old_priority": "normal",
    "new_priority": "high",
    "old_status": "new",
    "new_status": "in_progress",
    "status_label": "In progress",
    "old_status_label": "New",
    "new_status_label": "In progress",
}


def full_context(kind: str) -> dict[str, object]:
    """The ticket context plus a value for every other name the kind's templates use."""
    env = _env()
    names: set[str] = set()
    for suffix in ("subject", "txt", "html", "sms"):
        source = (TEMPLATE_DIR / f"{kind}.{suffix}").read_text()
        names |= meta.find_undeclared_variables(env.parse(source))
    return {**{n: f"some {n}" for n in names}, **TICKET_CONTEXT}


def test_the_source_scan_finds_the_kinds_the_ticket_services_queue():
    assert {"ticket_created_team", "ticket_created_client", "public_update"} <= queued_kinds()


@pytest.mark.parametrize("kind", sorted(queued_kinds() | ISSUE_KINDS))
def test_every_queued_kind_has_its_four_templates_and_renders(kind):
    for suffix in ("subject", "txt", "html", "sms"):
        assert (TEMPLATE_DIR / f"{kind}.{suffix}").exists(), f"{kind}.{suffix} is missing"
    r = render(kind, full_context(kind))
    assert r.subject and r.text.strip() and r.sms
    assert len(r.sms) <= SMS_MAX
    assert "<b>workflow</b>" not in r.html  # a title with markup arrives as text


def test_a_systemic_issue_message_needs_no_ticket_and_names_the_pattern():
    r = render(
        "systemic_issue",
        {
            "recipient_name": "Morgan",
            "ticket_count": 5,
            "organization_count": 3,
            "affected_area": "Workflows",
            "shared_terms": "reminder, sms, skipped",
            "ticket_numbers": "#1042, #1043, #1050",
            "link": "http://localhost:3000/manager/systemic",
        },
    )
    assert "5 tickets from 3 clients (Workflows)" in r.subject
    assert "reminder, sms, skipped" in r.text and "#1050" in r.html


def test_a_problem_update_reaches_the_client_about_their_own_ticket():
    r = render(
        "problem_update",
        {
            **TICKET_CONTEXT,
            "actor_name": "Alex",
            "body": "A fix is rolling out today.",
            "other_numbers": "",
        },
    )
    assert "A fix is rolling out today." in r.text
    assert f"#{TICKET_CONTEXT['number']}" in r.subject
