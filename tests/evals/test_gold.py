"""The gold-set eval scores lawyers' decisions and today's reviews against them."""

from __future__ import annotations

import json

from legal_orch_evals.gold import run

from legal_orch.decisions import DecisionStore, finding_snapshot
from tests.sample_report import sample_report


def test_gold_eval_scores_decisions_and_current_reviews(sample_doc, tmp_path):
    report = sample_report(sample_doc)
    law, term, audit = report.findings
    sha = report.document.sha256
    store = DecisionStore(tmp_path / "d.sqlite")
    store.record(sha, law.rule_id, "accept", "Ann", finding=finding_snapshot(law))
    store.record(
        sha,
        term.rule_id,
        "edit",
        "Ann",
        edited={"severity": "medium"},
        finding=finding_snapshot(term),
    )
    store.record(sha, audit.rule_id, "reject", "Ann", finding=finding_snapshot(audit))
    store.record("other-doc", "governing-law", "accept", "Ann", finding=finding_snapshot(law))
    gold = store.export_gold(tmp_path / "gold.jsonl")

    reviews = tmp_path / "reviews"
    reviews.mkdir()
    (reviews / "r.json").write_text(report.to_json(), encoding="utf-8")
    (reviews / "summary.json").write_text(json.dumps({"not": "a review"}), encoding="utf-8")

    m = run(gold, reviews, tmp_path / "out")
    assert (m["decisions"], m["documents"]) == (4, 2)
    assert m["precision"] == 0.5 and m["precision_lenient"] == 0.75
    # the other document has no review: reported as unmatched, not as agreement
    assert m["reviews_matched"] == 3 and m["coverage"] == 0.75
    # law agrees; term still says "high" where the lawyer said "medium"
    assert m["label_agreement"] == 0.5
    # the rejected audit finding is still stated unchanged
    assert m["rejected_repeated"] == 1.0
    assert m["per_rule"]["governing-law"] == {
        "n": 2,
        "accepted": 2,
        "edited": 0,
        "rejected": 0,
        "precision": 1.0,
    }
    assert json.loads((tmp_path / "out" / "metrics.json").read_text()) == m
    assert (
        "| audit-rights | 1 | 0 | 0 | 1 | 0.000 |" in (tmp_path / "out" / "report.md").read_text()
    )


def test_gold_eval_without_reviews_scores_decisions_only(sample_doc, tmp_path):
    report = sample_report(sample_doc)
    store = DecisionStore(tmp_path / "d.sqlite")
    store.record(report.document.sha256, "governing-law", "reject", "Ann")
    m = run(store.export_gold(tmp_path / "g.jsonl"), None, tmp_path / "out")
    assert m["precision"] == 0.0 and m["coverage"] is None and m["label_agreement"] is None
