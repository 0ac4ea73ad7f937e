"""`/manager/systemic`: candidate systemic issues, declared problems, and their updates."""

from __future__ import annotations

import reflex as rx

from support_portal.components.layout import page_frame
from support_portal.state.systemic import (
    CandidateTicket,
    CandidateView,
    ProblemView,
    SimilarTicket,
    SystemicState,
)


def _hidden(name: str, value) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value)


def _ticket_line(t: CandidateTicket | SimilarTicket) -> rx.Component:
    return rx.hstack(
        rx.text("#", t.number, weight="bold", size="2"),
        rx.text(t.title, size="2"),
        rx.badge(t.organization, variant="soft", color_scheme="gray"),
        rx.badge(t.status, variant="outline"),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _candidate(c: CandidateView) -> rx.Component:
    summary = (
        f"{c.affected_area}: {c.tickets.length()} tickets from "
        f"{c.organizations.length()} organizations"
    )
    return rx.card(
        rx.vstack(
            rx.heading(
                c.affected_area,
                ": ",
                c.tickets.length(),
                " tickets from ",
                c.organizations.length(),
                " organizations",
                size="4",
                as_="h3",
            ),
            rx.text("Organizations: ", c.organizations.join(", "), size="2"),
            rx.hstack(
                rx.text("Shared words:", size="2"),
                rx.foreach(c.shared_terms, lambda w: rx.badge(w, variant="surface")),
                wrap="wrap",
                spacing="1",
            ),
            rx.foreach(c.tickets, _ticket_line),
            rx.form(
                rx.hstack(
                    _hidden("candidate_id", c.id),
                    rx.input(
                        name="title",
                        placeholder="Problem title",
                        aria_label="Problem title",
                        required=True,
                        width="320px",
                    ),
                    rx.button("Declare problem", type="submit"),
                    rx.button(
                        "Dismiss",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=SystemicState.dismiss_candidate(c.id),
                    ),
                    wrap="wrap",
                ),
                on_submit=SystemicState.declare_candidate,
                reset_on_submit=True,
            ),
            spacing="2",
            width="100%",
        ),
        # Named as its heading reads, so a screen reader (and a test) finds each candidate.
        role="article",
        aria_label=summary,
        width="100%",
    )


def _problem(p: ProblemView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(p.title, size="4", as_="h3"),
            rx.text("Affected area: ", p.affected_area, size="2", color_scheme="gray"),
            rx.text("Linked tickets", weight="medium", size="2"),
            rx.foreach(p.tickets, _ticket_line),
            rx.form(
                rx.vstack(
                    _hidden("problem_id", p.id),
                    rx.text_area(
                        name="body",
                        placeholder="What clients should know: posted on every linked ticket",
                        aria_label="Update for every linked ticket",
                        required=True,
                        width="100%",
                    ),
                    rx.button("Post update", type="submit"),
                    width="100%",
                ),
                on_submit=SystemicState.post_update,
                reset_on_submit=True,
                width="100%",
            ),
            rx.form(
                rx.hstack(
                    _hidden("problem_id", p.id),
                    rx.input(
                        name="note",
                        placeholder="How it was fixed",
                        aria_label="Resolution note",
                        width="320px",
                    ),
                    rx.button("Resolve problem", type="submit", color_scheme="green"),
                    wrap="wrap",
                ),
                on_submit=SystemicState.resolve,
                reset_on_submit=True,
            ),
            rx.cond(
                p.suggestions.length() > 0,
                rx.vstack(
                    rx.text("Similar tickets to link", weight="medium", size="2"),
                    rx.foreach(
                        p.suggestions,
                        lambda t: rx.hstack(
                            _ticket_line(t),
                            rx.button(
                                "Link",
                                size="1",
                                variant="soft",
                                aria_label="Link ticket #" + t.number.to_string(),
                                on_click=SystemicState.link(p.id, t.ticket_id),
                            ),
                            align="center",
                        ),
                    ),
                    spacing="1",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        # One landmark per problem: its forms are told apart by the problem they belong to.
        role="region",
        aria_label=p.title,
    )


def _hand_picked() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Declare a problem from tickets", size="4", as_="h2"),
                rx.el.label("Problem title", html_for="picked-title", font_weight="500"),
                rx.input(id="picked-title", name="title", required=True, width="100%"),
                rx.el.label("Ticket numbers", html_for="picked-numbers", font_weight="500"),
                rx.input(
                    id="picked-numbers",
                    name="numbers",
                    placeholder="1001, 1004, 1010",
                    required=True,
                    width="100%",
                ),
                rx.button("Declare problem", type="submit"),
                width="100%",
            ),
            on_submit=SystemicState.declare_from_numbers,
            reset_on_submit=True,
        ),
        width="100%",
    )


def manager_systemic_page() -> rx.Component:
    s = SystemicState
    return page_frame(
        rx.vstack(
            rx.heading("Systemic issues", size="6", as_="h1"),
            rx.text(
                "Similar tickets from several organizations in the past 7 days.",
                color_scheme="gray",
            ),
            rx.heading("Candidates", size="5", as_="h2"),
            rx.cond(
                s.candidates.length() > 0,
                rx.vstack(rx.foreach(s.candidates, _candidate), width="100%"),
                rx.text("No candidate systemic issues right now."),
            ),
            rx.heading("Open problems", size="5", as_="h2"),
            rx.cond(
                s.open_problems.length() > 0,
                rx.vstack(rx.foreach(s.open_problems, _problem), width="100%"),
                rx.text("No open problems."),
            ),
            _hand_picked(),
            spacing="4",
            width="100%",
        ),
        role="manager",
    )
