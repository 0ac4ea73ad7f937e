"""The manager board in the browser: moving, assigning and prioritizing, live for everyone."""

from __future__ import annotations

import subprocess
import sys

from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import ROOT, sign_in

SECOND_MANAGER = "riley@agency.example"


def _second_manager(app_env) -> None:
    subprocess.run(
        [
            sys.executable, "-m", "support_portal.cli", "create-user",
            "--email", SECOND_MANAGER, "--name", "Riley Stone", "--role", "manager",
            "--password", "demo-password",
        ],
        env=app_env, cwd=ROOT, capture_output=True,
    )  # fmt: skip


def _events(app_env, number: int) -> list[tuple[str, dict]]:
    engine = create_engine(app_env["DB_URL"])
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT e.kind, e.data FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id"
                " WHERE t.number = :n ORDER BY e.id"
            ),
            {"n": number},
        ).all()
    engine.dispose()
    import json

    return [(k, json.loads(d) if isinstance(d, str) else d) for k, d in rows]


def _column(page, name: str):
    return page.get_by_role("region", name=name, exact=True)


def test_a_manager_moves_assigns_and_prioritizes_and_another_sees_it_live(
    new_page, app_env, app_url
):
    _second_manager(app_env)
    page = new_page(1600, 1000)
    sign_in(page, "manager@agency.example")
    other = new_page(1600, 1000)
    sign_in(other, SECOND_MANAGER)
    for p in (page, other):
        expect(_column(p, "New").get_by_role("article").first).to_be_visible()

    card = _column(page, "New").get_by_role("article").first
    label = card.get_attribute("aria-label")
    number = int(label.removeprefix("Ticket #"))

    # Keyboard-usable control.
    card.get_by_label("Move to").select_option(label="In progress")
    moved = _column(page, "In progress").get_by_role("article", name=label, exact=True)
    expect(moved).to_be_visible()
    expect(
        _column(other, "In progress").get_by_role("article", name=label, exact=True)
    ).to_be_visible()

    # Drag and drop.
    moved.drag_to(_column(page, "Waiting on client"))
    waiting = _column(page, "Waiting on client").get_by_role("article", name=label, exact=True)
    expect(waiting).to_be_visible()
    theirs = _column(other, "Waiting on client").get_by_role("article", name=label, exact=True)
    expect(theirs).to_be_visible()

    waiting.get_by_label("Assignee").select_option(label="Sam Patel")
    for card_ in (theirs, waiting):  # once shown here, this card carries the new version
        expect(card_.get_by_label("Assignee").locator("option:checked")).to_have_text("Sam Patel")
    new_priority = "low" if waiting.get_by_label("Priority").input_value() != "low" else "urgent"
    waiting.get_by_label("Priority").select_option(new_priority)
    expect(theirs.get_by_label("Priority")).to_have_value(new_priority)

    events = _events(app_env, number)
    moves = [(d["from"], d["to"]) for k, d in events if k == "status_changed"]
    assert moves[-2:] == [("new", "in_progress"), ("in_progress", "waiting_on_client")]
    assert any(k == "assigned" and d["assignee"] == "Sam Patel" for k, d in events)
    assert any(k == "priority_changed" and d["to"] == new_priority for k, d in events)


def test_the_board_filters_by_search_and_breached_only(new_page):
    page = new_page(1600, 1000)
    sign_in(page, "manager@agency.example")
    board = page.get_by_test_id("board")
    first = _column(page, "New").get_by_role("article").first
    expect(first).to_be_visible()
    label = first.get_attribute("aria-label")
    page.get_by_label("Search").fill(label.removeprefix("Ticket "))
    expect(board.get_by_role("article")).to_have_count(1)
    expect(board.get_by_role("article", name=label, exact=True)).to_be_visible()
    page.get_by_label("Search").fill("")
    page.get_by_label("Breached only").click()
    expect(page.get_by_label("Breached only")).to_be_checked()
    for badge in board.get_by_role("article").all():
        expect(badge).to_contain_text("Breached")
