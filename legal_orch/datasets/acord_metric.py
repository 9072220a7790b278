"""ACORD's ranking metrics: NDCG with linear gain on the 0-4 grades, and star shares in the top k.

Definitions follow the ACORD paper (Wang et al., 2025) and BEIR: a clause's gain is its grade
(0-4), discounted by log2(rank + 1); the ideal ranking sorts every judged clause of the query by
grade. Clauses without a judgement count as grade 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

FOUR_STAR = 3  # ACORD grades 0-4 stand for 1-5 stars
FIVE_STAR = 4


def dcg(gains: Sequence[float]) -> float:
    """Return the discounted cumulative gain of `gains` in rank order (linear gain)."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """Return NDCG@k of `ranking` against `grades` (0 when the query has no positive grade)."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([grades.get(doc, 0) for doc in ranking[:k]]) / ideal


def share_at(ranking: Sequence[str], grades: Mapping[str, int], k: int, min_grade: int) -> float:
    """Return the share of the top k that is graded at least `min_grade` (k as denominator)."""
    return sum(grades.get(doc, 0) >= min_grade for doc in ranking[:k]) / k


def query_metrics(ranking: Sequence[str], grades: Mapping[str, int]) -> dict[str, float]:
    """Return the ACORD metrics of one query's ranking."""
    return {
        "ndcg@5": ndcg_at(ranking, grades, 5),
        "ndcg@10": ndcg_at(ranking, grades, 10),
        "p@5_4star": share_at(ranking, grades, 5, FOUR_STAR),
        "p@5_5star": share_at(ranking, grades, 5, FIVE_STAR),
    }


def mean_metrics(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> dict[str, float]:
    """Average the per-query metrics over the queries that have judgements."""
    per_query = [query_metrics(rankings.get(q, []), grades) for q, grades in qrels.items()]
    if not per_query:
        return {"ndcg@5": 0.0, "ndcg@10": 0.0, "p@5_4star": 0.0, "p@5_5star": 0.0, "queries": 0}
    out: dict[str, float] = {k: sum(m[k] for m in per_query) / len(per_query) for k in per_query[0]}
    out["queries"] = len(per_query)
    return out
