"""Similar tickets and candidate systemic issues, on plain data."""

from __future__ import annotations

from datetime import timedelta

from support_portal.domain.similarity import SimilarityIndex, TicketText, similarity
from support_portal.domain.systemic import (
    find_candidates,
    pairwise_precision_recall,
    signature_for,
)
from support_portal.testkit.synthetic import NOW, make_labelled_set

REMINDER = dict(
    title="Appointment reminder workflow skips the SMS step",
    tried_to_do="send the 24 hour appointment reminder SMS from the workflow",
    happened_instead="workflow history shows the SMS step skipped for every contact",
    error_messages="Action skipped: no valid phone number",
    affected_area="Workflows",
)


def ticket(id: int, org: int = 1, days_ago: float = 1, **kw) -> TicketText:
    values = {**REMINDER, **kw}
    return TicketText(
        id=id, organization_id=org, created_at=NOW - timedelta(days=days_ago), **values
    )


def test_a_paraphrase_scores_higher_than_an_unrelated_ticket():
    original = ticket(1)
    paraphrase = ticket(
        2,
        title="Reminder texts not sent by our appointment workflow",
        tried_to_do="have the workflow text patients a reminder the day before",
        happened_instead="the reminder text step is skipped",
        error_messages="SMS action skipped - no valid phone number",
    )
    unrelated = ticket(
        3,
        title="Invoice PDF shows the wrong tax rate",
        tried_to_do="download the invoice for March",
        happened_instead="tax is 0% instead of 8%",
        error_messages="",
        affected_area="Billing",
    )
    index = SimilarityIndex([original, paraphrase, unrelated])
    [best, *_] = index.query(original, limit=2, min_score=0.0)
    assert best.id == 2
    assert similarity(original, paraphrase) > similarity(original, unrelated)


def test_the_same_affected_area_raises_the_score():
    a = ticket(1)
    b = ticket(2, title="Reminder workflow not texting", happened_instead="no SMS arrives")
    elsewhere = ticket(
        3,
        title="Reminder workflow not texting",
        happened_instead="no SMS arrives",
        affected_area="Phone & SMS",
    )
    assert similarity(a, b) > similarity(a, elsewhere)


def test_tickets_from_three_organizations_in_a_week_form_one_candidate():
    texts = [ticket(1, org=1), ticket(2, org=2), ticket(3, org=3)]
    [candidate] = find_candidates(texts, now=NOW, min_orgs=3)
    assert candidate.ticket_ids == (1, 2, 3)
    assert candidate.organization_ids == (1, 2, 3)
    assert candidate.affected_area == "Workflows"
    assert {"reminder", "sms"} <= set(candidate.shared_terms)
    assert candidate.signature == signature_for(1)


def test_similar_tickets_from_two_organizations_are_not_a_candidate():
    texts = [ticket(1, org=1), ticket(2, org=2), ticket(3, org=2)]
    assert find_candidates(texts, now=NOW, min_orgs=3) == []


def test_tickets_older_than_a_week_do_not_count():
    texts = [ticket(1, org=1, days_ago=8), ticket(2, org=2), ticket(3, org=3)]
    assert find_candidates(texts, now=NOW, min_orgs=3) == []


def test_a_candidate_keeps_its_signature_when_a_new_ticket_joins():
    first = find_candidates([ticket(1, 1), ticket(2, 2), ticket(3, 3)], now=NOW)
    grown = find_candidates([ticket(1, 1), ticket(2, 2), ticket(3, 3), ticket(9, 4)], now=NOW)
    assert first[0].signature == grown[0].signature
    assert grown[0].ticket_ids == (1, 2, 3, 9)


def test_detection_on_the_labelled_set_finds_the_true_clusters():
    data = make_labelled_set(n_total=400, seed=5)
    candidates = find_candidates(data.texts, now=NOW, min_orgs=3)
    precision, recall = pairwise_precision_recall([c.ticket_ids for c in candidates], data.truth)
    assert precision >= 0.9
    assert recall >= 0.9


def test_pairwise_precision_and_recall_count_pairs():
    truth = {1: 0, 2: 0, 3: 0, 4: None}
    assert pairwise_precision_recall([[1, 2, 3]], truth) == (1.0, 1.0)
    assert pairwise_precision_recall([[1, 2, 4]], truth) == (round(1 / 3, 4), round(1 / 3, 4))
    assert pairwise_precision_recall([], truth) == (1.0, 0.0)


def test_an_empty_set_has_no_candidates_and_no_matches():
    assert find_candidates([], now=NOW) == []
    assert SimilarityIndex([]).query(ticket(1)) == []
