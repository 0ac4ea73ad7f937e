"""Problems: one cause behind tickets from several clients, handled once for all of them.

A problem links tickets. An update on the problem becomes a public event on each linked
ticket (and one message to each affected client); resolving it resolves each linked ticket,
which then waits for its own client's confirmation as any resolved ticket does.

What a client sees of a problem is only what lands on their own ticket: events written here
carry the update's text and the problem's id, never another organization's name or tickets.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from support_portal.domain.lifecycle import OPEN_STATUSES, Status
from support_portal.domain.roles import Role
from support_portal.domain.similarity import SUGGEST_THRESHOLD, SimilarityIndex
from support_portal.domain.ticket_quality import TicketDraft
from support_portal.domain.timeline import EventKind
from support_portal.models import (
    Organization,
    Problem,
    ProblemTicket,
    SystemicCandidate,
    Ticket,
    User,
)
from support_portal.services import notifications, tickets
from support_portal.services.authz import Principal, require_role, require_team
from support_portal.services.errors import NotFound, ValidationFailed
from support_portal.services.systemic import DECLARED, draft_text, ticket_text
from support_portal.services.timeline import append_event

PROBLEM_OPEN = "open"
PROBLEM_RESOLVED = "resolved"
_OPEN_VALUES = [s.value for s in OPEN_STATUSES]


@dataclass(frozen=True)
class SimilarTicket:
    ticket_id: int
    number: int
    title: str
    organization: str
    status: str
    score: float
    problem_id: int | None
    problem_title: str | None


def _open_problem(session: Session, problem_id: int) -> Problem:
    problem = session.get(Problem, problem_id)
    if problem is None:
        raise NotFound("Problem not found.")
    if problem.status != PROBLEM_OPEN:
        raise ValidationFailed({"problem": "This problem is already resolved."})
    return problem


def _linked_tickets(session: Session, problem_id: int) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket)
            .join(ProblemTicket, ProblemTicket.ticket_id == Ticket.id)  # type: ignore[arg-type]
            .where(ProblemTicket.problem_id == problem_id)
            .order_by(Ticket.id)
        ).all()
    )


def _problem_of(session: Session) -> dict[int, Problem]:
    """Each linked ticket id -> its open problem."""
    rows = session.exec(
        select(ProblemTicket, Problem)
        .join(Problem, Problem.id == ProblemTicket.problem_id)  # type: ignore[arg-type]
        .where(Problem.status == PROBLEM_OPEN)
    ).all()
    return {link.ticket_id: problem for link, problem in rows}


def similar_open_tickets(
    *,
    session: Session,
    principal: Principal,
    draft_or_ticket: TicketDraft | Ticket,
    limit: int = 5,
) -> list[SimilarTicket]:
    """Open tickets most like a ticket being written (or an existing one), best first.

    Team only. Each result names the open problem it is linked to, if any, so the form can
    offer "link to this problem" as well as "link to this ticket".
    """
    require_team(principal)
    if isinstance(draft_or_ticket, Ticket):
        text = ticket_text(draft_or_ticket)
    else:
        text = draft_text(draft_or_ticket)
    candidates = session.exec(
        select(Ticket).where(Ticket.status.in_(_OPEN_VALUES))  # type: ignore[attr-defined]
    ).all()
    candidates = [t for t in candidates if t.id != text.id]
    index = SimilarityIndex([ticket_text(t) for t in candidates])
    matches = index.query(text, limit=limit, min_score=SUGGEST_THRESHOLD)
    by_id = {t.id: t for t in candidates}
    orgs = {o.id: o.name for o in session.exec(select(Organization)).all()}
    problems = _problem_of(session)
    results = []
    for match in matches:
        t = by_id[match.id]
        problem = problems.get(match.id)
        results.append(
            SimilarTicket(
                ticket_id=match.id,
                number=t.number or 0,
                title=t.title,
                organization=orgs.get(t.organization_id, ""),
                status=t.status,
                score=match.score,
                problem_id=problem.id if problem else None,
                problem_title=problem.title if problem else None,
            )
        )
    return results


def link_ticket_to_problem(
    *,
    session: Session,
    principal: Principal,
    problem_id: int,
    ticket_id: int,
    now: datetime,
) -> bool:
    """Link a ticket to an open problem; False if it already was. Team only."""
    require_team(principal)
    problem = _open_problem(session, problem_id)
    ticket = tickets.get_ticket_by_id(session=session, principal=principal, ticket_id=ticket_id)
    if session.get(ProblemTicket, (problem_id, ticket_id)) is not None:
        return False
    session.add(ProblemTicket(problem_id=problem_id, ticket_id=ticket_id, linked_at=now))
    # Internal: the problem's title is the team's words about several clients' tickets.
    append_event(
        session,
        ticket=ticket,
        kind=EventKind.LINKED_TO_PROBLEM,
        actor=principal,
        now=now,
        is_public=False,
        data={"problem_id": problem.id, "problem_title": problem.title},
    )
    return True


def link_related_ticket(
    *,
    session: Session,
    principal: Principal,
    ticket_id: int,
    related_ticket_id: int,
    now: datetime,
) -> int | None:
    """Link a ticket to a similar one (the conversion form's "link" on a similar ticket).

    If the similar ticket belongs to an open problem, the ticket joins that problem and its id
    is returned. Otherwise both tickets get an internal note naming the other, for a manager
    to declare a problem later; None is returned. Team only.
    """
    require_team(principal)
    if ticket_id == related_ticket_id:
        raise ValidationFailed({"ticket": "A ticket cannot be linked to itself."})
    ticket = tickets.get_ticket_by_id(session=session, principal=principal, ticket_id=ticket_id)
    related = tickets.get_ticket_by_id(
        session=session, principal=principal, ticket_id=related_ticket_id
    )
    problem = _problem_of(session).get(related_ticket_id)
    if problem is not None:
        link_ticket_to_problem(
            session=session,
            principal=principal,
            problem_id=problem.id,  # type: ignore[arg-type]
            ticket_id=ticket_id,
            now=now,
        )
        return problem.id
    for one, other in ((ticket, related), (related, ticket)):
        append_event(
            session,
            ticket=one,
            kind=EventKind.RELATED_TICKET,
            actor=principal,
            now=now,
            is_public=False,
            data={"ticket_id": other.id, "number": other.number, "title": other.title},
            dedupe_key=f"related:{one.id}:{other.id}",
        )
    return None


def declare_problem(
    *,
    session: Session,
    principal: Principal,
    title: str,
    candidate_id: int | None = None,
    ticket_ids: list[int] | None = None,
    ticket_numbers: list[int] | None = None,
    now: datetime,
) -> Problem:
    """Turn a candidate, or a hand-picked set of tickets (by id or by number), into a problem
    that links them."""
    require_role(principal, Role.MANAGER)
    title = title.strip()
    if not title:
        raise ValidationFailed({"title": "Give the problem a short title the team will know."})
    candidate = None
    ids = list(ticket_ids or [])
    if ticket_numbers:
        numbers = list(dict.fromkeys(ticket_numbers))
        by_number = session.exec(
            select(Ticket).where(Ticket.number.in_(numbers))  # type: ignore[union-attr]
        ).all()
        missing = set(numbers) - {t.number for t in by_number}
        if missing:
            raise ValidationFailed(
                {"tickets": "No ticket " + ", ".join(f"#{n}" for n in sorted(missing)) + "."}
            )
        ids += [t.id for t in by_number]  # type: ignore[misc]
    if candidate_id is not None:
        candidate = session.get(SystemicCandidate, candidate_id)
        if candidate is None or candidate.status != "open":
            raise NotFound("That candidate is no longer open.")
        ids = list(candidate.ticket_ids) + ids
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValidationFailed({"tickets": "Pick at least one ticket for the problem."})
    found = session.exec(select(Ticket).where(Ticket.id.in_(ids))).all()  # type: ignore[union-attr]
    if len(found) != len(ids):
        raise NotFound("Some of those tickets were not found.")
    areas = [t.affected_area for t in found]
    problem = Problem(
        title=title[:200],
        status=PROBLEM_OPEN,
        affected_area=candidate.affected_area if candidate else max(set(areas), key=areas.count),
        shared_terms=list(candidate.shared_terms) if candidate else [],
        created_by_id=principal.user_id,
        created_at=now,
    )
    session.add(problem)
    session.flush()
    for ticket_id in ids:
        link_ticket_to_problem(
            session=session,
            principal=principal,
            problem_id=problem.id,  # type: ignore[arg-type]
            ticket_id=ticket_id,
            now=now,
        )
    if candidate is not None:
        candidate.status = DECLARED
        candidate.problem_id = problem.id
        candidate.updated_at = now
    session.commit()
    return problem


def post_problem_update(
    *,
    session: Session,
    principal: Principal,
    problem_id: int,
    body: str,
    now: datetime,
) -> int:
    """A public event on every linked ticket; one message per affected client.

    Returns the number of tickets updated. Each event and message carries a key made from this
    update, so a retried call cannot post or send twice.
    """
    require_role(principal, Role.MANAGER)
    body = body.strip()
    if not body:
        raise ValidationFailed({"body": "Write the update before posting it."})
    problem = _open_problem(session, problem_id)
    update_id = secrets.token_hex(8)
    linked = _linked_tickets(session, problem_id)
    for ticket in linked:
        append_event(
            session,
            ticket=ticket,
            kind=EventKind.PROBLEM_UPDATE,
            actor=principal,
            now=now,
            is_public=True,
            data={"body": body, "author": principal.name, "problem_id": problem.id},
            dedupe_key=f"problem-update:{update_id}:{ticket.id}",
        )
        tickets.mark_public_response(ticket, now)
        ticket.version += 1
        ticket.updated_at = now
    _notify_clients(session, problem, linked, body, principal, update_id, now)
    session.commit()
    return len(linked)


def _notify_clients(
    session: Session,
    problem: Problem,
    linked: list[Ticket],
    body: str,
    principal: Principal,
    update_id: str,
    now: datetime,
) -> None:
    """One message per client, naming only that client's own tickets."""
    by_requester: dict[int, list[Ticket]] = {}
    for ticket in linked:
        if ticket.status != Status.CLOSED.value:
            by_requester.setdefault(ticket.requester_id, []).append(ticket)
    for requester_id, own in by_requester.items():
        user = session.get(User, requester_id)
        if user is None or not user.is_active:
            continue
        notifications.queue_for_user(
            session,
            kind="problem_update",
            user=user,
            ticket=own[0],
            now=now,
            extra={
                "body": body,
                "actor_name": principal.name,
                "other_numbers": ", ".join(f"#{t.number}" for t in own[1:]),
            },
            problem_id=problem.id,
            dedupe_key=f"problem-update:{update_id}:user:{requester_id}",
        )


def resolve_problem(
    *,
    session: Session,
    principal: Principal,
    problem_id: int,
    note: str = "",
    now: datetime,
) -> int:
    """Resolve the problem and each open linked ticket; returns how many tickets it resolved.

    The tickets become "resolved", not "closed": each client still confirms their own fix.
    """
    require_role(principal, Role.MANAGER)
    problem = _open_problem(session, problem_id)
    reason = note.strip() or "The underlying problem was fixed."
    resolved = 0
    for ticket in _linked_tickets(session, problem_id):
        if ticket.status not in _OPEN_VALUES:
            continue
        tickets.change_status(
            session=session,
            principal=principal,
            ticket=ticket,
            to=Status.RESOLVED,
            reason=reason,
            now=now,
        )
        resolved += 1
    problem.status = PROBLEM_RESOLVED
    problem.resolved_at = now
    session.commit()
    return resolved


@dataclass(frozen=True)
class ProblemView:
    id: int
    title: str
    status: str
    affected_area: str
    shared_terms: list[str]
    tickets: list[SimilarTicket]
    suggestions: list[SimilarTicket]


def suggested_tickets(
    *, session: Session, principal: Principal, problem_id: int, limit: int = 5
) -> list[SimilarTicket]:
    """Open tickets not linked to any problem that look like this problem's tickets."""
    require_team(principal)
    linked = _linked_tickets(session, problem_id)
    if not linked:
        return []
    taken = set(session.exec(select(ProblemTicket.ticket_id)).all())
    pool = [
        t
        for t in session.exec(
            select(Ticket).where(Ticket.status.in_(_OPEN_VALUES))  # type: ignore[attr-defined]
        ).all()
        if t.id not in taken
    ]
    if not pool:
        return []
    index = SimilarityIndex([ticket_text(t) for t in pool])
    best: dict[int, float] = {}
    for ticket in linked:
        for match in index.query(ticket_text(ticket), limit=limit, min_score=SUGGEST_THRESHOLD):
            best[match.id] = max(best.get(match.id, 0.0), match.score)
    by_id = {t.id: t for t in pool}
    orgs = {o.id: o.name for o in session.exec(select(Organization)).all()}
    ranked = sorted(best.items(), key=lambda kv: -kv[1])[:limit]
    return [
        SimilarTicket(
            ticket_id=tid,
            number=by_id[tid].number or 0,
            title=by_id[tid].title,
            organization=orgs.get(by_id[tid].organization_id, ""),
            status=by_id[tid].status,
            score=score,
            problem_id=None,
            problem_title=None,
        )
        for tid, score in ranked
    ]


def list_problems(
    *, session: Session, principal: Principal, status: str = PROBLEM_OPEN
) -> list[ProblemView]:
    require_role(principal, Role.MANAGER)
    orgs = {o.id: o.name for o in session.exec(select(Organization)).all()}
    problems = session.exec(
        select(Problem).where(Problem.status == status).order_by(Problem.created_at.desc())  # type: ignore[attr-defined]
    ).all()
    views = []
    for problem in problems:
        linked = [
            SimilarTicket(
                ticket_id=t.id,  # type: ignore[arg-type]
                number=t.number or 0,
                title=t.title,
                organization=orgs.get(t.organization_id, ""),
                status=t.status,
                score=1.0,
                problem_id=problem.id,
                problem_title=problem.title,
            )
            for t in _linked_tickets(session, problem.id)  # type: ignore[arg-type]
        ]
        suggestions = (
            suggested_tickets(session=session, principal=principal, problem_id=problem.id)  # type: ignore[arg-type]
            if status == PROBLEM_OPEN
            else []
        )
        views.append(
            ProblemView(
                id=problem.id,  # type: ignore[arg-type]
                title=problem.title,
                status=problem.status,
                affected_area=problem.affected_area,
                shared_terms=list(problem.shared_terms),
                tickets=linked,
                suggestions=suggestions,
            )
        )
    return views
