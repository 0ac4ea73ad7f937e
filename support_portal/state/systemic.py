"""`/manager/systemic`: candidate systemic issues and the problems declared from them.

Every handler checks again that a manager is acting; ids arriving from the browser are only
keys that the services look up and check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import reflex as rx

from support_portal.clock import utcnow
from support_portal.domain.roles import Role
from support_portal.services import problems, systemic, team_actions
from support_portal.services.authz import Principal
from support_portal.services.errors import ServiceError
from support_portal.services.problems import ProblemView, SimilarTicket
from support_portal.services.systemic import CandidateTicket, CandidateView
from support_portal.state.session import SessionState, in_db

# The view data the page draws, as the services build it.
__all__ = ["CandidateTicket", "CandidateView", "ProblemView", "SimilarTicket", "SystemicState"]


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


class SystemicState(SessionState):
    candidates: list[CandidateView] = []
    open_problems: list[ProblemView] = []
    error: str = ""

    @rx.event
    async def on_load(self):
        turned_away = await self._guard(Role.MANAGER)
        if turned_away:
            return turned_away
        await self._refresh()

    async def _refresh(self) -> None:
        principal = await self._require(Role.MANAGER)
        if principal is None:
            return

        def load(s):
            return (
                systemic.list_candidates(session=s, principal=principal),
                problems.list_problems(session=s, principal=principal),
            )

        self.candidates, self.open_problems = await in_db(load)

    async def _act(self, work: Callable[[Any, Principal, datetime], Any], done: str):
        """Run one use case as the current manager and show the result."""
        principal = await self._require(Role.MANAGER)
        if principal is None:
            return rx.toast.error("Only managers can do this.")
        now = utcnow()
        try:
            await in_db(lambda s: work(s, principal, now))
        except ServiceError as exc:
            self.error = str(exc)
            return rx.toast.error(str(exc))
        self.error = ""
        await self._refresh()
        return rx.toast.success(done)

    @rx.event
    async def declare_candidate(self, form_data: dict[str, Any]):
        candidate_id = _int(form_data.get("candidate_id"))
        title = str(form_data.get("title", ""))
        return await self._act(
            lambda s, p, now: problems.declare_problem(
                session=s, principal=p, title=title, candidate_id=candidate_id, now=now
            ),
            "Problem declared; its tickets are linked.",
        )

    @rx.event
    async def dismiss_candidate(self, candidate_id: int):
        return await self._act(
            lambda s, p, now: systemic.dismiss_candidate(
                session=s, principal=p, candidate_id=int(candidate_id)
            ),
            "Candidate dismissed.",
        )

    @rx.event
    async def declare_from_numbers(self, form_data: dict[str, Any]):
        numbers = [int(n) for n in re.findall(r"\d+", str(form_data.get("numbers", "")))]
        title = str(form_data.get("title", ""))
        return await self._act(
            lambda s, p, now: problems.declare_problem(
                session=s, principal=p, title=title, ticket_numbers=numbers, now=now
            ),
            "Problem declared; its tickets are linked.",
        )

    @rx.event
    async def post_update(self, form_data: dict[str, Any]):
        problem_id = _int(form_data.get("problem_id")) or 0
        body = str(form_data.get("body", ""))
        return await self._act(
            lambda s, p, now: problems.post_problem_update(
                session=s, principal=p, problem_id=problem_id, body=body, now=now
            ),
            "Update posted on every linked ticket.",
        )

    @rx.event
    async def resolve(self, form_data: dict[str, Any]):
        problem_id = _int(form_data.get("problem_id")) or 0
        note = str(form_data.get("note", ""))
        return await self._act(
            lambda s, p, now: problems.resolve_problem(
                session=s, principal=p, problem_id=problem_id, note=note, now=now
            ),
            "Problem resolved; each client is asked to confirm their fix.",
        )

    @rx.event
    async def link(self, problem_id: int, ticket_id: int):
        return await self._act(
            lambda s, p, now: team_actions.link_ticket_to_problem(
                session=s,
                principal=p,
                problem_id=int(problem_id),
                ticket_id=int(ticket_id),
                now=now,
            ),
            "Ticket linked to the problem.",
        )
