"""Extract CUAD's 41 clause categories from a parsed, segmented contract."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from legal_orch_agents.clause_extraction.answers import answer
from legal_orch_agents.clause_extraction.features import date_units, sentence_units, title_units
from legal_orch_agents.clause_extraction.model import ExtractionModel, shipped_model
from legal_orch_agents.clause_extraction.spans import (
    BASE_SOURCES,
    Candidate,
    mention_candidates,
    part_candidates,
    sentence_candidates,
    top_sentences,
    window_candidates,
)

from legal_orch.datasets.cuad_categories import CATEGORIES
from legal_orch.domain import Clause, Document, Segmentation

TOP_K = 20


def sentence_margins(doc: Document, seg: Segmentation, model: ExtractionModel) -> np.ndarray:
    """The sentence head's raw margins, one row per sentence and one column per category."""
    sents = sentence_units(doc, seg)
    return model.sentences.decision([[u.text for u in sents], [u.context for u in sents]])


def raw_candidates(
    doc: Document,
    seg: Segmentation,
    model: ExtractionModel,
    k: int = TOP_K,
    margins: np.ndarray | None = None,
) -> list[Candidate]:
    """Every head's best spans for every category, uncalibrated.

    `margins` stands in for the sentence head's own (another tier's scores, same columns).
    """
    sents = sentence_units(doc, seg)
    if margins is None:
        margins = sentence_margins(doc, seg, model)
    clauses = {c.id: (c.start, c.end) for c in seg.clauses}
    out = sentence_candidates(sents, margins, model.sentences.labels, k, model.merge_ratio, clauses)
    labels = model.sentences.labels
    seeds = int(model.meta.get("window_seeds", 0))
    if seeds:
        out += window_candidates(sents, margins, labels, seeds)
    if tops := int(model.meta.get("top_sentences", 0)):
        out += top_sentences(sents, margins, labels, tops)
    if part_seeds := int(model.meta.get("part_seeds", 0)):
        out += part_candidates(sents, margins, labels, part_seeds)
    for units, head, source in (
        (date_units(doc), model.dates, "date"),
        (title_units(doc), model.titles, "title"),
    ):
        if units:
            m = head.decision([[u.context for u in units]])
            out += mention_candidates(units, m, head.labels, k, source)
    return out


def calibrated(
    model: ExtractionModel, cands: list[Candidate]
) -> dict[str, list[tuple[Candidate, float]]]:
    """Candidates per category with calibrated probabilities, best first."""
    by_key: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands:
        by_key[f"{c.category}|{c.source}"].append(c)
    out: dict[str, list[tuple[Candidate, float]]] = defaultdict(list)
    for key, group in by_key.items():
        probs = model.calibration(
            key,
            np.array([c.margin for c in group]),
            np.array([c.rank for c in group], dtype=float),
            np.array([c.end - c.start for c in group], dtype=float),
        )
        out[group[0].category].extend(zip(group, probs.tolist(), strict=True))
    for cat in out:
        out[cat].sort(key=lambda cp: -cp[1])
    return out


def _clause(doc: Document, c: Candidate, prob: float) -> Clause:
    text = doc.text[c.start : c.end]
    return Clause(
        category=c.category,
        text=text,
        page=doc.page_of(c.start),
        start=c.start,
        end=c.end,
        confidence=round(float(prob), 6),
        answer=answer(c.category, text),
    )


def _distinct(
    doc: Document, ranked: list[tuple[Candidate, float]], k: int, cap: int = 0
) -> list[tuple[Candidate, float]]:
    """Drop spans whose text repeats a better one's; keep `k`.

    With `cap`, a span overlapping `cap` kept spans waits until every other span has had its
    turn, so that the n-best is not spent on one passage's many boundaries.
    """
    kept: list[tuple[Candidate, float]] = []
    waiting: list[tuple[Candidate, float]] = []
    texts: set[str] = set()
    for c, p in ranked:
        if cap and sum(c.start < o.end and o.start < c.end for o, _ in kept) >= cap:
            waiting.append((c, p))
            continue
        _keep(doc, c, p, kept, texts)
        if len(kept) >= k:
            return kept
    for c, p in waiting:
        if len(kept) >= k:
            break
        _keep(doc, c, p, kept, texts)
    return sorted(kept, key=lambda cp: -cp[1])


def _keep(
    doc: Document,
    c: Candidate,
    p: float,
    kept: list[tuple[Candidate, float]],
    texts: set[str],
) -> None:
    t = " ".join(doc.text[c.start : c.end].split())
    if t not in texts:
        texts.add(t)
        kept.append((c, p))


def _nbest(
    doc: Document, ranked: list[tuple[Candidate, float]], k: int, model: ExtractionModel
) -> list[tuple[Candidate, float]]:
    """The `k` best distinct spans of one category.

    With window candidates (`meta["window_seeds"]`), the best `base_slots` sentence, clause and
    mention spans are kept first; the windows, their confidence scaled by `window_scale`, then
    compete with the remaining base spans for the last slots. Windows thus add recall at the
    low-confidence end without pushing the head's own spans out of the n-best.
    """
    cap = int(model.meta.get("overlap_cap", 0))
    if not model.meta.get("window_seeds"):
        return _distinct(doc, ranked, k, cap)
    scale = float(model.meta.get("window_scale", 1.0))
    slots = int(model.meta.get("base_slots", k))
    base = _distinct(doc, [cp for cp in ranked if cp[0].source in BASE_SOURCES], k, cap)
    extra = [(c, p * scale) for c, p in ranked if c.source not in BASE_SOURCES]
    rest = sorted(base[slots:] + extra, key=lambda cp: -cp[1])
    return sorted(_distinct(doc, base[:slots] + rest, k, cap), key=lambda cp: -cp[1])


def candidates(
    doc: Document,
    seg: Segmentation,
    k: int = TOP_K,
    model: ExtractionModel | None = None,
    margins: np.ndarray | None = None,
) -> dict[str, list[Clause]]:
    """The n-best (up to `k`) clauses per category with calibrated confidences."""
    model = model or shipped_model()
    ranked = calibrated(model, raw_candidates(doc, seg, model, k, margins))
    return {
        cat: [_clause(doc, c, p) for c, p in _nbest(doc, ranked.get(cat, []), k, model)]
        for cat in CATEGORIES
    }


def select(
    best: dict[str, list[Clause]],
    thresholds: dict[str, float],
    presence: dict[str, float] | None = None,
) -> list[Clause]:
    """The clauses a review shows: spans above the span threshold, else the best one if present.

    Two cut-offs, both tuned on dev: `thresholds` keeps spans likely to match a gold span;
    `presence` decides that a category is in the contract at all, shown by its best span.
    """
    presence = presence or {}
    out = []
    for cat, clauses in best.items():
        chosen: list[Clause] = []
        for c in clauses:  # best first; a passage is shown once per category
            if c.confidence >= thresholds.get(cat, 0.5) and not any(
                c.start < o.end and o.start < c.end for o in chosen
            ):
                chosen.append(c)
        if not chosen and clauses and clauses[0].confidence >= presence.get(cat, 1.0):
            chosen = clauses[:1]
        out += chosen
    return sorted(out, key=lambda c: (c.start, c.category))
