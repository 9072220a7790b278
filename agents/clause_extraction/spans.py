"""Turn per-unit model margins into ranked candidate spans per category.

A sentence span grows from its best sentence into neighbours whose margin is within `gap` of it,
since CUAD highlights often cover a few sentences. Each seed also proposes its sentence alone and
its whole clause: CUAD's boundaries vary, and the calibration (per proposal kind) ranks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from legal_orch_agents.clause_extraction.features import Unit


@dataclass(frozen=True)
class Candidate:
    category: str
    # "sentence" (grown), "single", "clause", "top" (a best sentence alone), "date", "title";
    # "win_*" (windows of neighbours) and "part"/"part_rest" (pieces of a sentence) fill the rest
    source: str
    start: int
    end: int
    margin: float
    rank: int  # 0 for the head's best span of this category in the document


def grow(
    units: list[Unit], margins: np.ndarray, k: int, gap: float
) -> list[tuple[int, int, float]]:
    """Up to `k` spans (first unit, last unit, seed margin), best seed first."""
    used = np.zeros(len(units), dtype=bool)
    out: list[tuple[int, int, float]] = []
    for i in np.argsort(-margins, kind="stable"):
        if len(out) >= k:
            break
        if used[i]:
            continue
        floor = margins[i] - gap
        a = b = int(i)
        while a > 0 and not used[a - 1] and margins[a - 1] >= floor:
            a -= 1
        while b + 1 < len(units) and not used[b + 1] and margins[b + 1] >= floor:
            b += 1
        used[a : b + 1] = True
        out.append((a, b, float(margins[i])))
    return out


MAX_CLAUSE_CHARS = 2500


def sentence_candidates(
    units: list[Unit],
    margins: np.ndarray,
    labels: list[str],
    k: int,
    gap: float,
    clauses: dict[int, tuple[int, int]] | None = None,
) -> list[Candidate]:
    """Grown spans, single seed sentences and seed clauses for every category."""
    clauses = clauses or {}
    out = []
    for j, cat in enumerate(labels):
        for r, (a, b, m) in enumerate(grow(units, margins[:, j], k, gap)):
            out.append(Candidate(cat, "sentence", units[a].start, units[b].end, m, r))
            seed = int(np.argmax(margins[a : b + 1, j])) + a
            if a != b:
                out.append(Candidate(cat, "single", units[seed].start, units[seed].end, m, r))
            parent = units[seed].parent
            span = clauses.get(parent) if parent is not None else None
            if (
                span
                and span != (units[a].start, units[b].end)
                and span[1] - span[0] <= MAX_CLAUSE_CHARS
            ):
                out.append(Candidate(cat, "clause", span[0], span[1], m, r))
    return out


def top_sentences(
    units: list[Unit], margins: np.ndarray, labels: list[str], k: int
) -> list[Candidate]:
    """Each category's `k` best sentences, each alone, whether or not a grown span took it.

    A sentence that a better neighbour's span swallowed is otherwise proposed only inside that
    span, which is often too long to match a one-sentence gold piece.
    """
    out = []
    for j, cat in enumerate(labels):
        for r, i in enumerate(np.argsort(-margins[:, j], kind="stable")[:k]):
            out.append(Candidate(cat, "top", units[i].start, units[i].end, float(margins[i, j]), r))
    return out


# Where a sentence divides into parts a lawyer may highlight alone: after a semicolon or colon,
# or before "provided that" / "except" / "notwithstanding".
_PART = re.compile(
    r"[;:]\s+|,?\s+(?=(?:provided,?\s+(?:however,?\s+)?that|except|notwithstanding)\b)", re.I
)
MIN_PART_WORDS = 4


def parts(text: str) -> list[tuple[int, int]]:
    """Offsets of the parts of one sentence (empty when it does not divide)."""
    cuts = [0] + [m.end() for m in _PART.finditer(text)] + [len(text)]
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = text[a:b].rstrip(" ;:,")
        if len(piece.split()) >= MIN_PART_WORDS:
            lead = len(piece) - len(piece.lstrip())
            out.append((a + lead, a + len(piece)))
    return out if len(out) > 1 else []


def part_candidates(
    units: list[Unit], margins: np.ndarray, labels: list[str], seeds: int
) -> list[Candidate]:
    """The parts of each category's best `seeds` sentences, and each part with what follows."""
    out = []
    for j, cat in enumerate(labels):
        for r, i in enumerate(np.argsort(-margins[:, j], kind="stable")[:seeds]):
            u, m = units[int(i)], float(margins[i, j])
            ps = parts(u.text)
            for a, b in ps:
                out.append(Candidate(cat, "part", u.start + a, u.start + b, m, r))
            for a, _ in ps[1:]:
                out.append(Candidate(cat, "part_rest", u.start + a, u.end, m, r))
    return out


def mention_candidates(
    units: list[Unit], margins: np.ndarray, labels: list[str], k: int, source: str
) -> list[Candidate]:
    """The best `k` mentions for every category, one per distinct text."""
    out = []
    for j, cat in enumerate(labels):
        seen: set[str] = set()
        for i in np.argsort(-margins[:, j], kind="stable"):
            key = " ".join(units[i].text.split()).lower()
            if key in seen:
                continue
            seen.add(key)
            out.append(
                Candidate(
                    cat, source, units[i].start, units[i].end, float(margins[i, j]), len(seen) - 1
                )
            )
            if len(seen) >= k:
                break
    return out


# Two-sentence and three-sentence windows around a seed: CUAD pieces often run one sentence past
# the seed (";"-lists, a proviso in the next sentence) or start one before it.
WINDOWS = (("win_prev", -1, 0), ("win_next", 0, 1), ("win_next2", 0, 2), ("win_both", -1, 1))
BASE_SOURCES = frozenset({"sentence", "single", "clause", "date", "title", "top"})


def window_candidates(
    units: list[Unit], margins: np.ndarray, labels: list[str], seeds: int
) -> list[Candidate]:
    """Windows of neighbouring sentences around each category's best `seeds` sentences."""
    out = []
    n = len(units)
    for j, cat in enumerate(labels):
        for r, i in enumerate(np.argsort(-margins[:, j], kind="stable")[:seeds]):
            i, m = int(i), float(margins[i, j])
            for source, da, db in WINDOWS:
                a, b = i + da, i + db
                if a >= 0 and b < n:
                    out.append(Candidate(cat, source, units[a].start, units[b].end, m, r))
    return out
