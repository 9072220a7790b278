"""Recommendation synthesis: actions per finding and the reconciliation of related findings."""

from __future__ import annotations

import pytest
from legal_orch_agents.recommendation import AGENT, synthesize
from legal_orch_agents.recommendation.synthesis import cases

from legal_orch.domain import Finding
from legal_orch.playbook import load_playbook


def _f(rule_id: str, status: str, severity: str = "medium", confidence: float = 0.9) -> Finding:
    return Finding(
        rule_id=rule_id,
        title=rule_id,
        severity=severity,
        status=status,
        explanation=f"{rule_id} is {status}.",
        confidence=confidence,
    )


@pytest.fixture(scope="module")
def commercial():
    return load_playbook("commercial")


@pytest.fixture(scope="module")
def nda():
    return load_playbook("nda")


@pytest.mark.parametrize(
    ("rule_id", "status", "severity", "confidence", "action"),
    [
        ("governing-law", "compliant", "info", 0.9, "accept"),
        ("insurance", "missing", "medium", 0.7, "add"),
        ("anti-assignment", "deviation", "medium", 0.9, "negotiate"),
        ("non-compete", "deviation", "high", 0.9, "delete"),  # an avoid rule, high severity
        ("auto-renewal-notice", "needs_review", "medium", 0.5, "escalate"),
        ("liability-cap", "missing", "high", 0.3, "escalate"),  # high and unsure
        ("exclusivity", "missing", "info", 0.7, "accept"),  # nothing to add
    ],
)
def test_action_per_finding(commercial, rule_id, status, severity, confidence, action):
    (out,) = synthesize([_f(rule_id, status, severity, confidence)], commercial, None)
    rec = out.recommendation
    assert rec is not None and rec.action == action
    assert rec.rationale
    if action in ("add", "negotiate"):
        assert rec.fallback_language == commercial.rule(rule_id).fallback.strip()
    if action == "accept":
        assert rec.fallback_language is None


def test_cap_with_ip_carve_out_is_one_recommendation(commercial):
    findings = [
        _f("liability-cap", "compliant", "info"),
        _f("uncapped-liability", "deviation", "high"),
        _f("governing-law", "compliant", "info"),
    ]
    cap, carve, law = synthesize(findings, commercial, None)
    assert cap.recommendation.action == carve.recommendation.action == "negotiate"
    assert "Reconciled with uncapped-liability" in cap.recommendation.rationale
    assert "Reconciled with liability-cap" in carve.recommendation.rationale
    assert "super-cap" in cap.recommendation.rationale
    assert "Excluded Claims" in cap.recommendation.fallback_language
    assert law.recommendation.action == "accept"  # untouched by the case


def test_no_cap_with_unlimited_liability_escalates(commercial):
    out = synthesize(
        [_f("liability-cap", "missing", "high"), _f("uncapped-liability", "deviation", "high")],
        commercial,
        None,
    )
    assert {f.recommendation.action for f in out} == {"escalate"}


def test_cases_do_not_fire_on_other_statuses(commercial):
    out = synthesize(
        [_f("liability-cap", "compliant", "info"), _f("uncapped-liability", "compliant", "info")],
        commercial,
        None,
    )
    assert {f.recommendation.action for f in out} == {"accept"}
    assert not any("Reconciled" in f.recommendation.rationale for f in out)


@pytest.mark.parametrize(
    ("findings", "action"),
    [
        ([("anti-assignment", "compliant"), ("change-of-control", "deviation")], "negotiate"),
        (
            [("auto-renewal-notice", "deviation"), ("termination-for-convenience", "missing")],
            {"negotiate", "add"},  # missing member: add,
        ),
        (
            [("termination-for-convenience", "compliant"), ("liquidated-damages", "deviation")],
            "negotiate",
        ),
        ([("exclusivity", "deviation"), ("non-compete", "deviation")], "negotiate"),
    ],
)
def test_commercial_reconciliations(commercial, findings, action):
    out = synthesize([_f(r, s) for r, s in findings], commercial, None)
    assert {f.recommendation.action for f in out} == (
        action if isinstance(action, set) else {action}
    )
    assert all("Reconciled with" in f.recommendation.rationale for f in out)


def test_nda_return_but_retain(nda):
    out = synthesize(
        [_f("nda-return-or-destroy", "compliant", "info"), _f("nda-retention", "deviation", "low")],
        nda,
        None,
    )
    assert [f.recommendation.action for f in out] == ["negotiate", "negotiate"]
    assert "back-ups" in out[0].recommendation.fallback_language


def test_every_case_names_rules_of_a_shipped_playbook(commercial, nda):
    ids = {r.id for r in commercial.rules} | {r.id for r in nda.rules}
    for case in cases():
        assert set(case.when) <= ids, case.id


def test_unknown_rule_still_gets_a_recommendation(commercial):
    (out,) = synthesize([_f("firm-specific", "deviation")], commercial, None)
    assert out.recommendation.action == "negotiate" and out.recommendation.fallback_language is None


def test_agent_declaration():
    assert AGENT.capability == "synthesize" and AGENT.run is synthesize
