"""Candidate systemic issues: similar tickets from several organizations in a rolling week.

Tickets are the nodes of a graph whose edges join pairs scoring at least the similarity
threshold; each connected component with tickets from at least `min_orgs` distinct
organizations is a candidate. Its signature comes from its earliest ticket, so a candidate
that grows as new tickets arrive keeps its signature and is announced only once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.sparse.csgraph import connected_components

from support_portal.domain.similarity import DEFAULT_THRESHOLD, SimilarityIndex, TicketText

WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Candidate:
    signature: str
    ticket_ids: tuple[int, ...]
    organization_ids: tuple[int, ...]
    affected_area: str
    shared_terms: tuple[str, ...]


def signature_for(anchor_ticket_id: int) -> str:
    return hashlib.sha256(f"systemic:{anchor_ticket_id}".encode()).hexdigest()[:32]


def in_window(texts: Sequence[TicketText], now: datetime, window: timedelta = WINDOW):
    """The tickets created within `window` before `now` (tickets without a date are kept)."""
    start = now - window
    return [t for t in texts if t.created_at is None or start <= t.created_at <= now]


def find_candidates(
    texts: Sequence[TicketText],
    *,
    now: datetime,
    min_orgs: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
    window: timedelta = WINDOW,
) -> list[Candidate]:
    """The clusters of similar tickets in the window that span `min_orgs` organizations."""
    recent = in_window(texts, now, window)
    if len(recent) < min_orgs:
        return []
    index = SimilarityIndex(recent)
    pairs = index.similar_pairs(threshold)
    _, labels = connected_components(pairs, directed=False)
    members: dict[int, list[int]] = {}
    for position, label in enumerate(labels):
        members.setdefault(int(label), []).append(position)
    candidates = []
    for positions in members.values():
        orgs = {recent[p].organization_id for p in positions} - {None}
        if len(orgs) < min_orgs:
            continue
        candidates.append(_candidate(index, recent, positions, orgs))
    # Largest first: the widest problem is the one to look at.
    candidates.sort(key=lambda c: (-len(c.organization_ids), -len(c.ticket_ids), c.signature))
    return candidates


def _candidate(
    index: SimilarityIndex, recent: list[TicketText], positions: list[int], orgs: set
) -> Candidate:
    ids = sorted(recent[p].id for p in positions)
    areas = Counter(recent[p].affected_area for p in positions)
    return Candidate(
        signature=signature_for(ids[0]),
        ticket_ids=tuple(ids),
        organization_ids=tuple(sorted(orgs)),
        affected_area=areas.most_common(1)[0][0],
        shared_terms=tuple(index.shared_terms(positions)),
    )


def pairwise_precision_recall(
    predicted: Sequence[Sequence[int]], truth: dict[int, int | None]
) -> tuple[float, float]:
    """Precision and recall over pairs of tickets put together.

    `predicted` lists clusters of ticket ids; `truth` maps every ticket id to its true cluster
    (None for a ticket that belongs to none).
    """
    predicted_pairs = 0
    correct_pairs = 0
    for cluster in predicted:
        labels = Counter(truth.get(t) for t in cluster)
        n = len(cluster)
        predicted_pairs += n * (n - 1) // 2
        correct_pairs += sum(c * (c - 1) // 2 for label, c in labels.items() if label is not None)
    sizes = Counter(label for label in truth.values() if label is not None)
    true_pairs = sum(c * (c - 1) // 2 for c in sizes.values())
    precision = correct_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = correct_pairs / true_pairs if true_pairs else 1.0
    return float(np.round(precision, 4)), float(np.round(recall, 4))
