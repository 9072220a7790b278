"""TF-IDF features from a fitted vocabulary, without importing scikit-learn.

The agents' models are trained with sklearn's `TfidfVectorizer` and ship only its vocabulary and
idf weights. Reviewing with them needs just the transform, which this module does the same way
(the same analysers, sublinear tf, idf, l2 norm; `tests/test_scale.py` checks it against
sklearn): importing sklearn costs a cold review ~2.5 s (it pulls in scipy.stats and pandas) and
each worker ~60 MB.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

CHAR_WB = "char_wb"
_WHITE_SPACES = re.compile(r"\s\s+")


def char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """Character n-grams inside word boundaries, padded with a space (sklearn's `char_wb`)."""
    out: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        w = f" {word} "
        for n in range(min_n, max_n + 1):
            if len(w) <= n:  # a word shorter than n is counted once, whole
                out.append(w)
                break
            out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return out


def word_ngrams(tokens: list[str], min_n: int, max_n: int) -> list[str]:
    """Word n-grams joined by a space, unigrams first (sklearn's `word` analyser)."""
    out = list(tokens) if min_n == 1 else []
    for n in range(max(min_n, 2), min(max_n, len(tokens)) + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


class Tfidf:
    """The transform of a fitted `TfidfVectorizer(sublinear_tf=True, dtype=float32)`."""

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: np.ndarray,
        *,
        analyzer: str = "word",
        ngram_range: tuple[int, int] = (1, 1),
        token_pattern: str = r"(?u)\b\w\w+\b",
        lowercase: bool = True,
    ):
        self.index = {t: i for i, t in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.lowercase = lowercase
        lo, hi = ngram_range
        if analyzer == CHAR_WB:
            self._analyze: Callable[[str], list[str]] = lambda t: char_wb_ngrams(t, lo, hi)
        elif analyzer == "word":
            find = re.compile(token_pattern).findall
            self._analyze = lambda t: word_ngrams(find(t), lo, hi)
        else:
            raise ValueError(f"unsupported analyzer {analyzer!r}")

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the (len(texts), len(vocabulary)) l2-normalised float32 TF-IDF rows."""
        indptr: list[int] = [0]
        indices: list[int] = []
        counts: list[int] = []
        get = self.index.get
        for text in texts:
            row: dict[int, int] = {}
            for gram in self._analyze(text.lower() if self.lowercase else text):
                j = get(gram)
                if j is not None:
                    row[j] = row.get(j, 0) + 1
            cols = sorted(row)
            indices.extend(cols)
            counts.extend(row[j] for j in cols)
            indptr.append(len(indices))
        idx = np.asarray(indices, dtype=np.int32)
        ptr = np.asarray(indptr, dtype=np.int64)
        lengths = np.diff(ptr)
        data = (np.log(np.asarray(counts, dtype=np.float32)) + 1).astype(np.float32)
        data = (data * self.idf[idx]).astype(np.float32)
        rows = np.repeat(np.arange(len(texts)), lengths)
        # As sklearn: squares in float32, summed in float64, divided in float64.
        squares = (data * data).astype(np.float64)
        norms = np.sqrt(np.bincount(rows, weights=squares, minlength=len(texts)))
        norms[norms == 0] = 1.0
        data = (data / norms[rows]).astype(np.float32)
        return sp.csr_matrix((data, idx, ptr), shape=(len(texts), len(self.index)))
