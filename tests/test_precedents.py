"""The precedent bank: build, load, index in real Chroma, hybrid search, comparison."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from legal_orch_agents.precedent_research import build as bp
from legal_orch_agents.precedent_research.bank import PrecedentBank
from legal_orch_agents.precedent_research.market import compare, duration_days, format_days
from legal_orch_agents.precedent_research.rerank import Memory, Pool, fit, pool_features, text_key

from legal_orch.datasets.splits import cuad_split

GOVERNING = [
    ("This Agreement shall be governed by the laws of the State of New York.", "New York"),
    ("This Agreement is governed by and construed under the laws of Delaware.", "Delaware"),
    ("The laws of the State of California govern this Agreement.", "California"),
    ("This Agreement shall be governed by New York law, without regard to conflicts.", "New York"),
    ("Governing law: the laws of England and Wales.", "England"),
]
RENEWAL = [
    ("Either party may stop renewal by written notice 30 days before the term ends.", "30 days"),
    ("Notice of non-renewal must be given at least 90 days before expiry.", "90 days"),
    ("The term renews unless a party gives 60 days' notice of non-renewal.", "60 days"),
    ("Non-renewal requires six months' written notice.", "6 months"),
    ("A party may elect not to renew by giving 30 days notice.", "30 days"),
]
OTHER = [
    ("Licensee may not assign this Agreement without Licensor's prior written consent.", None),
    (
        "In no event shall either party's liability exceed the fees paid in the prior 12 months.",
        None,
    ),
]


def bank_records() -> list[dict]:
    """Return a tiny hand-made bank: governing law, renewal notice, two others."""
    rows = [(t, a, "Governing Law") for t, a in GOVERNING]
    rows += [(t, a, "Notice Period to Terminate Renewal") for t, a in RENEWAL]
    rows += [(t, a, None) for t, a in OTHER]
    return [
        {
            "id": f"t:{i}",
            "text": text,
            "category": cat,
            "contract_type": "License_Agreements",
            "answer": answer,
            "source": f"contract-{i}.pdf",
            "corpus": "cuad",
        }
        for i, (text, answer, cat) in enumerate(rows)
    ]


def write_bank(directory, embedder, records=None):
    """Write a bank directory as the build command does (clauses and int8 vectors)."""
    directory.mkdir(parents=True, exist_ok=True)
    records = records or bank_records()
    bp.write_clauses(records, directory / bp.CLAUSES_FILE)
    sha = bp.sha256_file(directory / bp.CLAUSES_FILE)
    bp.write_vectors(records, embedder, directory / bp.VECTORS_FILE, sha)
    return directory


def chroma_factory(path):
    import chromadb

    client = chromadb.PersistentClient(
        path=str(path), settings=chromadb.config.Settings(anonymized_telemetry=False)
    )
    return lambda: client


class CountingEmbedder:
    """Wrap an embedder and count the texts it encodes."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, inner):
        self.inner = inner
        self.texts = 0

    def encode(self, texts):
        self.texts += len(texts)
        return self.inner.encode(texts)


@pytest.fixture(scope="module")
def bank(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("bank")
    directory = write_bank(tmp / "precedents", embedder)
    return PrecedentBank.load(
        directory, embedder=embedder, client_factory=chroma_factory(tmp / "chroma"), reranker=None
    )


def test_search_finds_the_matching_clause_type(bank):
    hits = bank.search("Which state's law governs the contract? New York law applies.", k=3)
    assert hits[0].category == "Governing Law"
    assert hits[0].source.startswith("contract-")
    assert hits[0].score >= hits[-1].score


def test_search_within_a_category(bank):
    hits = bank.search("notice period", k=10, category="Governing Law")
    assert hits and {h.category for h in hits} == {"Governing Law"}


def test_search_lexical_match_ranks_first(bank):
    hits = bank.search("assign prior written consent Licensor", k=2)
    assert "assign" in hits[0].text


def test_empty_query_returns_nothing(bank):
    assert bank.search("   ", k=3) == []


def test_index_is_idempotent_and_reuses_shipped_vectors(tmp_path, embedder):
    directory = write_bank(tmp_path / "precedents", embedder)
    counting = CountingEmbedder(embedder)
    factory = chroma_factory(tmp_path / "chroma")
    first = PrecedentBank.load(directory, embedder=counting, client_factory=factory, reranker=None)
    assert first.ensure_indexed().count() == len(bank_records())
    assert counting.texts == 0  # the shipped int8 vectors were used, nothing re-embedded
    again = PrecedentBank.load(directory, embedder=counting, client_factory=factory, reranker=None)
    assert again.ensure_indexed().count() == len(bank_records())
    assert len(factory().list_collections()) == 1


def test_vectors_of_other_clauses_are_not_used(tmp_path, embedder):
    directory = write_bank(tmp_path / "precedents", embedder)
    records = bank_records()[:3]
    bp.write_clauses(records, directory / bp.CLAUSES_FILE)  # vectors.npz now stale
    counting = CountingEmbedder(embedder)
    fresh = PrecedentBank.load(directory, embedder=counting, reranker=None)
    assert fresh.vectors.shape == (3, 384)
    assert counting.texts == 3


def test_int8_vectors_keep_cosine(embedder):
    v = embedder.encode([t for t, _ in GOVERNING + RENEWAL])
    q, scale = bp.quantize(v)
    restored = bp.dequantize(q, scale)
    assert q.dtype == np.int8
    assert np.min(np.sum(v * restored, axis=1)) > 0.999


def test_answers_count_each_contract_once(bank):
    records = bank_records() + [{**bank_records()[0], "id": "dup"}]
    twin = PrecedentBank(records, embedder=bank.embedder, vectors=np.zeros((len(records), 384)))
    assert sorted(twin.answers("Governing Law")) == sorted(a for _, a in GOVERNING)


def test_compare_duration_against_distribution():
    theirs = ["30 days", "90 days", "60 days", "6 months", "30 days", "successive 1 year"]
    text = compare("Notice Period to Terminate Renewal", "10 days", theirs)
    assert text == (
        "Notice Period to Terminate Renewal: 10 days here; 100% of 6 precedent contracts give "
        "more and 0% less (median 60 days)."
    )


def test_compare_value_and_what_is_not_compared():
    theirs = ["New York", "New York", "Delaware", "California", "new york", "Texas"]
    text = compare("Governing Law", "Delaware", theirs)
    assert text is not None
    assert "17% of 6 precedent contracts give the same" in text
    assert "New York 50%" in text
    assert compare("Expiration Date", "2020-12-31", theirs) is None  # dates: no market
    assert compare("Governing Law", "Delaware", theirs[:2]) is None  # too few precedents
    assert compare("Governing Law", None, theirs) is None


@pytest.mark.parametrize(
    ("answer", "days"),
    [("30 days", 30), ("successive 1 year", 365), ("6 months", 180), ("perpetual", None)],
)
def test_duration_days(answer, days):
    assert duration_days(answer) == days


def test_format_days():
    assert [format_days(d) for d in (365, 730, 180, 60, 14, 1)] == [
        "1 year",
        "2 years",
        "6 months",
        "60 days",
        "14 days",
        "1 day",
    ]


def test_memory_recalls_grades_of_similar_queries_but_not_its_own():
    keys = [text_key("Clause A"), text_key("clause   b")]
    memory = Memory(np.eye(2, 3), [{keys[0]: 4}, {keys[1]: 2}])
    recalled, sim = memory.recall(np.array([1.0, 0.0, 0.0]), keys)
    assert recalled[0] > recalled[1] and sim[0] == 1.0
    recalled, _ = memory.recall(np.array([1.0, 0.0, 0.0]), keys, exclude=0)
    assert recalled[0] == 0 and recalled[1] == 0  # neighbour 1 has zero similarity


def test_reranker_learns_to_prefer_graded_clauses():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    cos = rng.uniform(size=40)
    pool = Pool(vectors, cos, cos * 10, [set()] * 40, np.full(40, 100.0))
    feats = pool_features(pool, {"x"})
    grades = (cos > 0.5).astype(float) * 3
    model = fit(np.vstack([feats] * 30), np.concatenate([grades] * 30))
    scores = model.score(pool, {"x"})
    assert scores[cos > 0.5].min() > scores[cos <= 0.5].max()
    # the numpy tree walk gives sklearn's own predictions
    assert np.allclose(scores, model.model.predict(feats), atol=1e-9)


def _name(split: str) -> str:
    return next(f"C{i}.pdf" for i in range(1000) if cuad_split(f"C{i}.pdf") == split)


def test_build_keeps_test_contracts_out(tmp_path, embedder):
    data = tmp_path / "data"
    (data / "cuad" / "full_contract_pdf" / "Part_I" / "Hosting").mkdir(parents=True)
    train, test = _name("train"), _name("test")
    (data / "cuad" / "full_contract_pdf" / "Part_I" / "Hosting" / train).write_bytes(b"")
    with (data / "cuad" / "master_clauses.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["Filename", "Parties", "Parties-Answer", "Governing Law", "Governing Law-Answer"]
        )
        w.writerow([train, "['Acme']", "Acme", "['governed by the laws of Texas']", "Texas"])
        w.writerow([test, "['Beta']", "Beta", "['governed by the laws of Ohio']", "Ohio"])
    (data / "acord" / "qrels").mkdir(parents=True)
    (data / "acord" / "corpus.jsonl").write_text(
        json.dumps({"_id": "a1", "text": "Texas law."}) + "\n"
    )
    (data / "acord" / "queries.jsonl").write_text(
        json.dumps({"_id": "q", "text": "Texas law", "metadata": {"category": "Governing Law"}})
        + "\n"
    )
    (data / "acord" / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\nq\ta1\t3\n")
    out = tmp_path / "out"
    manifest = bp.main(data, out, embedder=embedder)
    bank = PrecedentBank.load(out, embedder=embedder, reranker=None)
    texts = {r["text"]: r for r in bank.records}
    assert set(texts) == {"governed by the laws of Texas", "Texas law."}  # no Parties, no test
    assert texts["governed by the laws of Texas"]["contract_type"] == "Hosting"
    assert texts["Texas law."]["category"] == "Governing Law"
    assert manifest["counts"] == {"cuad": 1, "acord": 1}
    assert manifest["files"][bp.CLAUSES_FILE] == bp.sha256_file(out / bp.CLAUSES_FILE)
    assert "CC BY 4.0" in manifest["sources"]["cuad"]["licence"]
    assert bank.vectors.shape == (2, 384)
