"""ContractNLI metrics against hand-computed values."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from legal_orch_agents.risk_analysis.nli import NliPrediction
from legal_orch_evals.contractnli import majority_baseline, predictions_json, score_predictions

from legal_orch.datasets.contractnli import load_contractnli
from legal_orch.datasets.contractnli_metric import (
    evidence_metrics,
    f1_of,
    label_metrics,
    precision_at_recall,
)


def test_f1_by_hand():
    gold = ["Contradiction", "Entailment", "Contradiction", "NotMentioned"]
    pred = ["Contradiction", "Contradiction", "NotMentioned", "NotMentioned"]
    # C: tp=1, |gold|=2, |pred|=2 -> 2*1/4 = 0.5 ; E: tp=0 -> 0
    assert f1_of(gold, pred, "Contradiction") == pytest.approx(0.5)
    assert f1_of(gold, pred, "Entailment") == 0.0
    assert f1_of(["NotMentioned"], ["Entailment"], "Contradiction") is None


def test_label_metrics_average_over_hypotheses_and_skip_absent_classes():
    gold = {"h1": ["Entailment", "Contradiction"], "h2": ["Entailment", "NotMentioned"]}
    pred = {"h1": ["Entailment", "Entailment"], "h2": ["Entailment", "NotMentioned"]}
    m = label_metrics(gold, pred)
    assert m["accuracy"] == pytest.approx((0.5 + 1.0) / 2)
    # h1: F1(E) = 2*1/(1+2) = 2/3, F1(C) = 0 ; h2: F1(E) = 1, no C in gold -> left out
    assert m["f1_entailment"] == pytest.approx((2 / 3 + 1.0) / 2)
    assert m["f1_contradiction"] == pytest.approx(0.0)


def test_precision_at_recall_by_hand():
    y = np.array([1, 0, 1, 0, 1], dtype=bool)
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.1])
    # recall reaches 2/3 at 0.7, 1.0 only at 0.1 -> precision 3/5 for 80%
    assert precision_at_recall(y, s, 0.8) == pytest.approx(3 / 5)
    assert precision_at_recall(y, s, 0.6) == pytest.approx(2 / 3)
    assert precision_at_recall(np.zeros(3, dtype=bool), s[:3]) is None


def test_evidence_map_is_per_document_hypothesis_pair_and_skips_not_mentioned():
    gold = {
        "h": [("Entailment", [0], 3), ("Contradiction", [1], 2), ("NotMentioned", [], 2)],
        "g": [("Entailment", [1, 2], 4), ("NotMentioned", [], 2), ("NotMentioned", [], 2)],
    }
    scores = {
        "h": [[0.9, 0.2, 0.1], [0.8, 0.3], [0.99, 0.99]],
        "g": [[0.9, 0.8, 0.1, 0.7], [0.5, 0.5], [0.5, 0.5]],
    }
    # pairs (NotMentioned skipped): h/d1 ranks its evidence first -> AP 1;
    # h/d2 ranks it second of two -> AP 1/2; g/d1: 0.9(-) 0.8(+) 0.7(-) 0.1(+) -> AP (1/2 + 2/4)/2
    # mAP over the three pairs, not over hypotheses and not over pooled spans
    m = evidence_metrics(gold, scores)
    assert m["evidence_map"] == pytest.approx((1 + 1 / 2 + 1 / 2) / 3)
    # P@80%R per pair: h/d1 1/1 ; h/d2 needs both spans -> 1/2 ; g/d1 needs all 4 -> 2/4
    assert m["evidence_precision_at_80_recall"] == pytest.approx((1 + 1 / 2 + 1 / 2) / 3)


def _dataset(tmp_path):
    doc = {
        "id": "d1",
        "file_name": "x",
        "text": "A. B. C.",
        "spans": [[0, 2], [3, 5], [6, 8]],
        "annotation_sets": [
            {
                "annotations": {
                    "nda-1": {"choice": "Entailment", "spans": [1]},
                    "nda-2": {"choice": "NotMentioned", "spans": []},
                }
            }
        ],
    }
    doc2 = {
        **doc,
        "id": "d2",
        "annotation_sets": [
            {
                "annotations": {
                    "nda-1": {"choice": "Contradiction", "spans": [2]},
                    "nda-2": {"choice": "NotMentioned", "spans": []},
                }
            }
        ],
    }
    labels = {"nda-1": {"hypothesis": "h one"}, "nda-2": {"hypothesis": "h two"}}
    p = tmp_path / "mini.json"
    p.write_text(json.dumps({"documents": [doc, doc2], "labels": labels}))
    return load_contractnli(p)


def test_score_predictions_end_to_end(tmp_path):
    data = _dataset(tmp_path)
    probs = {"Entailment": 0.6, "Contradiction": 0.3, "NotMentioned": 0.1}
    preds = {
        "d1": {
            "nda-1": NliPrediction("nda-1", "Entailment", probs, [0.1, 0.9, 0.2]),
            "nda-2": NliPrediction("nda-2", "NotMentioned", probs, [0.1, 0.1, 0.1]),
        },
        "d2": {
            "nda-1": NliPrediction("nda-1", "Entailment", probs, [0.1, 0.5, 0.4]),
            "nda-2": NliPrediction("nda-2", "NotMentioned", probs, [0.1, 0.1, 0.1]),
        },
    }
    m = score_predictions(data, preds)
    assert m["documents"] == 2
    assert m["accuracy"] == pytest.approx((0.5 + 1.0) / 2)
    assert m["f1_entailment"] == pytest.approx(2 / 3)  # nda-2 has no E in gold
    assert m["f1_contradiction"] == 0.0
    # nda-1 per pair: d1 ranks span 1 first -> AP 1 ; d2 ranks span 2 second -> AP 1/2 ;
    # nda-2 is NotMentioned in both documents, so it has no evidence pairs
    assert m["evidence_map"] == pytest.approx((1 + 1 / 2) / 2)
    out = predictions_json(preds)
    assert out["d1"]["nda-1"]["span_scores"] == [0.1, 0.9, 0.2]
    assert math.isclose(sum(out["d1"]["nda-1"]["probs"].values()), 1.0)


def test_majority_baseline(tmp_path):
    data = _dataset(tmp_path)
    m = majority_baseline(data, data)  # nda-1 tie E/C -> Entailment by CHOICES order
    assert m["accuracy"] == pytest.approx((0.5 + 1.0) / 2)
