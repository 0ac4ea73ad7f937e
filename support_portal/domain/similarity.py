"""How alike two tickets are, from what the client told us.

Text is compared with scikit-learn's TF-IDF twice over: words of the whole description (the
vocabulary of the problem) and character 4-grams inside the words of the title and the error
message (so "reminders" meets "reminder", "texting" meets "text", and a typo still matches;
hashed, because building a vocabulary of n-grams is what costs time). Both are cosine
similarities of L2-normalised vectors, averaged. The affected area is a strong signal: two
tickets about the same area get a bonus, except the catch-all "Other".

Pure functions on plain data: no database, no clock. An index is fitted on the tickets being
compared (so rare words weigh more within that set) and kept sparse, so detection over ten
thousand tickets stays well under a few seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize

# Weight of "same affected area" in the final score; text carries the rest.
AREA_WEIGHT = 0.2
# The area that says nothing about the problem.
UNINFORMATIVE_AREA = "Other"
# Two tickets at or above this score are "similar" (tuned on the labelled set in bench/).
DEFAULT_THRESHOLD = 0.55
# Suggestions for a person to judge may cast a wider net than automatic detection.
SUGGEST_THRESHOLD = 0.35

_STOP_WORDS = "english"
# Words of two or more letters or digits; hyphenated names ("opt-in") stay whole.
_WORD_PATTERN = r"(?u)\b[a-zA-Z0-9][a-zA-Z0-9_-]+\b"
COMMON_SHARE = 0.05
MIN_KEPT_DF = 200


@dataclass(frozen=True)
class TicketText:
    """The parts of a ticket that describe its problem."""

    id: int
    title: str
    tried_to_do: str = ""
    happened_instead: str = ""
    error_messages: str = ""
    steps: str = ""
    affected_area: str = UNINFORMATIVE_AREA
    organization_id: int | None = None
    created_at: datetime | None = None

    def document(self) -> str:
        # The title says what the problem is in the fewest words: count it twice.
        return " \n".join(
            [
                self.title,
                self.title,
                self.tried_to_do,
                self.happened_instead,
                self.error_messages,
                self.steps,
            ]
        )

    def symptom(self) -> str:
        """The short part where paraphrases differ only in word forms."""
        return " \n".join([self.title, self.error_messages])


@dataclass(frozen=True)
class Match:
    id: int
    score: float


class SimilarityIndex:
    """TF-IDF vectors of a set of tickets, and the similarities between them."""

    def __init__(self, texts: Sequence[TicketText]) -> None:
        self.texts = list(texts)
        self._feature_names: np.ndarray | None = None
        self.ids = [t.id for t in self.texts]
        docs = [t.document() for t in self.texts]
        n = len(docs)
        # Very common terms say nothing and make the sparse products dense, so they are dropped
        # once the set is large enough for document frequency to mean something.
        max_df = _max_df(n)
        self.words = TfidfVectorizer(
            stop_words=_STOP_WORDS,
            sublinear_tf=True,
            max_df=max_df,
            token_pattern=_WORD_PATTERN,
            dtype=np.float32,
        )
        self.char_hasher = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=(4, 4),
            n_features=2**20,
            alternate_sign=False,
            norm=None,
            dtype=np.float32,
        )
        self.chars = TfidfTransformer(sublinear_tf=True)
        if n == 0:
            self.word_matrix = sparse.csr_matrix((0, 0), dtype=np.float32)
            self.matrix = sparse.csr_matrix((0, 0), dtype=np.float32)
            self.areas = np.array([], dtype=object)
            return
        self.word_matrix = _fit(self.words, docs)
        counts = self.char_hasher.transform([t.symptom() for t in self.texts]).tocsc()
        if max_df < 1.0:
            df = np.diff(counts.indptr)
            self._char_keep = (df <= max_df * n).astype(np.float32)
            counts = (counts @ sparse.diags(self._char_keep)).tocsr()
        else:
            self._char_keep = None
        char_matrix = normalize(self.chars.fit_transform(counts)).astype(np.float32).tocsr()
        # Each block is unit length; scaling both by sqrt(1/2) makes the dot product the mean.
        half = np.float32(np.sqrt(0.5))
        self.matrix = sparse.hstack([self.word_matrix * half, char_matrix * half]).tocsr()
        self.areas = np.array([t.affected_area for t in self.texts], dtype=object)

    def __len__(self) -> int:
        return len(self.texts)

    def _vectorize(self, text: TicketText) -> sparse.csr_matrix:
        doc = [text.document()]
        half = np.float32(np.sqrt(0.5))
        w = normalize(self.words.transform(doc)) if self.words_fitted else None
        counts = self.char_hasher.transform([text.symptom()])
        if self._char_keep is not None:
            counts = counts @ sparse.diags(self._char_keep)
        c = normalize(self.chars.transform(counts))
        blocks = [
            w * half if w is not None else sparse.csr_matrix((1, 0)),
            c * half,
        ]
        return sparse.hstack(blocks).tocsr()

    @property
    def words_fitted(self) -> bool:
        return hasattr(self.words, "vocabulary_")

    def similar_pairs(
        self, threshold: float = DEFAULT_THRESHOLD, *, chunk: int = 2000
    ) -> sparse.coo_matrix:
        """Every pair (i, j), i < j, whose score is at least `threshold`, as a sparse matrix."""
        n = len(self)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        if n == 0:
            return sparse.coo_matrix((0, 0), dtype=np.float32)
        informative = self.areas != UNINFORMATIVE_AREA
        transposed = self.matrix.T.tocsc()
        for start in range(0, n, chunk):
            block = (self.matrix[start : start + chunk] @ transposed).tocoo()
            i = block.row + start
            j = block.col
            keep = i < j
            i, j, text = i[keep], j[keep], block.data[keep]
            same_area = (self.areas[i] == self.areas[j]) & informative[i]
            score = (1 - AREA_WEIGHT) * text + AREA_WEIGHT * same_area
            hit = score >= threshold
            rows.append(i[hit])
            cols.append(j[hit])
            vals.append(score[hit].astype(np.float32))
        return sparse.coo_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
        )

    def query(
        self, text: TicketText, *, limit: int = 5, min_score: float = DEFAULT_THRESHOLD
    ) -> list[Match]:
        """The indexed tickets most like `text` (which need not be indexed), best first."""
        if len(self) == 0:
            return []
        vector = self._vectorize(text)
        scores = np.asarray((self.matrix @ vector.T).todense()).ravel() * (1 - AREA_WEIGHT)
        if text.affected_area != UNINFORMATIVE_AREA:
            scores = scores + AREA_WEIGHT * (self.areas == text.affected_area)
        order = np.argsort(-scores, kind="stable")
        matches = []
        for k in order:
            if scores[k] < min_score or len(matches) >= limit:
                break
            if self.ids[k] == text.id:
                continue
            matches.append(Match(id=self.ids[k], score=round(float(scores[k]), 3)))
        return matches

    def _names(self) -> np.ndarray:
        if self._feature_names is None:
            self._feature_names = self.words.get_feature_names_out()
        return self._feature_names

    def shared_terms(self, indices: Sequence[int], *, limit: int = 8) -> list[str]:
        """The words most characteristic of these tickets together: present in most of them,
        ranked by their mean TF-IDF weight."""
        if not indices or not self.words_fitted:
            return []
        sub = self.word_matrix[list(indices)]
        present = np.asarray((sub > 0).sum(axis=0)).ravel()
        weight = np.asarray(sub.mean(axis=0)).ravel()
        needed = max(2, int(np.ceil(0.5 * len(indices))))
        names = self._names()
        ranked = [k for k in np.argsort(-weight, kind="stable") if present[k] >= needed]
        terms: list[str] = []
        for k in ranked:
            term = str(names[k])
            # A bigram whose words are already listed adds nothing a reader needs.
            if " " in term and all(part in terms for part in term.split()):
                continue
            terms.append(term)
            if len(terms) >= limit:
                break
        return terms


def _max_df(n: int) -> float:
    """Terms in more than this share of tickets are dropped: they say nothing about a problem
    and they are what makes the sparse products slow. Never below `MIN_KEPT_DF` tickets, so a
    big cluster in a small set keeps its own words."""
    return 1.0 if n <= MIN_KEPT_DF else max(COMMON_SHARE, MIN_KEPT_DF / n)


def _fit(vectorizer: TfidfVectorizer, docs: list[str]) -> sparse.csr_matrix:
    try:
        return vectorizer.fit_transform(docs).tocsr()
    except ValueError:
        # Every term was pruned (tiny or empty texts): fall back to keeping them all.
        vectorizer.set_params(max_df=1.0)
        try:
            return vectorizer.fit_transform(docs).tocsr()
        except ValueError:
            return sparse.csr_matrix((len(docs), 0), dtype=np.float32)


def similarity(a: TicketText, b: TicketText) -> float:
    """The score of two tickets on their own (weights from just these two texts)."""
    index = SimilarityIndex([a, b])
    pairs = index.similar_pairs(threshold=0.0)
    return float(pairs.data[0]) if pairs.nnz else 0.0
