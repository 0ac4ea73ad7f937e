"""The timeline's vocabulary: every event kind says who sees it and how each audience reads it,
a problem update reaches every audience, and a client's timeline holds no internal triage."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.domain.timeline import (
    AUDIENCES,
    CARRIES,
    CLIENT_KEYS,
    Audience,
    EventKind,
    api_text,
    client_entry,
    team_text,
)
from support_portal.models import TicketEvent
from support_portal.services import client_views, problems, tickets, tickets_api
from support_portal.services.timeline import append_event
from support_portal.state.agent_ticket import describe
from support_portal.testkit.factories import make_org, make_ticket, make_user, principal

SAMPLE = {
    "body": "Reminders resume tonight",
    "author": "Morgan",
    "to": "in_progress",
    "from": "new",
    "assignee": "Alex",
    "title": "Reminder SMS skipped",
    "url": "https://www.loom.com/share/abc",
    "outcome": "Fixed on the call",
    "message": "Email to dana@example.com failed: bounced",
    "problem_title": "SMS reminders",
    "number": 1002,
    "target": "first_response",
}


def test_every_kind_says_who_sees_it():
    assert set(AUDIENCES) == set(EventKind)
    assert all(AUDIENCES[k] for k in EventKind)


def test_every_kind_the_client_sees_says_what_they_may_read():
    client_kinds = {k for k in EventKind if Audience.CLIENT in AUDIENCES[k]}
    assert client_kinds == set(CLIENT_KEYS)


def test_every_kind_says_what_data_it_carries_and_the_client_reads_only_of_that():
    assert set(CARRIES) == set(EventKind)
    for kind, keys in CLIENT_KEYS.items():
        assert keys <= CARRIES[kind], f"{kind}: the client reads data it never carries"


def test_the_client_reads_every_kind_they_see_in_words_and_nothing_else():
    for kind in EventKind:
        entry = client_entry(kind, SAMPLE, when="Tue 3 Mar, 10:00")
        if Audience.CLIENT in AUDIENCES[kind]:
            assert entry and entry.headline and entry.icon, f"{kind} shows nothing to the client"
        else:
            assert entry is None


def test_the_client_reads_only_the_data_their_kind_allows():
    entry = client_entry(
        EventKind.PUBLIC_UPDATE,
        {"body": "Fixed", "author": "Morgan", "internal": "customer is difficult"},
    )
    assert entry is not None
    assert "difficult" not in entry.headline + entry.body
    secret_title = client_entry(
        EventKind.CREATED, {"source": "chat", "transcript": [], "title": "Angry client again"}
    )
    assert secret_title is not None and "Angry" not in secret_title.headline + secret_title.body


def test_a_link_a_client_reads_is_never_a_script():
    entry = client_entry(
        EventKind.LINK, {"url": "javascript:alert(1)", "title": "Click", "author": "Mo"}
    )
    assert entry is not None and entry.link_url == ""


def test_an_unknown_kind_cannot_enter_a_timeline(session, clock):
    ticket = make_ticket(session, requester=make_user(session, "client"), now=clock())
    with pytest.raises(ValueError):
        append_event(session, ticket=ticket, kind="sla_warnign", actor=None, now=clock())


def test_the_team_reads_every_kind_in_words():
    for kind in EventKind:
        text = team_text(kind, SAMPLE, when="Tue 3 Mar, 10:00")
        assert text, f"{kind} has no line for the team"


def test_the_api_reads_every_kind_it_sees_in_words_and_nothing_else():
    for kind in EventKind:
        text = api_text(kind, SAMPLE)
        if Audience.API in AUDIENCES[kind]:
            assert text, f"{kind} has no sentence for the API"
        else:
            assert text is None


def test_the_client_page_reads_every_kind_the_client_sees(session, clock):
    client = make_user(session, "client")
    ticket = make_ticket(session, requester=client, now=clock())
    for kind in CLIENT_KEYS:
        append_event(session, ticket=ticket, kind=kind, actor=None, now=clock(), data=dict(SAMPLE))
    session.commit()
    view = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    headlines = {item.kind: item.headline for item in view.items}
    for kind in CLIENT_KEYS:
        assert headlines.get(kind), f"{kind} shows nothing to the client"


def test_a_problem_update_shows_its_text_to_the_client_the_team_and_the_api(session, clock):
    manager = make_user(session, "manager")
    client = make_user(session, "client", organization=make_org(session))
    ticket = make_ticket(session, requester=client, now=clock())
    problem = problems.declare_problem(
        session=session,
        principal=principal(manager),
        title="SMS reminders skipped",
        ticket_ids=[ticket.id],
        now=clock(),
    )
    body = "The SMS provider fixed the number check; reminders resume tonight."
    problems.post_problem_update(
        session=session,
        principal=principal(manager),
        problem_id=problem.id,
        body=body,
        now=clock.advance(hours=1),
    )
    session.commit()

    view = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    assert any(item.body == body for item in view.items)
    [event] = session.exec(
        select(TicketEvent).where(TicketEvent.kind == EventKind.PROBLEM_UPDATE)
    ).all()
    assert body in describe({"kind": event.kind, "data": event.data})
    assert body in tickets_api.summarize(event)


def test_a_clients_timeline_holds_no_triage_even_from_public_rows(session, clock):
    agent = make_user(session, "agent")
    client = make_user(session, "client")
    ticket = make_ticket(session, requester=client, agent=agent, now=clock())
    tickets.set_priority(
        session=session,
        principal=principal(agent),
        ticket=ticket,
        priority="urgent",
        now=clock.advance(minutes=5),
    )
    for kind in (EventKind.SLA_BREACH, EventKind.INTERNAL_NOTE, EventKind.LINKED_TO_PROBLEM):
        append_event(
            session,
            ticket=ticket,
            kind=kind,
            actor=None,
            now=clock(),
            is_public=True,  # an old or mistaken flag: the kind decides
            data=dict(SAMPLE),
        )
    session.commit()
    view = client_views.ticket_view(
        session=session, principal=principal(client), number=ticket.number, now=clock()
    )
    kinds = {item.kind for item in view.items}
    assert not kinds & {
        "priority_changed",
        "sla_breach",
        "internal_note",
        "linked_to_problem",
    }
    assert not any("Priority" in item.headline for item in view.items)


def test_code_names_event_kinds_by_the_vocabulary_never_by_a_bare_string():
    """A typo in a bare string would write an event no audience reads."""
    import ast
    from pathlib import Path

    root = Path(__file__).parents[2] / "support_portal"
    bare = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "append_event":
                for kw in node.keywords:
                    v = kw.value
                    picks = [v.body, v.orelse] if isinstance(v, ast.IfExp) else [v]
                    if kw.arg == "kind" and any(
                        isinstance(n, ast.Constant) and isinstance(n.value, str) for n in picks
                    ):
                        bare.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not bare
