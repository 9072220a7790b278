"""The confidence cascade: an unsure offline finding is asked once more of the model tier."""

from __future__ import annotations

import re

from langgraph.checkpoint.memory import InMemorySaver

from legal_orch.graph.checkpoint import serializer
from legal_orch.review import Reviewer
from legal_orch.settings import Settings
from tests.agents.test_llm_hostile import write_docx
from tests.fake_llm import RecordingServer, shared_store
from tests.test_llm_providers import PARAGRAPHS, _quote_first_passage, playbook  # noqa: F401

__all__ = ["playbook"]


def _review(tmp_path, embedder, playbook, contract, **kw):
    r = Reviewer(
        Settings(data_dir=tmp_path, learn=False, **kw),
        playbook=playbook,  # the shipped registry and dev scorecard: every rule goes offline
        embedder=embedder,
        store=shared_store(embedder),
        checkpointer=InMemorySaver(serde=serializer()),
    )
    return r.review(contract, fresh=True)


def test_unsure_offline_findings_go_to_the_model_once(tmp_path, embedder, playbook):
    contract = write_docx(PARAGRAPHS, tmp_path / "supply.docx")
    offline = _review(tmp_path, embedder, playbook, contract)
    assert {f.agent for f in offline.findings} == {"risk_analysis"}
    bar = sorted(f.confidence for f in offline.findings)[-1]  # all but the surest
    unsure = {f.title for f in offline.findings if f.confidence < bar or f.status == "needs_review"}
    assert 0 < len(unsure) < len(offline.findings)
    with RecordingServer(_quote_first_passage) as srv:
        kw = dict(llm_base_url=srv.url, llm_model="gpt-4o-mini", llm_cache=False)
        _review(tmp_path, embedder, playbook, contract, **kw)  # the cascade is off by default
        assert srv.requests == []
        out = _review(tmp_path, embedder, playbook, contract, cascade_below=bar, **kw)
    asked = [
        re.search(r"Playbook rule: (.+)", b["messages"][-1]["content"]).group(1)
        for b in srv.requests
    ]
    assert sorted(asked) == sorted(unsure)  # each unsure rule once, the sure one never
    # Each unsure rule now carries the model's view (its own finding, or a note on the offline one).
    seen = {
        f.title
        for f in out.findings
        if f.agent == "llm_risk" or any("language model" in n for n in f.notes)
    }
    assert seen == unsure
    assert out.validation.status != "incomplete"
