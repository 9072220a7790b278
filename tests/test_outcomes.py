"""The router learns: outcomes logged in the data dir refit its per-rule quality."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from legal_orch.decisions import DecisionStore
from legal_orch.outcomes import (
    OutcomeStore,
    Tally,
    decision_says_wrong,
    learned_registry,
    posterior,
    refit,
)
from legal_orch.playbook import load_playbook
from legal_orch.registry import Registry, default_registry
from legal_orch.review import Reviewer
from legal_orch.router import plan_subtasks
from legal_orch.settings import Settings


def _registry() -> Registry:
    # The shipped agents and dev scorecard; the LLM agents unmeasured, as shipped.
    return default_registry()


def test_the_prior_counts_as_prior_weight_outcomes():
    assert posterior(0.8, Tally(), 20) == pytest.approx(0.8)
    assert posterior(0.8, Tally(wrong=5), 20) == pytest.approx(16 / 25)
    assert posterior(0.8, Tally(right=80), 20) == pytest.approx(96 / 100)
    assert posterior(None, Tally(right=6), 20) == pytest.approx(7 / 8)  # an even prior


def test_an_unmeasured_agent_needs_enough_outcomes():
    reg = _registry()
    few = refit(reg, {("llm_risk", "liability-cap"): Tally(right=4)}, min_outcomes=5)
    enough = refit(reg, {("llm_risk", "liability-cap"): Tally(right=5)}, min_outcomes=5)
    assert few == {}
    assert enough == {"llm_risk": {"rule:liability-cap": pytest.approx(6 / 7, abs=1e-4)}}


@pytest.mark.parametrize(
    ("decision", "edited", "wrong"),
    [
        ("accept", None, False),
        ("reject", None, True),
        ("edit", {"explanation": "Clearer words."}, False),
        ("edit", {"severity": "low"}, True),
        ("edit", {"severity": "high"}, False),  # the same severity again: the verdict stood
    ],
)
def test_what_a_lawyer_s_decision_says(decision, edited, wrong):
    assert decision_says_wrong(decision, edited, {"severity": "high"}) is wrong


def test_decisions_move_the_router_to_the_tier_that_earned_it(tmp_path):
    settings = Settings(data_dir=tmp_path)
    book = load_playbook("commercial")
    before = plan_subtasks(book, _registry(), quality_bar=0.7, llm=True)
    assert before["liability-cap"].agent == "risk_analysis"
    store = DecisionStore.from_settings(settings)
    for i in range(12):  # lawyers reject the offline agent's cap findings and accept the model's
        doc = f"{i:064x}"
        store.record(
            doc, "liability-cap", "reject", "A. Lawyer", finding={"agent": "risk_analysis"}
        )
        store.record(
            f"{i + 100:064x}", "liability-cap", "accept", "A. Lawyer", finding={"agent": "llm_risk"}
        )
    learned = learned_registry(_registry(), settings)
    assert learned.get("risk_analysis").quality["rule:liability-cap"] < 0.7
    after = plan_subtasks(book, learned, quality_bar=0.7, llm=True)
    assert after["liability-cap"].agent == "llm_risk"
    # Every other rule keeps its dev figure and its offline agent.
    assert all(after[r].agent == before[r].agent for r in after if r != "liability-cap")
    offline = plan_subtasks(book, learned, quality_bar=0.7, llm=False)
    assert offline["liability-cap"].agent == "risk_analysis"  # no model: the rule is still answered


def test_a_review_logs_its_outcomes_and_a_rereview_replaces_them(sample_pdf, tmp_path, embedder):
    settings = Settings(data_dir=tmp_path)
    reviewer = Reviewer(settings, playbook="commercial", embedder=embedder)
    report = reviewer.review(sample_pdf)
    reviewer.review(sample_pdf, fresh=True)
    with sqlite3.connect(settings.outcomes_path()) as db:
        rows = db.execute("SELECT rule_id, agent, source, passed FROM outcomes").fetchall()
    failed = {s for c in report.validation.checks if c.status == "failed" for s in c.subtask_ids}
    assert sorted(rows) == sorted(
        (f.rule_id, f.agent, "validation", int(f.rule_id not in failed)) for f in report.findings
    )
    # A validation failure counts against the agent; a pass is no evidence it was right.
    tallies = OutcomeStore.from_settings(settings).tallies()
    assert all(t.right == 0 for t in tallies.values())
    assert sum(t.wrong for t in tallies.values()) == len([r for r in rows if not r[3]])


def test_learning_can_be_turned_off(sample_pdf, tmp_path, embedder):
    settings = Settings(data_dir=tmp_path, learn=False)
    DecisionStore.from_settings(settings).record(
        "0" * 64, "liability-cap", "reject", "A. Lawyer", finding={"agent": "risk_analysis"}
    )
    reviewer = Reviewer(settings, playbook="commercial", embedder=embedder)
    shipped = _registry().get("risk_analysis").quality
    assert reviewer.registry.get("risk_analysis").quality == shipped
    reviewer.review(sample_pdf)
    assert not settings.outcomes_path().exists()


def test_a_registry_given_by_the_caller_is_used_as_given(tmp_path, embedder):
    reg = Registry(replace(s, quality={}) for s in _registry().all())
    reviewer = Reviewer(Settings(data_dir=tmp_path), registry=reg, embedder=embedder)
    assert reviewer.registry is reg
