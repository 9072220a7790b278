"""The precedent bank: build, load, index in real Chroma, hybrid search, comparison."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from legal_orch_agents.precedent_research import build as bp
from legal_orch_agents.precedent_research.acord_map import cuad_categories
from legal_orch_agents.precedent_research.bank import PrecedentBank
from legal_orch_agents.precedent_research.market import Market, format_days, share
from legal_orch_agents.precedent_research.measures import Cap, answer_days, cap, jurisdictions
from legal_orch_agents.precedent_research.rerank import Memory, Pool, fit, pool_features, text_key
from legal_orch_agents.precedent_research.sources import contract_type, label, parties

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
            "contract_type": "licence agreement",
            "answer": answer,
            "contract": f"c{i}",
            "parties": [f"Licensor {i} Inc.", f"Licensee {i} LLC"],
            "source": f"Licence agreement between Licensor {i} Inc. and Licensee {i} LLC",
            "corpus": "cuad",
        }
        for i, (text, answer, cat) in enumerate(rows)
    ]


def write_bank(directory, embedder, records=None, contracts=None):
    """Write a bank directory as the build command does (clauses, contracts, int8 vectors)."""
    directory.mkdir(parents=True, exist_ok=True)
    records = records or bank_records()
    bp.write_clauses(records, directory / bp.CLAUSES_FILE)
    if contracts is not None:
        bp.write_clauses(contracts, directory / "contracts.jsonl.gz")
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
    assert hits[0].source.startswith("Licence agreement between Licensor")
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


def test_share_says_small_shares_as_counts():
    assert share(1, 275) == "1 of the 275 precedent contracts"
    assert share(98, 322) == "98 of the 322 precedent contracts (30%)"
    assert share(0, 12) == "none of the 12 precedent contracts"
    assert share(12, 12) == "all 12 precedent contracts"
    assert share(271, 272) == "271 of the 272 precedent contracts"  # never "100%" short of all


def test_peers_need_enough_contracts_of_the_kind():
    contracts = [
        {"key": str(i), "contract_type": kind, "present": {"Exclusivity": "Yes"} if i % 2 else {}}
        for i, kind in enumerate(["reseller agreement"] * 6 + ["licence agreement"] * 4)
    ]
    market = Market(contracts)
    assert market.presence("Exclusivity", True, ("reseller agreement",)) == (
        "Exclusivity: this contract has an Exclusivity clause, as do 5 of the 10 precedent "
        "contracts (50%), and 3 of the 6 reseller agreements (50%)."
    )
    assert "licence" not in market.presence("Exclusivity", False, ("licence agreement",))


def test_cap_is_placed_among_the_fee_caps():
    caps = [
        {"basis": "fees", "multiple": 1.0, "months": 12},
        {"basis": "fees", "multiple": 2.0},
        {"basis": "amount", "amount": 5e6},
        None,
    ]
    contracts = [
        {"key": str(i), "present": {"Cap on Liability": "Yes"}, "measures": {"Cap on Liability": c}}
        for i, c in enumerate(caps)
    ]
    contracts = [
        {**c, "measures": {k: v for k, v in c["measures"].items() if v}} for c in contracts
    ]
    contracts.append({"key": "x", "present": {}, "measures": {}})
    market = Market(contracts)
    assert market.cap(Cap(basis="fees", multiple=1.0, months=12), True) == (
        "Cap on Liability: 1× the fees of the prior 12 months here. 4 of the 5 precedent "
        "contracts (80%) have such a clause: 2 cap liability at the fees paid or a multiple of "
        "them, 1 at a fixed sum, and 1 set no amount that could be read (most of those only "
        "exclude kinds of damages). 1 of the 2 fee caps (50%) is at 1×, 0 lower and 1 higher; "
        "1 of them looks back 12 months, as here."
    )
    assert market.cap(None, True).startswith(
        "Cap on Liability: this contract has a Cap on Liability clause, as do 4 of the 5"
    )


def test_format_days():
    assert [format_days(d) for d in (365, 730, 180, 60, 90, 14, 1)] == [
        "1 year",
        "2 years",
        "6 months",
        "60 days",
        "90 days",
        "14 days",
        "1 day",
    ]


@pytest.mark.parametrize(
    ("answer", "days"),
    [
        ("30 days", 30),
        ("successive 1 year", 365),
        ("(6) months", 180),
        ("perpetual", None),
        ("Either party may give sixty days notice before the end of the term", None),
    ],
)
def test_answer_days_reads_normalised_answers_only(answer, days):
    assert answer_days(answer) == days


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "IN NO EVENT SHALL LIABILITY EXCEED ONE HUNDRED PERCENT (100%) OF THE FEES PAID BY "
            "RESELLER IN THE TWELVE (12) MONTH PERIOD PRECEDING THE EVENT.",
            Cap(basis="fees", multiple=1.0, months=12),
        ),
        (
            "Each party's liability shall not exceed two (2) times the fees paid under this Agreement.",
            Cap(basis="fees", multiple=2.0),
        ),
        (
            "Company's liability shall not exceed the fees that MA has paid under this Agreement.",
            Cap(basis="fees", multiple=1.0),
        ),
        (
            "In no event shall either party's liability exceed $1,000,000.",
            Cap(basis="amount", amount=1_000_000.0),
        ),
        ("Neither party is liable for indirect or consequential damages.", None),
    ],
)
def test_cap_basis(text, want):
    assert cap(text) == want


def test_jurisdictions_drop_the_country_of_a_named_state():
    assert jurisdictions("the laws of the Province of Ontario, Canada") == ["Ontario"]
    assert jurisdictions("England") == ["England and Wales"]
    assert jurisdictions("People's Republic of China") == ["China"]
    assert jurisdictions("13.1 as agreed in Schedule 4") == []


def test_parties_and_labels():
    names = parties(
        'PivX Corporation ("PivX"); DETTO TECHNOLOGIES, INC. ("Detto"); (the "Parties" or "Party")'
    )
    assert names == ["PivX Corporation", "Detto Technologies, Inc."]
    assert parties('BW-3 FRANCHISE SYSTEMS, INC. ("we")') == ["BW-3 Franchise Systems, Inc."]
    assert parties('Pizza Fusion Holding, Inc. ("we"); Franchisee ("you")') == [
        "Pizza Fusion Holding, Inc."
    ]
    assert label("reseller agreement", names, "Reseller Agreement") == (
        "Reseller agreement between PivX Corporation and Detto Technologies, Inc."
    )
    assert (
        label("franchise agreement", names[:1], None) == "Franchise agreement of PivX Corporation"
    )
    assert label("supply agreement", ["A Co", "B Co", "C Co", "D Co"], None) == (
        "Supply agreement between A Co, B Co and 2 others"
    )
    assert contract_type("License_Agreements") == "licence agreement"


@pytest.mark.parametrize(
    ("query", "heading", "want"),
    [
        ("Non-compete bound by time and territory", "Restrictive Covenants", ("Non-Compete",)),
        ("New York Governing Law", "Governing Law", ("Governing Law",)),
        (
            "buyer-favorable cap on liability clauses",
            "Limitation of Liability",
            ("Cap on Liability", "Uncapped Liability"),
        ),
        (
            "fraud, negligence or willful misconduct carveout to liability cap",
            "Limitation of Liability",
            ("Uncapped Liability", "Cap on Liability"),
        ),
        ("product warranty of shelf life", "Limitation of Liability", ("Warranty Duration",)),
        ('"as-is" clause', "Limitation of Liability", ()),
        ("first party indemnification of specified claims", "Indemnification", ()),
        (
            "Clause that requires notice to terminate auto-renew",
            "Term",
            ("Notice Period to Terminate Renewal", "Renewal Term"),
        ),
    ],
)
def test_acord_queries_map_to_cuad_categories(query, heading, want):
    assert cuad_categories(query, heading) == want


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


def test_build_names_contracts_and_records_every_one(tmp_path, embedder):
    data = tmp_path / "data"
    folder = data / "cuad" / "full_contract_pdf" / "Part_I" / "Hosting"
    folder.mkdir(parents=True)
    (data / "cuad" / "full_contract_txt").mkdir()
    train, other, test = [
        n for n in (f"C{i}.pdf" for i in range(1000)) if cuad_split(n) == "train"
    ][:2] + [_name("test")]
    acord_text = "The Licensee shall keep accurate books and let the Licensor audit them yearly."
    for name in (train, other, test):
        (folder / name).write_bytes(b"")
    (data / "cuad" / "full_contract_txt" / train.replace(".pdf", ".txt")).write_text(
        "HOSTING AGREEMENT. " + acord_text + " This Agreement is governed by the laws of Texas."
    )
    header = ["Filename", "Document Name", "Document Name-Answer", "Parties", "Parties-Answer"]
    header += ["Governing Law", "Governing Law-Answer", "Exclusivity", "Exclusivity-Answer"]
    with (data / "cuad" / "master_clauses.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerow(
            [train, "['HOSTING AGREEMENT']", "HOSTING AGREEMENT", "['Acme']",
             'ACME CORP. ("Acme"); Beta Hosting LLC ("Host")',
             "['governed by the laws of Texas']", "Texas", "[]", "No"]
        )  # fmt: skip
        w.writerow(
            [other, "['HOSTING AGREEMENT']", "HOSTING AGREEMENT", "['Gamma']",
             'Gamma Inc. ("Gamma"); Delta Ltd ("Delta")', "[]", "",
             "['Gamma appoints Delta its exclusive host']", "Yes"]
        )  # fmt: skip
        w.writerow([test, "[]", "", "[]", "Omega", "['laws of Ohio']", "Ohio", "[]", "No"])
    (data / "acord" / "qrels").mkdir(parents=True)
    (data / "acord" / "corpus.jsonl").write_text(
        json.dumps({"_id": "a1", "text": acord_text}) + "\n"
    )
    (data / "acord" / "queries.jsonl").write_text(
        json.dumps(
            {"_id": "q", "text": "Audit Rights", "metadata": {"category": "Affirmative Covenants"}}
        )
        + "\n"
    )
    (data / "acord" / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\nq\ta1\t4\n")
    out = tmp_path / "out"
    manifest = bp.main(data, out, embedder=embedder)
    bank = PrecedentBank.load(out, embedder=embedder, reranker=None)
    law = next(r for r in bank.records if r["category"] == "Governing Law")
    # Named by type and parties, never by the file name.
    assert law["source"] == "Hosting agreement between Acme Corp. and Beta Hosting LLC"
    assert law["parties"] == ["Acme Corp.", "Beta Hosting LLC"]
    # Every bank contract is recorded, with and without each clause; test contracts are not.
    assert manifest["counts"]["contracts"] == 2
    assert len(bank.market.having("Exclusivity")) == 1
    assert len(bank.market.contracts) == 2
    assert bank.market.measures("Governing Law") == [["Texas"]]
    # The ACORD clause: named by the CUAD contract holding it, under the CUAD category its
    # query maps to, with its rating from the train judgements.
    a1 = next(r for r in bank.records if r["id"] == "acord:a1")
    assert a1["source"] == law["source"] and a1["category"] == "Audit Rights"
    assert (a1["rating"], a1["rated_for"]) == (5, "Audit Rights")


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
        json.dumps(
            {"_id": "q", "text": "Texas Governing Law", "metadata": {"category": "Governing Law"}}
        )
        + "\n"
    )
    (data / "acord" / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\nq\ta1\t3\n")
    out = tmp_path / "out"
    manifest = bp.main(data, out, embedder=embedder)
    bank = PrecedentBank.load(out, embedder=embedder, reranker=None)
    texts = {r["text"]: r for r in bank.records}
    assert set(texts) == {"governed by the laws of Texas", "Texas law."}  # no Parties, no test
    assert texts["governed by the laws of Texas"]["contract_type"] == "hosting agreement"
    assert texts["Texas law."]["category"] == "Governing Law"
    assert manifest["counts"] == {"cuad": 1, "acord": 1, "contracts": 1}
    assert manifest["files"][bp.CLAUSES_FILE] == bp.sha256_file(out / bp.CLAUSES_FILE)
    assert "CC BY 4.0" in manifest["sources"]["cuad"]["licence"]
    assert bank.vectors.shape == (2, 384)


def test_a_bank_without_its_contracts_says_comparisons_need_a_rebuild(tmp_path, embedder, capsys):
    directory = write_bank(tmp_path / "precedents", embedder)
    bank = PrecedentBank.load(directory, embedder=embedder, reranker=None)
    assert bank.market.contracts == []
    assert "no contracts.jsonl.gz" in capsys.readouterr().err
