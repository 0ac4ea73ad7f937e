"""Board moves in the browser: a dropped card moves at once, and a move the server refuses
puts the card back and says why."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

# Records, in the page, whether the card ever stood in the column (it may stand there only
# for the moment between the drop and the server's answer).
WATCH = """([column, label]) => {
  const target = document.querySelector(`section[aria-label="${column}"]`);
  window.__stoodThere = false;
  new MutationObserver(() => {
    if (target.querySelector(`article[aria-label="${label}"]`)) window.__stoodThere = true;
  }).observe(target, {childList: true, subtree: true});
}"""


def _column(page, name: str):
    return page.get_by_role("region", name=name, exact=True)


def test_a_refused_move_shows_the_card_moved_then_puts_it_back_with_the_reason(new_page):
    page = new_page(1600, 1000)
    sign_in(page, "manager@agency.example")
    card = _column(page, "New").get_by_role("article").first
    expect(card).to_be_visible()
    label = card.get_attribute("aria-label")
    page.evaluate(WATCH, ["Closed", label])

    # New -> Closed is not a move the lifecycle allows: only a confirmed fix closes a ticket.
    card.drag_to(_column(page, "Closed"))

    expect(page.get_by_text("A ticket cannot go from new to closed.")).to_be_visible()
    expect(_column(page, "New").get_by_role("article", name=label, exact=True)).to_be_visible()
    expect(_column(page, "Closed").get_by_role("article", name=label, exact=True)).to_have_count(0)
    assert page.evaluate("window.__stoodThere"), "the card did not move on drop"
