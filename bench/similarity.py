"""Precision, recall and time of systemic-issue detection on the labelled synthetic set.

Run: `python bench/similarity.py [n_tickets ...]` from the project root. Merges its figures
into bench/results.json under the key "similarity".
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import record  # noqa: E402
from support_portal.domain.systemic import (  # noqa: E402
    find_candidates,
    pairwise_precision_recall,
)
from support_portal.testkit.synthetic import NOW, make_labelled_set  # noqa: E402


def run(n_total: int) -> dict[str, float]:
    data = make_labelled_set(n_total=n_total, seed=11)
    started = time.perf_counter()
    candidates = find_candidates(data.texts, now=NOW, min_orgs=3)
    seconds = time.perf_counter() - started
    precision, recall = pairwise_precision_recall([c.ticket_ids for c in candidates], data.truth)
    return {
        "tickets": n_total,
        "true_clusters": len({v for v in data.truth.values() if v is not None}),
        "candidates": len(candidates),
        "precision": precision,
        "recall": recall,
        "seconds": round(seconds, 3),
    }


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1_000, 10_000]
    rows = [run(n) for n in sizes]
    for row in rows:
        print(json.dumps(row))
    record("similarity", {"runs": rows, "threshold_note": "pairwise precision/recall"})


if __name__ == "__main__":
    main(sys.argv[1:])
