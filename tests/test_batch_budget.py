"""A batch says what it will cost before it starts, and its `--budget` is never exceeded."""

from __future__ import annotations

import csv

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from pypdf import PdfReader
from typer.testing import CliRunner

from legal_orch.batch.estimate import CPU_SECONDS_PER_PAGE, estimate
from legal_orch.cli import app
from legal_orch.costs import Ledger
from legal_orch.graph.checkpoint import serializer
from legal_orch.llm import MAX_TOKENS, RESERVE_TOKENS_IN
from legal_orch.playbook import Playbook, load_playbook
from legal_orch.review import Reviewer
from legal_orch.settings import Settings
from tests.agents.test_llm_hostile import write_docx
from tests.conftest import FIXTURES
from tests.fake_llm import RecordingServer, llm_first_registry, shared_store
from tests.test_llm_providers import PARAGRAPHS, _quote_first_passage

PDFS = sorted(p for p in (FIXTURES / "cuad").glob("*") if p.suffix.lower() == ".pdf")
PRICE_IN, PRICE_OUT = 0.15, 0.60  # gpt-4o-mini in corpora/prices.yaml, per million tokens


def test_the_ledger_refuses_what_would_pass_the_budget(tmp_path):
    ledger = Ledger(tmp_path / "b.sqlite", total=1.0)
    assert ledger.reserve("a", 0.6) and not ledger.reserve("b", 0.5)
    assert ledger.reserve("b", 0.4) and ledger.left() == 0
    ledger.settle("a", 0.1)  # a review spent less than it reserved: the rest returns
    again = Ledger(tmp_path / "b.sqlite")  # another process opening the same batch's ledger
    assert again.left() == pytest.approx(0.5) and again.spent() == pytest.approx(0.5)


def test_the_estimate_counts_pages_and_planned_model_calls(tmp_path):
    pages = sum(len(PdfReader(p).pages) for p in PDFS)
    offline = estimate(PDFS, Settings(data_dir=tmp_path))
    assert (offline.contracts, offline.pages, offline.model_calls) == (len(PDFS), pages, 0)
    assert offline.cpu_seconds == pytest.approx(pages * CPU_SECONDS_PER_PAGE, abs=0.1)
    assert "no language model is used" in offline.line()
    s = Settings(
        data_dir=tmp_path,
        llm_base_url="http://127.0.0.1:9/v1",
        llm_model="gpt-4o-mini",
        quality_bar=0.99,
    )
    book = load_playbook("commercial")
    est = estimate(PDFS, s, registry=llm_first_registry(), budget=0.01)
    assert est.model_calls == len(book.rules) * len(PDFS)
    assert est.money == pytest.approx(est.model_calls * (1500 * PRICE_IN + 300 * PRICE_OUT) / 1e6)
    assert est.money_most > est.money
    line = est.line()
    assert "gpt-4o-mini" in line and f"{est.money:.4f} USD" in line and "budget 0.0100" in line


@pytest.fixture(scope="module")
def store(embedder):
    return shared_store(embedder)


def test_a_batch_budget_moves_later_contracts_to_the_offline_tier(store, embedder, tmp_path):
    book = load_playbook("commercial")
    playbook = Playbook(
        name="t", rules=[r for r in book.rules if r.id in ("liability-cap", "governing-law")]
    )
    per_call = (RESERVE_TOKENS_IN * PRICE_IN + MAX_TOKENS * PRICE_OUT) / 1e6
    # Enough for one contract's two calls at their reserved bound; what it spent is less, but
    # not so much less that a second contract's bound fits in what is left.
    ledger = Ledger(tmp_path / "budget.sqlite", total=2 * per_call)
    contracts = [
        write_docx(
            [*PARAGRAPHS, f"5. Term. This Agreement lasts {n} years."], tmp_path / f"c{n}.docx"
        )
        for n in (2, 3)
    ]
    with RecordingServer(_quote_first_passage, tokens=(1200, 150)) as srv:
        s = Settings(
            data_dir=tmp_path,
            llm_base_url=srv.url,
            llm_model="gpt-4o-mini",
            quality_bar=0.99,
            max_reroutes=0,
            budget_ledger=ledger.path,
            llm_cache=False,
        )
        r = Reviewer(
            s,
            playbook=playbook,
            registry=llm_first_registry(),
            embedder=embedder,
            store=store,
            checkpointer=InMemorySaver(serde=serializer()),
        )
        first = r.review(contracts[0])
        ledger.settle(first.document.sha256, sum(e.money for e in first.costs))
        second = r.review(contracts[1])
        ledger.settle(second.document.sha256, sum(e.money for e in second.costs))
    # What is left pays for one of the second contract's two calls; its other rule is judged
    # offline.
    assert sum(e.calls for e in first.costs if e.model) == 2
    assert sum(e.calls for e in second.costs if e.model) == 1 and len(srv.requests) == 3
    assert len(second.findings) == 2 and not second.failures
    assert ledger.spent() == pytest.approx(3 * (1200 * PRICE_IN + 150 * PRICE_OUT) / 1e6)
    assert ledger.spent() <= 2 * per_call


def test_a_review_budget_pays_for_what_it_can_and_never_more(store, embedder, tmp_path):
    book = load_playbook("commercial")
    keep = ("liability-cap", "uncapped-liability", "governing-law")
    playbook = Playbook(name="t", rules=[r for r in book.rules if r.id in keep])
    per_call = (RESERVE_TOKENS_IN * PRICE_IN + MAX_TOKENS * PRICE_OUT) / 1e6
    with RecordingServer(_quote_first_passage, tokens=(1200, 150)) as srv:
        s = Settings(
            data_dir=tmp_path,
            llm_base_url=srv.url,
            llm_model="gpt-4o-mini",
            quality_bar=0.99,
            max_reroutes=0,
            budget=2.5 * per_call,
            llm_cache=False,
        )
        r = Reviewer(
            s,
            playbook=playbook,
            registry=llm_first_registry(),
            embedder=embedder,
            store=store,
            checkpointer=InMemorySaver(serde=serializer()),
        )
        out = r.review(write_docx(PARAGRAPHS, tmp_path / "c.docx"))
    assert len(srv.requests) == 2  # two of the three rules; the third is judged offline
    assert len(out.findings) == 3 and not out.failures
    assert sum(e.money for e in out.costs) <= 2.5 * per_call


def test_batch_prints_its_estimate_and_the_grid_has_a_cost_column(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    (room / "a.pdf").write_bytes(PDFS[0].read_bytes())
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["batch", str(room), "--out", str(out), "--budget", "0", "-q"])
    assert res.exit_code in (0, 5), res.output
    assert "estimate: about to review 1 contract(s)" in res.stderr
    assert "no language model is used" in res.stderr
    with (out / "summary.csv").open(encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert "seconds of computing on this machine; no language model used" in row["cost"]
    assert Ledger(out / ".budget.sqlite").left() == 0


def test_cost_in_plain_words():
    from legal_orch.costs import CostEntry
    from legal_orch.reports.report import cost_words

    offline = [CostEntry(stage="extract", agent="clause_extraction", cpu_seconds=1.26)]
    assert cost_words(offline) == "1.3 seconds of computing on this machine; no language model used"
    model = CostEntry(
        stage="analyze_risk",
        agent="llm_risk",
        model="m",
        calls=3,
        cached_calls=1,
        money=0.0042,
        unpriced_calls=0,
    )
    assert cost_words([*offline, model]) == (
        "0.0042 USD for 3 language-model question(s) (1 answered from earlier reviews at no "
        "cost); 1.3 seconds of computing on this machine"
    )
    unpriced = model.model_copy(update={"unpriced_calls": 2, "cached_calls": 0})
    assert "2 of them not priced" in cost_words([unpriced], "EUR")
    assert cost_words([unpriced], "EUR").startswith("0.0042 EUR")
