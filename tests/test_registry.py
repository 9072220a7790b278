"""The registry: plug-ins found through entry points, typed capabilities, replace vs add."""

from __future__ import annotations

import pytest

from legal_orch.capabilities import ExtractRun
from legal_orch.errors import LegalOrchError
from legal_orch.registry import AgentSpec, Registry, assemble, default_registry, runner
from legal_orch.router import choose
from tests.conftest import FIXTURES


def _risk(subtask, rule, clauses, doc, seg, ctx):
    raise NotImplementedError


@pytest.fixture
def firm_plugin(monkeypatch):
    """Install the firm's plug-in package (a real .dist-info entry point) on sys.path."""
    monkeypatch.syspath_prepend(str(FIXTURES / "plugin_risk"))
    yield
    import sys

    sys.modules.pop("firm_rules", None)


def test_a_plugin_package_adds_a_risk_agent_the_router_gives_its_rule(firm_plugin):
    reg = default_registry()
    spec = reg.get("firm_governing_law")
    assert spec.capability == "risk" and not spec.measured
    assert choose(reg, "risk", ["Governing Law"]).name == "firm_governing_law"
    assert choose(reg, "risk", ["Exclusivity"]).name == "risk_analysis"


def test_the_graph_uses_a_plugin_without_engine_changes(firm_plugin, tmp_path, sample_pdf):
    from langgraph.checkpoint.memory import InMemorySaver

    from legal_orch.graph.checkpoint import serializer
    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings
    from tests import graph_agents as ga

    # An unmeasured agent meets only a zero quality bar; at the default bar the measured shipped
    # agent keeps the rule until the firm measures its own on dev (eval review --scorecard).
    r = Reviewer(
        Settings(data_dir=tmp_path, quality_bar=0.0),
        playbook=ga.PLAYBOOK,
        checkpointer=InMemorySaver(serde=serializer()),
    )
    out = r.review(sample_pdf)
    by = {f.rule_id: f for f in out.findings}
    assert by["governing-law"].agent == "firm_governing_law"
    assert by["termination"].agent == "risk_analysis"


def test_a_run_with_the_wrong_signature_is_refused_at_registration():
    def bad(doc):
        return []

    with pytest.raises(LegalOrchError, match="bad_risk.*cannot take the 6 arguments of 'risk'"):
        Registry([AgentSpec(name="bad_risk", capability="risk", run=bad)])


def test_a_second_agent_of_one_name_must_declare_replaces():
    a = AgentSpec(name="risk_analysis", capability="risk", run=_risk)
    with pytest.raises(LegalOrchError, match="replaces='risk_analysis'"):
        assemble([a, AgentSpec(name="risk_analysis", capability="risk", run=_risk)])
    b = AgentSpec(name="risk_analysis", capability="risk", run=_risk, replaces="risk_analysis")
    assert assemble([b, a]).get("risk_analysis") is b


def test_replaces_removes_the_shipped_agent():
    shipped = AgentSpec(name="clause_extraction", capability="risk", run=_risk)
    firm = AgentSpec(name="firm_risk", capability="risk", run=_risk, replaces="clause_extraction")
    reg = assemble([firm, shipped])
    assert [s.name for s in reg.all()] == ["firm_risk"]
    with pytest.raises(LegalOrchError, match="not installed"):
        assemble([AgentSpec(name="x", capability="risk", run=_risk, replaces="nope")])


def test_unmeasured_is_not_perfect():
    unmeasured = AgentSpec(name="u", capability="risk", run=_risk)
    measured = AgentSpec(name="m", capability="risk", run=_risk, cost_tier=1, quality={"*": 0.7})
    assert unmeasured.quality_for(["Exclusivity"]) is None
    assert choose(Registry([unmeasured, measured]), "risk", quality_bar=0.5).name == "m"
    assert choose(Registry([unmeasured, measured]), "risk", quality_bar=0.0).name == "u"


def test_training_targets_are_found_through_the_registry():
    reg = default_registry()
    assert reg.trainer("extract")[0].name == "clause_extraction"
    assert reg.trainer("rerank")[0].name == "precedent_research"
    assert reg.trainer("nli")[0].name == "risk_analysis"
    with pytest.raises(LegalOrchError, match="nothing trains 'nope'"):
        reg.trainer("nope")


def test_runner_serves_an_agent_only_as_its_own_capability():
    def extract(doc, seg, ctx):
        return []

    spec = AgentSpec(name="x", capability="extract", run=extract)
    assert runner(spec, "extract") is extract
    assert runner(spec, ExtractRun) is extract  # the protocol class, as older callers pass it
    with pytest.raises(LegalOrchError, match="offers 'extract', not 'risk'"):
        runner(spec, "risk")
