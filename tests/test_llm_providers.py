"""The LLM tier over real HTTP: an OpenAI-compatible server of our own on 127.0.0.1 records what
leaves the machine, hangs, fails, and reports token usage. LangChain's ChatOpenAI is real.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel

from legal_orch import costs
from legal_orch.errors import LegalOrchError
from legal_orch.graph.checkpoint import serializer
from legal_orch.llm import LLM, LLMError, make_chat_model
from legal_orch.playbook import Playbook, load_playbook
from legal_orch.review import Reviewer
from legal_orch.settings import Settings
from tests.agents.test_llm_hostile import write_docx
from tests.fake_llm import RecordingServer, llm_first_registry, passages_of, shared_store

PARAGRAPHS = [
    "SUPPLY AGREEMENT",
    'This Supply Agreement is entered into on March 1, 2024 between Northwind Components Ltd. ("Supplier") and Harbor Retail Group, Inc. ("Customer").',
    "1. Payment. Harbor Retail Group, Inc. shall pay each invoice within thirty (30) days to account number 4455 6677 8899.",
    "2. Limitation of Liability. The aggregate liability of Northwind Components Ltd. under this Agreement shall not exceed USD 2,500,000 in any contract year.",
    "3. Governing Law. This Agreement shall be governed by the laws of the State of Delaware.",
    "4. Notices. Notices to Northwind Components Ltd. go to legal@northwind.example, Attn: Margaret Ellis.",
    "By: Margaret Ellis, Director. By: Daniel Okafor, General Counsel.",
]
SECRETS = [
    "Northwind",
    "Harbor Retail",
    "legal@northwind.example",
    "4455 6677 8899",
    "2,500,000",
    "Margaret Ellis",
    "Daniel Okafor",
]


class Answer(BaseModel):
    word: str


MASKED = re.compile(r"\b(PARTY|PERSON|EMAIL|ACCOUNT|AMOUNT)_[A-Z]+\d*")


def _quote_first_passage(body: dict) -> dict:
    """Quote the start of a passage, one with a placeholder in it where there is one."""
    found = sorted(passages_of(body), key=lambda p: not MASKED.search(" ".join(p.split()[:14])))
    if not found:
        return {
            "status": "missing",
            "severity": "medium",
            "explanation": "None.",
            "quotes": [],
            "confidence": 50,
        }
    words = found[0].split()[:14]
    return {
        "status": "deviation",
        "severity": "high",
        "explanation": f"The clause reads: {' '.join(words)}",
        "quotes": [" ".join(words)],
        "confidence": 70,
    }


@pytest.fixture(scope="module")
def store(embedder):
    return shared_store(embedder)


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    book = load_playbook("commercial")
    keep = ("liability-cap", "uncapped-liability", "governing-law")
    return Playbook(name="llm-test", rules=[r for r in book.rules if r.id in keep])


@pytest.fixture
def contract(tmp_path) -> Path:
    return write_docx(PARAGRAPHS, tmp_path / "supply.docx")


def _reviewer(store, embedder, playbook, **settings) -> Reviewer:
    # The LLM agent is made the router's first choice for every rule, as if measured best.
    return Reviewer(
        Settings(**{"quality_bar": 0.99, "max_reroutes": 0, **settings}),
        playbook=playbook,
        registry=llm_first_registry(),
        embedder=embedder,
        store=store,
        checkpointer=InMemorySaver(serde=serializer()),
    )


def _llm(server: RecordingServer, tmp_path, **kw) -> LLM:
    s = Settings(llm_base_url=server.url, llm_model="gpt-4o-mini", data_dir=tmp_path, **kw)
    llm = make_chat_model(s)
    assert llm is not None
    return llm


def test_offline_by_default_and_built_lazily(tmp_path):
    assert make_chat_model(Settings(data_dir=tmp_path)) is None
    llm = make_chat_model(Settings(llm_provider="anthropic", llm_model="claude-x"))
    assert llm is not None and llm._chat is None  # nothing built, nothing sent
    with pytest.raises(LegalOrchError, match="langchain"):
        llm.chat_model()  # its LangChain package is not installed here: said plainly, on use
    missing = make_chat_model(Settings(llm_provider="local", llm_model=str(tmp_path / "no.gguf")))
    with pytest.raises(LegalOrchError, match="no such GGUF"):
        missing.chat_model()


def test_retries_until_the_server_answers(tmp_path):
    with RecordingServer(lambda b: {"word": "yes"}, fail_first=2) as srv:
        out = _llm(srv, tmp_path, llm_retries=2, llm_cache=False).structured(
            Answer, [("human", "Say yes.")]
        )
    assert out.word == "yes" and len(srv.requests) == 3


def test_retries_are_bounded(tmp_path):
    with RecordingServer(lambda b: {"word": "yes"}, fail_first=10) as srv:
        llm = _llm(srv, tmp_path, llm_retries=1, llm_cache=False)
        with pytest.raises(LLMError, match="after 2 tries"):
            llm.structured(Answer, [("human", "Say yes.")])
    assert len(srv.requests) == 2


def test_a_server_that_never_answers_times_out(tmp_path):
    with RecordingServer(hang=True) as srv:
        llm = _llm(srv, tmp_path, llm_timeout=1.0, llm_retries=1, llm_cache=False)
        t0 = time.monotonic()
        with pytest.raises(LLMError, match="did not answer within 1 s after 2 tries"):
            llm.structured(Answer, [("human", "Say yes.")])
        assert time.monotonic() - t0 < 10
    assert len(srv.requests) == 2


def test_identical_calls_are_answered_from_the_cache(tmp_path):
    with RecordingServer(lambda b: {"word": "yes"}, tokens=(1000, 100)) as srv:
        llm = _llm(srv, tmp_path)
        with costs.meter("analyze_risk") as m:
            costs.attribute("llm_risk")
            first = llm.structured(Answer, [("human", "Say yes.")])
            again = _llm(srv, tmp_path).structured(Answer, [("human", "Say yes.")])
    assert first == again and len(srv.requests) == 1
    (e,) = [e for e in m.entries.values() if e.model]
    assert (e.calls, e.cached_calls, e.tokens_in, e.tokens_out) == (2, 1, 1000, 100)
    assert e.money == pytest.approx((1000 * 0.15 + 100 * 0.60) / 1e6)  # corpora/prices.yaml


def test_review_with_a_hung_server_ends_incomplete(store, embedder, playbook, contract, tmp_path):
    with RecordingServer(hang=True) as srv:
        r = _reviewer(
            store,
            embedder,
            playbook,
            data_dir=tmp_path,
            llm_base_url=srv.url,
            llm_model="gpt-4o-mini",
            llm_timeout=1.0,
            llm_retries=1,
            max_reroutes=2,
        )
        t0 = time.monotonic()
        out = r.review(contract)
        assert time.monotonic() - t0 < 60
    # Re-routes fail fast on a model that stopped answering instead of waiting on it again.
    assert 0 < len(srv.requests) <= 2 * len(playbook.rules)
    assert out.validation.status == "incomplete"
    assert {f.stage for f in out.failures} == {"risk"}
    assert all("did not answer within" in f.error for f in out.failures)
    assert not out.findings  # never reads as "no risks found"


def test_no_party_name_leaves_the_machine(store, embedder, playbook, contract, tmp_path):
    with RecordingServer(_quote_first_passage) as srv:
        r = _reviewer(
            store,
            embedder,
            playbook,
            data_dir=tmp_path,
            llm_base_url=srv.url,
            llm_model="gpt-4o-mini",
        )
        out = r.review(contract)
    sent = srv.sent_text()
    assert srv.requests and "PARTY_A" in sent
    assert [s for s in SECRETS if s in sent] == []
    # Quotes the model gave with placeholders are restored, then found in the contract.
    by_title = {f.title: f for f in out.findings}
    restored = 0
    for body in srv.requests:
        quotes = _quote_first_passage(body)["quotes"]
        if quotes and MASKED.search(quotes[0]):
            title = re.search(r"Playbook rule: (.+)", body["messages"][-1]["content"]).group(1)
            cites = by_title[title].citations
            assert cites and all(not MASKED.search(c.quote) for c in cites), title
            restored += 1
    assert restored
    assert all("PARTY_" not in f.explanation for f in out.findings)


def test_pseudonymisation_can_be_turned_off(store, embedder, playbook, contract, tmp_path):
    with RecordingServer(_quote_first_passage) as srv:
        _reviewer(
            store,
            embedder,
            playbook,
            data_dir=tmp_path,
            llm_base_url=srv.url,
            llm_model="gpt-4o-mini",
            llm_pseudonymize=False,
        ).review(contract)
    assert "Northwind" in srv.sent_text()


def test_costs_are_reported_cached_and_bounded_by_the_budget(
    store, embedder, playbook, contract, tmp_path
):
    with RecordingServer(_quote_first_passage, tokens=(1200, 150)) as srv:
        kw = dict(data_dir=tmp_path, llm_base_url=srv.url, llm_model="gpt-4o-mini")
        first = _reviewer(store, embedder, playbook, **kw).review(contract)
        sent = len(srv.requests)
        again = _reviewer(store, embedder, playbook, **kw).review(contract, fresh=True)
        assert len(srv.requests) == sent  # a re-review is answered from the cache
        poor = _reviewer(store, embedder, playbook, budget=0.0001, **kw)
        capped = poor.review(contract, fresh=True)
        assert len(srv.requests) == sent  # the budget cannot pay for a call: none is sent

    llm = [e for e in first.costs if e.model]
    assert sent == len(playbook.rules) == sum(e.calls for e in llm)
    assert all(e.stage == "analyze_risk" and e.agent == "llm_risk" for e in llm)
    assert sum(e.tokens_in for e in llm) == 1200 * sent
    assert sum(e.money for e in llm) == pytest.approx(sent * (1200 * 0.15 + 150 * 0.60) / 1e6)
    assert any(e.cpu_seconds > 0 and e.agent == "clause_extraction" for e in first.costs)
    again_llm = [e for e in again.costs if e.model]
    assert sum(e.cached_calls for e in again_llm) == sent and sum(e.money for e in again_llm) == 0
    assert not any(e.model for e in capped.costs)
    assert capped.findings and all(f.agent != "llm_risk" for f in capped.findings)
