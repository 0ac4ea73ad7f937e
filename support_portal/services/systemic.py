"""Systemic-issue detection: stores candidates and tells the managers once about each new one.

Detection runs as a job over the tickets of the past week. A candidate is matched to the one
already stored by its signature (its earliest ticket) or by any ticket they share, so a
cluster that grows is updated in place and never announced twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from support_portal import urls
from support_portal.domain.roles import Role
from support_portal.domain.similarity import TicketText
from support_portal.domain.systemic import WINDOW, Candidate, find_candidates
from support_portal.domain.ticket_quality import TicketDraft
from support_portal.models import Organization, ProblemTicket, SystemicCandidate, Ticket
from support_portal.services import notifications
from support_portal.services.authz import Principal, require_role
from support_portal.settings import get_settings

OPEN = "open"
DECLARED = "declared"
DISMISSED = "dismissed"


def ticket_text(ticket: Ticket) -> TicketText:
    return TicketText(
        id=ticket.id,  # type: ignore[arg-type]
        title=ticket.title,
        tried_to_do=ticket.tried_to_do,
        happened_instead=ticket.happened_instead,
        error_messages=ticket.error_messages,
        steps=ticket.steps_to_reproduce,
        affected_area=ticket.affected_area,
        organization_id=ticket.organization_id,
        created_at=ticket.created_at,
    )


def draft_text(draft: TicketDraft) -> TicketText:
    """A ticket still being written has no id yet: 0 never matches a stored ticket."""
    return TicketText(
        id=0,
        title=draft.title,
        tried_to_do=draft.tried_to_do,
        happened_instead=draft.happened_instead,
        error_messages=draft.error_messages,
        steps=draft.steps_to_reproduce,
        affected_area=draft.affected_area,
    )


def detect_systemic_issues(*, session: Session, now: datetime) -> int:
    """Find this week's candidates, store them, and notify managers of new ones.

    Returns how many new candidates were found. Tickets already linked to a problem are left
    out: they are being handled, and new similar tickets are suggested for that problem.
    """
    linked = set(session.exec(select(ProblemTicket.ticket_id)).all())
    recent = session.exec(select(Ticket).where(Ticket.created_at >= now - WINDOW)).all()
    texts = [ticket_text(t) for t in recent if t.id not in linked]
    found = find_candidates(texts, now=now, min_orgs=get_settings().systemic_min_orgs)
    stored = session.exec(
        select(SystemicCandidate).where(SystemicCandidate.status != DISMISSED)
    ).all()
    by_signature = {row.signature: row for row in stored}
    by_ticket = {tid: row for row in stored for tid in row.ticket_ids}
    new = 0
    for candidate in found:
        row = by_signature.get(candidate.signature) or next(
            (by_ticket[t] for t in candidate.ticket_ids if t in by_ticket), None
        )
        if row is not None:
            _refresh(row, candidate, now)
            continue
        if _insert(session, candidate, now):
            new += 1
    return new


def _refresh(row: SystemicCandidate, candidate: Candidate, now: datetime) -> None:
    ids = sorted(set(row.ticket_ids) | set(candidate.ticket_ids))
    if ids == row.ticket_ids and list(candidate.shared_terms) == row.shared_terms:
        return
    row.ticket_ids = ids
    row.organization_ids = sorted(set(row.organization_ids) | set(candidate.organization_ids))
    row.shared_terms = list(candidate.shared_terms)
    row.updated_at = now


def _insert(session: Session, candidate: Candidate, now: datetime) -> bool:
    """Store and announce a new candidate; another worker storing it first is not an error."""
    try:
        with session.begin_nested():
            row = SystemicCandidate(
                signature=candidate.signature,
                ticket_ids=list(candidate.ticket_ids),
                organization_ids=list(candidate.organization_ids),
                affected_area=candidate.affected_area,
                shared_terms=list(candidate.shared_terms),
                status=OPEN,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    numbers = [
        t.number
        for t in session.exec(select(Ticket).where(Ticket.id.in_(candidate.ticket_ids))).all()  # type: ignore[union-attr]
    ]
    notifications.queue_for_managers(
        session,
        kind="systemic_issue",
        ticket=None,
        now=now,
        extra={
            "organization_count": len(candidate.organization_ids),
            "ticket_count": len(candidate.ticket_ids),
            "ticket_numbers": ", ".join(f"#{n}" for n in sorted(numbers)),
            "affected_area": candidate.affected_area,
            "shared_terms": ", ".join(candidate.shared_terms),
            "link": get_settings().public_base_url.rstrip("/") + urls.MANAGER_SYSTEMIC,
        },
        dedupe_key=f"systemic:{candidate.signature}",
    )
    return True


@dataclass(frozen=True)
class CandidateTicket:
    ticket_id: int
    number: int
    title: str
    organization: str
    status: str


@dataclass(frozen=True)
class CandidateView:
    id: int
    affected_area: str
    shared_terms: list[str]
    organizations: list[str]
    tickets: list[CandidateTicket]
    status: str
    problem_id: int | None


def list_candidates(
    *, session: Session, principal: Principal, include_declared: bool = False
) -> list[CandidateView]:
    require_role(principal, Role.MANAGER)
    statuses = [OPEN, DECLARED] if include_declared else [OPEN]
    rows = session.exec(
        select(SystemicCandidate)
        .where(SystemicCandidate.status.in_(statuses))  # type: ignore[attr-defined]
        .order_by(SystemicCandidate.created_at.desc())  # type: ignore[attr-defined]
    ).all()
    orgs = {o.id: o.name for o in session.exec(select(Organization)).all()}
    views = []
    for row in rows:
        tickets = session.exec(
            select(Ticket).where(Ticket.id.in_(row.ticket_ids)).order_by(Ticket.number)  # type: ignore[union-attr]
        ).all()
        views.append(
            CandidateView(
                id=row.id,  # type: ignore[arg-type]
                affected_area=row.affected_area,
                shared_terms=list(row.shared_terms),
                organizations=sorted(orgs.get(o, "?") for o in row.organization_ids),
                tickets=[
                    CandidateTicket(
                        ticket_id=t.id,  # type: ignore[arg-type]
                        number=t.number or 0,
                        title=t.title,
                        organization=orgs.get(t.organization_id, "?"),
                        status=t.status,
                    )
                    for t in tickets
                ],
                status=row.status,
                problem_id=row.problem_id,
            )
        )
    return views


def dismiss_candidate(*, session: Session, principal: Principal, candidate_id: int) -> None:
    require_role(principal, Role.MANAGER)
    row = session.get(SystemicCandidate, candidate_id)
    if row is not None and row.status == OPEN:
        row.status = DISMISSED
        session.commit()
