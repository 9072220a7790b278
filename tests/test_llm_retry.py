"""One retry layer for model calls, counted at a recording server on 127.0.0.1.

Provider clients are built without retries of their own, the graph's RetryPolicy leaves model
errors alone, and the model's tries are one budget shared by every caller: a review whose model
server fails every call sends `llm_retries + 1` requests in all, whatever the number of rules
fanned out in parallel and re-routes allowed.
"""

from __future__ import annotations

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from legal_orch.graph.checkpoint import serializer
from legal_orch.graph.retry import is_transient
from legal_orch.llm import LLMError, make_chat_model
from legal_orch.review import Reviewer
from legal_orch.settings import Settings
from tests.agents.test_llm_hostile import write_docx
from tests.fake_llm import RecordingServer, llm_first_registry, shared_store
from tests.test_llm_providers import PARAGRAPHS, Answer, playbook  # noqa: F401 - a fixture

__all__ = ["playbook"]


@pytest.fixture(scope="module")
def store(embedder):
    return shared_store(embedder)


def _review(srv, store, embedder, playbook, tmp_path, **kw):
    settings = Settings(
        data_dir=tmp_path,
        llm_base_url=srv.url,
        llm_model="gpt-4o-mini",
        llm_cache=False,
        quality_bar=0.99,  # the LLM agent is the router's first choice for every rule
        **kw,
    )
    reviewer = Reviewer(
        settings,
        playbook=playbook,
        registry=llm_first_registry(),
        embedder=embedder,
        store=store,
        checkpointer=InMemorySaver(serde=serializer()),
    )
    return reviewer.review(write_docx(PARAGRAPHS, tmp_path / "supply.docx"))


@pytest.mark.parametrize("retries", [0, 2])
def test_a_failing_model_gets_one_budget_of_tries_per_review(
    store, embedder, playbook, tmp_path, retries
):
    with RecordingServer(lambda b: {}, fail_first=1000) as srv:
        out = _review(srv, store, embedder, playbook, tmp_path, llm_retries=retries, max_reroutes=2)
    # Three rules fan out in parallel and may be re-routed twice each: before, each rule's
    # subtask spent its own tries (6 to 9 requests here with 2 retries); now the tries are shared.
    assert len(playbook.rules) == 3
    assert len(srv.requests) == retries + 1
    assert out.validation.status == "incomplete" and not out.findings
    assert {f.stage for f in out.failures} == {"risk"}
    assert all("did not answer" in f.error for f in out.failures)


def test_a_success_renews_the_budget(tmp_path):
    with RecordingServer(lambda b: {"word": "yes"}, fail_first=1) as srv:
        s = Settings(llm_base_url=srv.url, llm_model="m", data_dir=tmp_path, llm_cache=False)
        llm = make_chat_model(s.model_copy(update={"llm_retries": 1}))
        assert llm is not None
        assert llm.structured(Answer, [("human", "Say yes.")]).word == "yes"
        assert llm.structured(Answer, [("human", "Say yes again.")]).word == "yes"
    assert len(srv.requests) == 3  # one failure, its retry, then a first-time success


def test_the_graph_never_retries_a_model_error():
    # The graph's RetryPolicy would multiply the model's own tries by its attempts.
    assert not is_transient(LLMError("the model did not answer: no answer within 1 s"))
