"""Turn per-unit model margins into ranked candidate spans per category.

A sentence span grows from its best sentence into neighbours whose margin is within `gap` of it,
since CUAD highlights often cover a few sentences. Each seed also proposes its sentence alone and
its whole clause: CUAD's boundaries vary, and the calibration (per proposal kind) ranks them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from legal_orch_agents.clause_extraction.features import Unit


@dataclass(frozen=True)
class Candidate:
    category: str
    source: str  # "sentence" (grown), "single", "clause", "date", "title" or "win_*" (windows)
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
BASE_SOURCES = frozenset({"sentence", "single", "clause", "date", "title"})


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
