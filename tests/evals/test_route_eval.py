"""`eval route`: the policies replayed from per-tier answers, and a real run over HTTP."""

from __future__ import annotations

import json

import pytest
from legal_orch_evals.route import ContractRun, RuleRun, replay, run

from legal_orch.llm import make_chat_model
from legal_orch.playbook import Playbook, load_playbook
from legal_orch.registry import default_registry
from legal_orch.settings import Settings
from tests.conftest import FIXTURES
from tests.fake_llm import RecordingServer, passages_of, shared_store

TIERS = ["risk_analysis", "llm_risk"]


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    book = load_playbook("commercial")
    return Playbook(
        name="t", rules=[r for r in book.rules if r.id in ("liability-cap", "audit-rights")]
    )


def _run(i: int, cap_offline_right: bool) -> ContractRun:
    """The offline tier sure and right on audit rights; on the cap, unsure and as told."""
    gold = i % 2 == 0
    off = {
        "audit-rights": RuleRun("compliant", gold, 0.9, gold, cpu=0.1),
        "liability-cap": RuleRun("deviation", gold == cap_offline_right, 0.4, gold, cpu=0.2),
    }
    llm = {
        "audit-rights": RuleRun("compliant", gold, 0.9, gold, money=0.001, cpu=0.3, calls=1),
        "liability-cap": RuleRun("deviation", gold, 0.8, gold, money=0.002, cpu=0.3, calls=1),
    }
    return ContractRun(f"c{i}", base_cpu=1.0, tiers={"risk_analysis": off, "llm_risk": llm})


def test_policies_cost_and_quality(playbook):
    runs = [_run(i, cap_offline_right=False) for i in range(10)]
    t = replay(
        runs,
        default_registry(),
        playbook,
        TIERS,
        quality_bar=0.7,
        cascade_below=0.6,
        prior_weight=20,
    )
    cheap, llm, casc, learned = (
        t[k] for k in ("cheapest", "single:llm_risk", "cascade", "learned")
    )
    assert cheap["evidence_agreement"] == 0.5 and cheap["money"] == 0
    assert cheap["cpu_seconds"] == pytest.approx(10 * (1.0 + 0.1 + 0.2))
    assert llm["evidence_agreement"] == 1.0 and llm["money"] == pytest.approx(10 * 0.003)
    assert llm.get("best_single_tier") and not t["single:risk_analysis"].get("best_single_tier")
    # The cascade asks the model only about the unsure cap, paying both tiers for it.
    assert casc["evidence_agreement"] == 1.0 and casc["money"] == pytest.approx(10 * 0.002)
    assert casc["cpu_seconds"] == pytest.approx(10 * (1.0 + 0.1 + 0.2 + 0.3))
    # Learned from the other folds' simulated decisions: the model earns the cap, nothing else.
    assert learned["evidence_agreement"] == 1.0 and learned["rules_to_llm"] == 10
    assert learned["money"] == pytest.approx(10 * 0.002)


def test_learned_stays_with_the_cheap_tier_when_it_is_right(playbook):
    runs = [_run(i, cap_offline_right=True) for i in range(10)]
    t = replay(
        runs,
        default_registry(),
        playbook,
        TIERS,
        quality_bar=0.7,
        cascade_below=0.6,
        prior_weight=20,
    )
    assert t["learned"]["rules_to_llm"] == 0 and t["learned"]["money"] == 0
    assert t["learned"]["evidence_agreement"] == 1.0


def _answer(body: dict) -> dict:
    name = body.get("response_format", {}).get("json_schema", {}).get("name")
    quotes = [" ".join(p.split()[:12]) for p in passages_of(body)[:1]]
    if name == "Verdict":
        return {"verdict": "confirm", "reason": "As cited.", "quotes": quotes, "confidence": 80}
    status = "deviation" if quotes else "missing"
    return {
        "status": status,
        "severity": "medium",
        "explanation": "As quoted.",
        "quotes": quotes,
        "confidence": 70,
    }


def test_eval_route_over_http_writes_the_table(tmp_path, embedder):
    with RecordingServer(_answer, tokens=(1000, 100)) as srv:
        s = Settings(data_dir=tmp_path / "d", llm_base_url=srv.url, llm_model="gpt-4o-mini")
        m = run(
            FIXTURES / "cuad",
            tmp_path / "out",
            limit=1,
            settings=s,
            llm=make_chat_model(s),
            embedder=embedder,
            store=shared_store(embedder),
        )
    assert m["tiers"] == ["risk_analysis", "llm_risk", "llm_verify"]
    assert m["contracts_scored"] == 1 and not m["failed"]
    p = m["policies"]
    rules = len(load_playbook("commercial").rules)
    # One uncached call per rule for each model tier, none for the offline one.
    assert p["cheapest"]["model_calls"] == 0 and p["cheapest"]["money"] == 0
    for tier in ("llm_risk", "llm_verify"):
        assert p[f"single:{tier}"]["model_calls"] == rules
        assert p[f"single:{tier}"]["money"] == pytest.approx(
            rules * (1000 * 0.15 + 100 * 0.6) / 1e6
        )
    assert len(srv.requests) == 2 * rules
    assert p["cheapest"]["cpu_seconds"] > 0
    assert sum(v.get("best_single_tier", False) for v in p.values()) == 1
    written = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert written["policies"] == p
    table = (tmp_path / "out" / "report.md").read_text()
    assert "| learned |" in table and "gpt-4o-mini" in table
