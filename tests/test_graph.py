"""The compiled review graph with an in-memory checkpointer, real parts, small test agents."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from legal_orch.errors import NotAPdfError
from legal_orch.graph.checkpoint import serializer
from legal_orch.ingest.pdf import parse_pdf
from legal_orch.registry import AgentSpec
from legal_orch.reports.report import ReviewReport
from legal_orch.review import Paused, Reviewer
from legal_orch.settings import Settings
from tests import graph_agents as ga


@pytest.fixture(scope="module")
def store(tmp_path_factory, embedder):
    from legal_orch.retrieval.store import Store

    return Store.from_settings(Settings(data_dir=tmp_path_factory.mktemp("store")), embedder)


def reviewer(store, embedder, *risk, **settings):
    return Reviewer(
        Settings(**settings),
        playbook=ga.PLAYBOOK,
        registry=ga.registry(*risk),
        embedder=embedder,
        store=store,
        checkpointer=InMemorySaver(serde=serializer()),
    )


def test_happy_path(store, embedder, sample_pdf):
    events = []
    out = reviewer(store, embedder).review(sample_pdf, on_progress=events.append)
    assert isinstance(out, ReviewReport)
    assert out.validation.status == "passed", out.validation.checks
    assert [f.rule_id for f in out.findings] == ["governing-law", "termination"]
    assert all(f.recommendation for f in out.findings)
    assert {
        "ingest",
        "segment",
        "index",
        "extract",
        "plan",
        "analyze_risk",
        "synthesize",
        "validate",
    } <= set(out.timings)
    stages = [e["stage"] for e in events if "stage" in e]
    assert (
        stages.index("ingest")
        < stages.index("extract")
        < stages.index("synthesize")
        < stages.index("validate")
    )
    assert (
        sum(1 for e in events if e.get("stage") == "analyze_risk") == 2
    )  # one per rule, fanned out


def test_failed_agent_makes_review_incomplete_not_clean(store, embedder, sample_pdf):
    bad = AgentSpec(name="broken_risk", capability="risk", run=ga.failing_judge)
    out = reviewer(store, embedder, bad, max_reroutes=1).review(sample_pdf)
    assert out.validation.status == "incomplete"
    assert {f.stage for f in out.failures} == {"risk"}
    assert not out.findings  # never reads as "no risks found"
    checks = {c.name: c for c in out.validation.checks}
    assert checks["agents"].status == "failed" and checks["coverage"].status == "failed"


def test_escalates_to_stronger_tier(store, embedder, sample_pdf):
    cheap = AgentSpec(name="cheap_risk", capability="risk", run=ga.failing_judge, cost_tier=0)
    strong = AgentSpec(name="strong_risk", capability="risk", run=ga.judge, cost_tier=2)
    out = reviewer(store, embedder, cheap, strong).review(sample_pdf)
    assert out.validation.status == "passed"
    assert {f.agent for f in out.findings} == {"strong_risk"}
    assert "reroute" in out.timings


def test_quality_bar_routes_past_weak_agent(store, embedder, sample_pdf):
    weak = AgentSpec(
        name="weak_risk", capability="risk", run=ga.failing_judge, cost_tier=0, quality={"*": 0.2}
    )
    good = AgentSpec(
        name="good_risk", capability="risk", run=ga.judge, cost_tier=1, quality={"*": 0.8}
    )
    out = reviewer(store, embedder, weak, good, quality_bar=0.5).review(sample_pdf)
    assert {f.agent for f in out.findings} == {"good_risk"} and out.validation.status == "passed"
    assert "reroute" not in out.timings


_regex_extract = ga.regex_extract


def _doubtful_extract(doc, seg, ctx=None, vectors=None):
    """The regex clauses, rated by the clause finder as less likely than not of their type."""
    return [c.model_copy(update={"confidence": 0.3}) for c in _regex_extract(doc, seg)]


def _always_missing(subtask, rule, clauses, doc, seg, ctx):
    """A risk agent that never reads the clauses it is given."""
    return ga.judge(subtask, rule, [], doc, seg, ctx)


def test_a_doubtful_clause_type_goes_to_a_lawyer_not_to_a_reroute(
    store, embedder, sample_pdf, monkeypatch
):
    monkeypatch.setattr(ga, "regex_extract", _doubtful_extract)
    strong = AgentSpec(name="strong_risk", capability="risk", run=ga.judge, cost_tier=2)
    out = reviewer(store, embedder, AgentSpec(name="r", capability="risk", run=ga.judge), strong)
    out = out.review(sample_pdf)
    by = {f.rule_id: f for f in out.findings}
    assert {f.status for f in by.values()} == {"needs_review"}
    assert all("30%" in f.notes[0] and f.recommendation.action == "escalate" for f in by.values())
    assert "reroute" not in out.timings  # every tier would get the same doubtful clauses
    assert out.validation.status == "passed"
    assert {c.name: c.status for c in out.validation.checks}["clause type"] == "failed"


def test_a_clause_called_absent_that_the_finder_lists_is_reread_by_a_stronger_tier(
    store, embedder, sample_pdf
):
    cheap = AgentSpec(name="blind_risk", capability="risk", run=_always_missing, cost_tier=0)
    strong = AgentSpec(name="strong_risk", capability="risk", run=ga.judge, cost_tier=2)
    out = reviewer(store, embedder, cheap, strong).review(sample_pdf)
    assert "reroute" in out.timings
    assert {f.agent for f in out.findings} == {"strong_risk"}
    assert {f.status for f in out.findings} == {"deviation"}
    assert out.validation.status == "passed"


def test_interrupt_and_resume_with_decision(store, embedder, sample_pdf):
    unsure = AgentSpec(name="unsure_risk", capability="risk", run=ga.unsure_judge)
    r = reviewer(store, embedder, unsure, interrupts=True)
    paused = r.review(sample_pdf)
    assert isinstance(paused, Paused)
    assert {f["rule_id"] for f in paused.question["findings"]} == {"governing-law", "termination"}
    # the question carries the cited clause, so the lawyer decides on the text itself
    doc = parse_pdf(sample_pdf)
    for f in paused.question["findings"]:
        assert f["citations"], f["rule_id"]
        for c in f["citations"]:
            assert doc.text[c["start"] : c["end"]] == c["quote"] and c["page"] >= 1
    decisions = {
        "governing-law": {"decision": "reject", "reviewer": "ann"},
        "termination": "accept",
    }
    out = r.review(sample_pdf, decisions=decisions)
    assert isinstance(out, ReviewReport)
    by = {f.rule_id: f for f in out.findings}
    assert by["governing-law"].status == "needs_review" and by["governing-law"].severity == "info"
    assert by["termination"].confidence == 1.0 and by["termination"].severity == "high"
    assert out.decisions["governing-law"]["reviewer"] == "ann"


def test_bad_input_raises_one_line(store, embedder, tmp_path):
    p = tmp_path / "memo.pdf"
    p.write_text("hello")
    with pytest.raises(NotAPdfError, match="memo.pdf: not a PDF"):
        reviewer(store, embedder).review(p)


CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from legal_orch.registry import AgentSpec
    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings
    from tests import graph_agents as ga
    slow = AgentSpec(name="slow_risk", capability="risk", run=ga.slow_judge)
    Reviewer(Settings(), playbook=ga.PLAYBOOK, registry=ga.registry(slow)).review({pdf!r})
""")


def test_resume_after_kill_9(tmp_path, embedder, sample_pdf):
    """A review killed mid-graph resumes from its last completed step when run again."""
    env = {**os.environ, "LEGAL_ORCH_DATA_DIR": str(tmp_path)}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(root=root, pdf=str(sample_pdf))],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.time() + 120
    line = ""
    while time.time() < deadline and "ANALYZING" not in line:
        line = child.stdout.readline()
        if not line and child.poll() is not None:
            break
    assert "ANALYZING" in line, "the child never reached risk analysis"
    child.send_signal(signal.SIGKILL)
    child.wait()

    from legal_orch.retrieval.store import Store

    settings = Settings(data_dir=tmp_path)
    events = []
    r = Reviewer(
        settings,
        playbook=ga.PLAYBOOK,
        registry=ga.registry(),
        embedder=embedder,
        store=Store.from_settings(settings, embedder),
    )
    out = r.review(sample_pdf, on_progress=events.append)
    stages = [e["stage"] for e in events if "stage" in e]
    assert "ingest" not in stages and "extract" not in stages  # done before the kill
    assert "analyze_risk" in stages and out.validation.status == "passed"


def test_escalates_to_llm_tier_when_a_provider_is_configured(
    store, embedder, sample_pdf, sample_doc, sample_seg
):
    from legal_orch_agents.llm_risk import AGENT as LLM_RISK

    from tests.fake_llm import scripted, tool_answer

    snippets = [" ".join(c.text.split()[:4]) for c in ga.regex_extract(sample_doc, sample_seg)]
    answer = {
        "status": "deviation",
        "severity": "medium",
        "explanation": "Checked by the model.",
        "quotes": snippets,
        "confidence": 70,  # percent
    }
    llm = scripted(*[tool_answer("Judgement", answer) for _ in range(2)])
    cheap = AgentSpec(name="cheap_risk", capability="risk", run=ga.failing_judge, cost_tier=0)
    r = Reviewer(
        Settings(),
        playbook=ga.PLAYBOOK,
        registry=ga.registry(cheap, LLM_RISK),
        embedder=embedder,
        store=store,
        llm=llm,
        checkpointer=InMemorySaver(serde=serializer()),
    )
    out = r.review(sample_pdf)
    assert {f.agent for f in out.findings} == {"llm_risk"}
    assert out.validation.status == "passed", out.validation.checks
    assert all(len(f.citations) == 1 for f in out.findings)


# --- transient failures go to the graph's RetryPolicy; the last failure is recorded ---


class Flaky:
    """A risk agent that raises `exc` on its first `fails` calls per rule, then judges."""

    def __init__(self, exc: Exception, fails: int):
        self.exc, self.fails = exc, fails
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, subtask, rule, clauses, doc, seg, ctx):
        with self.lock:
            self.calls[rule.id] += 1
            n = self.calls[rule.id]
        if n <= self.fails:
            raise self.exc
        return ga.judge(subtask, rule, clauses, doc, seg, ctx)


def test_a_transient_error_is_retried_by_the_graph_not_recorded(store, embedder, sample_pdf):
    flaky = Flaky(TimeoutError("provider timed out"), fails=1)
    spec = AgentSpec(name="flaky_risk", capability="risk", run=flaky)
    out = reviewer(store, embedder, spec, max_reroutes=0).review(sample_pdf)
    assert out.validation.status == "passed" and not out.failures
    assert flaky.calls == {"governing-law": 2, "termination": 2}  # retried in place
    assert "reroute" not in out.timings


def test_a_lasting_transient_error_is_recorded_after_the_last_attempt(store, embedder, sample_pdf):
    from legal_orch.graph.retry import RETRY

    flaky = Flaky(TimeoutError("provider timed out"), fails=99)
    spec = AgentSpec(name="down_risk", capability="risk", run=flaky)
    out = reviewer(store, embedder, spec, max_reroutes=0).review(sample_pdf)
    assert out.validation.status == "incomplete"
    assert set(flaky.calls.values()) == {RETRY.max_attempts}
    assert {(f.agent, f.error) for f in out.failures} == {
        ("down_risk", "TimeoutError: provider timed out")
    }


def test_an_error_no_retry_mends_is_recorded_at_once(store, embedder, sample_pdf):
    broken = Flaky(KeyError("no such clause"), fails=99)
    spec = AgentSpec(name="buggy_risk", capability="risk", run=broken)
    out = reviewer(store, embedder, spec, max_reroutes=0).review(sample_pdf)
    assert out.validation.status == "incomplete"
    assert flaky_calls_each(broken) == 1


def flaky_calls_each(agent: Flaky) -> int:
    (n,) = set(agent.calls.values())
    return n
