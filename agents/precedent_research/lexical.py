"""The bank's lexical index: BM25 over its texts and each text's word tokens, kept on disk.

Tokenising the 9.7k clauses and indexing them costs a review's first search ~1.5 s and each
worker ~45 MB of Python strings. Built once, the index and the tokens (as integer ids) are kept
in the data directory under the texts' digest and read back memory-mapped, so every worker of a
machine shares one copy through the page cache and a cold review reads it in milliseconds.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

# Bump when the tokeniser or the BM25 settings change: an old cache is then not read.
VERSION = "1"


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Split texts into lower-case word tokens without English stop words."""
    return bm25s.tokenize(list(texts), stopwords="en", return_ids=False, show_progress=False)


class RowTokens:
    """Each text's set of tokens, made from the stored ids on first use of a row."""

    def __init__(self, vocab: np.ndarray, ids: np.ndarray, offsets: np.ndarray):
        self.vocab, self.ids, self.offsets = vocab, ids, offsets
        self._sets: dict[int, set[str]] = {}

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, row: int) -> set[str]:
        got = self._sets.get(row)
        if got is None:
            got = set(self.vocab[self.ids[self.offsets[row] : self.offsets[row + 1]]].tolist())
            self._sets[row] = got
        return got


class Lexical:
    """BM25 over a list of texts, with each text's tokens."""

    def __init__(self, bm25: bm25s.BM25, tokens: RowTokens):
        self.bm25 = bm25
        self.tokens = tokens

    @classmethod
    def build(cls, texts: Sequence[str]) -> Lexical:
        """Tokenise and index `texts` in memory."""
        tokens = tokenize(texts)
        bm = bm25s.BM25()
        bm.index(tokens, show_progress=False)
        return cls(bm, _row_tokens(tokens))

    @classmethod
    def cached(cls, texts: Sequence[str], cache_dir: Path) -> Lexical:
        """Read the index of `texts` from `cache_dir`, building and writing it the first time."""
        where = cache_dir / f"bank-lexical-{digest(texts)}"
        if (where / "tokens.npz").is_file():
            bm = bm25s.BM25.load(str(where), mmap=True, show_progress=False)
            with np.load(where / "tokens.npz", allow_pickle=False) as z:
                return cls(bm, RowTokens(z["vocab"], z["ids"], z["offsets"]))
        built = cls.build(texts)
        built.save(where)
        return built

    def save(self, where: Path) -> None:
        """Write the index to the folder `where` (atomically: a reader sees all of it or none)."""
        tmp = where.with_name(f"{where.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.bm25.save(str(tmp), show_progress=False)
        t = self.tokens
        np.savez(tmp / "tokens.npz", vocab=t.vocab, ids=t.ids, offsets=t.offsets)
        try:
            os.replace(tmp, where)
        except OSError:  # another worker wrote it first: theirs is the same index
            shutil.rmtree(tmp, ignore_errors=True)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """Return every text's BM25 score for the query's tokens (zeros when none is known)."""
        known = [t for t in query_tokens if t in self.bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.tokens))
        return np.asarray(self.bm25.get_scores(known), dtype=np.float64)


def digest(texts: Sequence[str]) -> str:
    """Key an index by its texts and the tokeniser's version."""
    h = hashlib.sha256(f"{VERSION}:{bm25s.__version__}".encode())
    for t in texts:
        h.update(t.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def _row_tokens(tokens: list[list[str]]) -> RowTokens:
    vocab = sorted({t for row in tokens for t in row})
    index = {t: i for i, t in enumerate(vocab)}
    offsets = np.zeros(len(tokens) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(set(row)) for row in tokens])
    ids = np.fromiter(
        (index[t] for row in tokens for t in sorted(set(row))), dtype=np.int32, count=offsets[-1]
    )
    return RowTokens(np.asarray(vocab, dtype=str), ids, offsets)
