"""ACORD metrics on hand-computed cases, and the eval end to end on a tiny BEIR folder."""

from __future__ import annotations

import json
import math

import pytest
from legal_orch_evals import acord

from legal_orch.datasets.acord import load
from legal_orch.datasets.acord_metric import dcg, mean_metrics, ndcg_at, query_metrics, share_at
from tests.test_precedents import write_bank

GRADES = {"a": 4, "b": 0, "c": 2, "d": 3}


def test_dcg_linear_gain():
    assert dcg([3, 2]) == pytest.approx(3 + 2 / math.log2(3))


def test_ndcg_hand_computed():
    # ranking b, a, c: DCG = 0 + 4/log2(3) + 2/2; ideal a, d, c: 4 + 3/log2(3) + 2/2
    got = ndcg_at(["b", "a", "c"], GRADES, 3)
    want = (4 / math.log2(3) + 1) / (4 + 3 / math.log2(3) + 1)
    assert got == pytest.approx(want)
    assert ndcg_at(["a", "d", "c", "b"], GRADES, 5) == pytest.approx(1.0)


def test_unjudged_counts_as_zero_and_no_positives_gives_zero():
    assert ndcg_at(["x", "a"], GRADES, 1) == 0.0
    assert ndcg_at(["a"], {"a": 0, "b": 0}, 5) == 0.0


def test_star_shares_use_k_as_denominator():
    assert share_at(["a", "d", "c"], GRADES, 5, 3) == pytest.approx(2 / 5)
    assert share_at(["a", "d", "c"], GRADES, 5, 4) == pytest.approx(1 / 5)
    m = query_metrics(["a", "d", "c", "b", "x"], GRADES)
    assert m["p@5_4star"] == pytest.approx(0.4) and m["p@5_5star"] == pytest.approx(0.2)


def test_mean_over_judged_queries():
    qrels = {"q1": {"a": 4}, "q2": {"b": 4}}
    m = mean_metrics({"q1": ["a"], "q2": ["a", "b"]}, qrels)
    assert m["ndcg@5"] == pytest.approx((1 + 1 / math.log2(3)) / 2)
    assert m["queries"] == 2


CLAUSES = {
    "gl1": "This Agreement shall be governed by the laws of the State of New York.",
    "gl2": "This Agreement is governed by the laws of the State of Texas.",
    "ins": "Supplier shall maintain general liability insurance of $1,000,000.",
    "asg": "Neither party may assign this Agreement without prior written consent.",
}


def tiny_acord(tmp_path):
    (tmp_path / "qrels").mkdir(parents=True)
    with (tmp_path / "corpus.jsonl").open("w") as f:
        for cid, text in CLAUSES.items():
            f.write(json.dumps({"_id": cid, "text": text}) + "\n")
    (tmp_path / "queries.jsonl").write_text(
        json.dumps(
            {
                "_id": "NY law",
                "text": "New York Governing Law",
                "metadata": {"split": "valid", "category": "Governing Law"},
            }
        )
        + "\n"
    )
    rows = ["query-id\tcorpus-id\tscore", "NY law\tgl1\t4", "NY law\tgl2\t1", "NY law\tins\t0"]
    (tmp_path / "qrels" / "valid.tsv").write_text("\n".join(rows) + "\n")
    return tmp_path


CATEGORY = {"gl1": "Governing Law", "gl2": "Governing Law", "ins": "Insurance"}


def tiny_bank(directory, embedder):
    """A shipped-style bank over the tiny corpus, with a CUAD copy of the New York clause."""
    records = [
        {
            "id": f"acord:{cid}",
            "text": text,
            "category": CATEGORY.get(cid),
            "contract": None,
            "parties": [],
            "source": "ACORD clause (source contract not named)",
            "corpus": "acord",
        }
        for cid, text in CLAUSES.items()
    ]
    records.append(
        {
            "id": "cuad:ny",
            "text": CLAUSES["gl1"],
            "category": "Governing Law",
            "contract": "c1",
            "parties": ["Acme Corp.", "Beta LLC"],
            "contract_type": "supply agreement",
            "source": "Supply agreement between Acme Corp. and Beta LLC",
            "corpus": "cuad",
        }
    )
    contracts = [{"key": "c1", "label": "x", "parties": [], "present": {}, "measures": {}}]
    return write_bank(directory, embedder, records, contracts)


def test_run_scores_the_review_call_and_the_judged_pool(tmp_path, embedder):
    data = tiny_acord(tmp_path / "acord")
    out = tmp_path / "out"
    bank = tiny_bank(tmp_path / "bank", embedder)
    metrics = acord.run(
        data, "valid", out, embedder=embedder, reranker=None, bank_dir=bank, data_dir=tmp_path
    )
    product = metrics["product_path"]
    # The research call searches Governing Law only: the two law clauses (the New York one
    # once, its CUAD copy counting as the ACORD clause it repeats), never the insurance clause.
    per_query = json.loads((out / "per_query.json").read_text())
    assert sorted(per_query["NY law"]["top10"]) == ["gl1", "gl2"]
    assert product["ndcg@5"] == pytest.approx(
        abs=1e-4,
        expected=mean_metrics({"NY law": per_query["NY law"]["top10"]}, load(data, "valid").qrels)[
            "ndcg@5"
        ],
    )
    assert product["queries_with_categories"] == 1 and product["bank_clauses"] == 5
    assert product["judged@10"] == pytest.approx(0.2)
    assert product["latency_ms_p50"] > 0
    assert metrics["judged_pool"]["ndcg@5"] == pytest.approx(1.0)
    assert metrics["queries"] == 1
    assert json.loads((out / "metrics.json").read_text()) == metrics
    assert per_query["NY law"]["categories"] == ["Governing Law"]
    lines = (out / "run.tsv").read_text().splitlines()
    assert lines[0] == "query-id\tcorpus-id\trank\tscore"
    assert [line.split("\t")[:3] for line in lines[1:]] == [
        ["NY law", "gl1", "1"],
        ["NY law", "gl2", "2"],
        ["NY law", "ins", "3"],
    ]


def test_split_without_qrels_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="test"):
        load(tiny_acord(tmp_path), "test")


def test_reranker_trains_on_train_queries_only(tmp_path, embedder):
    data = tiny_acord(tmp_path / "acord")
    (data / "qrels" / "valid.tsv").rename(data / "qrels" / "train.tsv")
    from legal_orch_agents.precedent_research.acord import train_reranker

    info = train_reranker(data, tmp_path / "r.joblib", embedder=embedder, folds=2)
    assert info["queries"] == 1 and (tmp_path / "r.joblib").is_file()
