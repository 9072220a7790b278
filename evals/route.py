"""`legal-orch eval route`: what each routing policy costs and how good it is, against CUAD gold.

Each contract is reviewed once per risk tier the installation has (the offline agent always;
each LLM agent when a model is configured), with that tier given every playbook rule, fresh and
uncached, so each rule's answer, money and CPU-seconds are known per tier. The policies are
then replayed from those answers:

- cheapest: every rule to the cheapest tier;
- single:<agent>: every rule to one tier (the best of them is marked);
- cascade: the cheapest tier first; a rule whose finding is uncertain (confidence below
  `cascade_below`, or sent to a lawyer) is asked again of the cheapest LLM tier, paying both;
- learned: the router's own choice (`router.choose` at the quality bar) over quality refitted
  by `legal_orch.outcomes.refit` from the shipped dev scorecard and outcomes on the other
  folds, where a lawyer is simulated by CUAD's gold (a finding whose evidence agrees with the
  lawyers' highlights is accepted, else rejected): never scored on what it learned from.

Quality is the review eval's evidence agreement: a rule's finding found / not found against
CUAD's lawyers. Cost is money (the price table) and CPU-seconds of this machine: the whole
offline review, with each rule's risk stage counted for the tier(s) that answered it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from legal_orch_evals.cuad import select_contracts
from legal_orch_evals.review import reviewed_document, score_rule
from rich.console import Console
from rich.progress import Progress

from legal_orch.datasets.cuad import CuadContract
from legal_orch.datasets.cuad_align import Stream
from legal_orch.errors import LegalOrchError
from legal_orch.outcomes import Tallies, Tally, refit
from legal_orch.playbook import Playbook
from legal_orch.registry import AgentSpec, Registry
from legal_orch.router import choose

FOLDS = 5


@dataclass
class RuleRun:
    """One tier's answer to one rule of one contract, scored, with what it cost."""

    status: str | None
    found: bool
    confidence: float | None
    gold: bool | None  # None: CUAD has no category for the rule
    money: float = 0.0
    cpu: float = 0.0  # CPU-seconds of the rule's risk stage
    calls: int = 0
    unpriced: int = 0

    @property
    def right(self) -> bool | None:
        return None if self.gold is None else self.status is not None and self.found == self.gold

    @property
    def uncertain(self) -> bool:
        return self.status == "needs_review"


@dataclass
class ContractRun:
    title: str
    base_cpu: float = 0.0  # CPU-seconds of the offline review outside the risk stage
    tiers: dict[str, dict[str, RuleRun]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # tier -> why its review failed
    # tier -> what its agents reported when they failed (the review went on, incomplete)
    agent_failures: dict[str, list[str]] = field(default_factory=dict)


def tiers_of(registry: Registry, llm: bool) -> list[AgentSpec]:
    """The risk tiers to compare: the cheapest offline agent, then each LLM agent if a model is set."""
    offline = registry.for_capability("risk", llm=False)
    if not offline:
        raise LegalOrchError("no offline risk agent is installed")
    extra = [s for s in registry.for_capability("risk", llm=True) if s.requires_llm] if llm else []
    return [offline[0], *extra]


def forced(registry: Registry, agent: str) -> Registry:
    """A registry whose router gives `agent` every risk rule (measured perfect, others unmeasured)."""
    return Registry(
        replace(s, quality={"*": 1.0} if s.name == agent else {}) if s.capability == "risk" else s
        for s in registry.all()
    )


def run_tier(
    reviewer: Any, c: CuadContract, playbook: Playbook
) -> tuple[dict[str, RuleRun], float]:
    """Review `c` with `reviewer` and score each rule; also return the CPU outside the risk stage."""
    from legal_orch.review import Paused

    report = reviewer.review(c.pdf, fresh=True)
    if isinstance(report, Paused):
        raise LegalOrchError("paused for a lawyer's decision")
    config = {"configurable": {"thread_id": reviewer.thread_id(c.pdf)}}
    raw = reviewer.graph.get_state(config).values.get("costs", [])
    doc = reviewed_document(reviewer, c.pdf, None)
    txt = Stream.of(c.txt.read_text(encoding="utf-8", errors="replace"))
    by_rule = {f.rule_id: f for f in report.findings}
    runs = {}
    for rule in playbook.rules:
        s = score_rule(rule, by_rule.get(rule.id), c, len(doc.text), txt)
        spent = [e for e in raw if e.stage == "analyze_risk" and e.subtask == rule.id]
        runs[rule.id] = RuleRun(
            status=s.status,
            found=s.found,
            confidence=s.confidence,
            gold=s.gold_present,
            money=sum(e.money for e in spent),
            cpu=sum(e.cpu_seconds for e in spent),
            calls=sum(e.calls for e in spent),
            unpriced=sum(e.unpriced_calls for e in spent),
        )
    base = sum(e.cpu_seconds for e in raw if e.stage != "analyze_risk")
    return (
        runs,
        base,
        [f"{f.agent} ({f.subtask_id or f.stage}): {f.error}" for f in report.failures],
    )


# --- the policies ------------------------------------------------------------------------

Choice = dict[str, list[str]]  # rule -> the tiers that ran for it, the last one answering


def cheapest(tiers: list[str], rules: list[str], _run: ContractRun) -> Choice:
    return dict.fromkeys(rules, [tiers[0]])


def single(tier: str):  # noqa: ANN201 - a policy
    def policy(tiers: list[str], rules: list[str], _run: ContractRun) -> Choice:
        return {r: [tier] for r in rules}

    return policy


def cascade(below: float):  # noqa: ANN201 - a policy
    def policy(tiers: list[str], rules: list[str], run: ContractRun) -> Choice:
        first = run.tiers[tiers[0]]
        if len(tiers) < 2:
            return dict.fromkeys(rules, [tiers[0]])
        return {
            r: [tiers[0], tiers[1]]
            if first[r].uncertain or (first[r].confidence or 0.0) < below
            else [tiers[0]]
            for r in rules
        }

    return policy


def simulated_tallies(runs: Iterable[ContractRun]) -> Tallies:
    """Outcomes as lawyers who hold CUAD's gold would decide: accept what agrees with it."""
    out: Tallies = {}
    for run in runs:
        for tier, rules in run.tiers.items():
            for rule, rr in rules.items():
                if rr.right is None:
                    continue
                t = out.setdefault((tier, rule), Tally())
                t.right += rr.right
                t.wrong += not rr.right
    return out


def learned_choices(
    registry: Registry,
    playbook: Playbook,
    tiers: list[str],
    train: list[ContractRun],
    *,
    quality_bar: float,
    prior_weight: float,
) -> dict[str, str]:
    """The router's tier per rule over quality refitted from `train`'s outcomes."""
    learned = registry.with_scorecard(
        refit(registry, simulated_tallies(train), prior_weight=prior_weight)
    )
    pool = Registry(s for s in learned.all() if s.capability != "risk" or s.name in tiers)
    out = {}
    for rule in playbook.rules:
        spec = choose(
            pool,
            "risk",
            rule.categories,
            quality_bar=quality_bar,
            llm=len(tiers) > 1,
            rule_id=rule.id,
        )
        out[rule.id] = spec.name
    return out


def cost_and_quality(runs: list[ContractRun], choices: list[Choice]) -> dict[str, Any]:
    """Sum cost and score agreement over contracts, each with the policy's tiers per rule."""
    money = cpu = 0.0
    calls = unpriced = right = judged = llm_rules = unanswered = 0
    for run, choice in zip(runs, choices, strict=True):
        cpu += run.base_cpu
        for rule, path in choice.items():
            for tier in path:
                rr = run.tiers[tier][rule]
                money, cpu = money + rr.money, cpu + rr.cpu
                calls, unpriced = calls + rr.calls, unpriced + rr.unpriced
            llm_rules += path[-1] != next(iter(run.tiers))
            answer = run.tiers[path[-1]][rule]
            unanswered += answer.status is None
            if answer.right is not None:
                judged += 1
                right += answer.right
    return {
        "evidence_agreement": right / judged if judged else None,
        "judged": judged,
        "money": round(money, 6),
        "cpu_seconds": round(cpu, 2),
        "model_calls": calls,
        "unpriced_calls": unpriced,
        "rules_to_llm": llm_rules,
        "unanswered": unanswered,  # the tier failed (its review says why): counted as wrong
        "contracts": len(runs),
    }


def replay(
    runs: list[ContractRun],
    registry: Registry,
    playbook: Playbook,
    tiers: list[str],
    *,
    quality_bar: float,
    cascade_below: float,
    prior_weight: float,
) -> dict[str, dict[str, Any]]:
    """Every policy's cost and quality over `runs` (contracts whose every tier was reviewed)."""
    rules = [r.id for r in playbook.rules]
    table: dict[str, dict[str, Any]] = {}
    fixed = {"cheapest": cheapest, **{f"single:{t}": single(t) for t in tiers}}
    fixed["cascade"] = cascade(cascade_below)
    for name, policy in fixed.items():
        table[name] = cost_and_quality(runs, [policy(tiers, rules, r) for r in runs])
    folds = max(1, min(FOLDS, len(runs)))
    learned: list[Choice] = []
    for i in range(len(runs)):
        train = [r for j, r in enumerate(runs) if j % folds != i % folds]
        pick = learned_choices(
            registry,
            playbook,
            tiers,
            train,
            quality_bar=quality_bar,
            prior_weight=prior_weight,
        )
        learned.append({r: [pick[r]] for r in rules})
    table["learned"] = cost_and_quality(runs, learned)
    singles = {k: v for k, v in table.items() if k.startswith("single:")}
    best = max(singles, key=lambda k: (singles[k]["evidence_agreement"] or 0, -singles[k]["money"]))
    table[best]["best_single_tier"] = True
    return table


# --- the run -----------------------------------------------------------------------------


def cuad_layout(data: Path, out: Path) -> Path:
    """`data` in CUAD's release layout; a flat folder of PDFs (the test fixtures) is linked
    into it under `out`."""
    if (data / "full_contract_pdf").is_dir() or not (data / "master_clauses.csv").is_file():
        return data
    here = out / ".cuad"
    (here / "full_contract_pdf").mkdir(parents=True, exist_ok=True)
    for p in data.iterdir():
        link = here / "full_contract_pdf" / p.name
        if p.suffix.lower() == ".pdf" and not link.exists():
            link.symlink_to(p.resolve())
    for name in ("master_clauses.csv", "full_contract_txt"):
        if not (here / name).exists():
            (here / name).symlink_to((data / name).resolve())
    return here


def run(
    data: Path,
    out: Path,
    *,
    split: str | None = None,
    limit: int | None = None,
    settings: Any = None,
    llm: Any = None,
    cascade_below: float = 0.6,
    embedder: Any = None,
    store: Any = None,
) -> dict[str, Any]:
    """Review `data`'s contracts once per tier, replay every policy, write the table to `out`."""
    from legal_orch.llm import make_chat_model
    from legal_orch.registry import default_registry
    from legal_orch.retrieval.embeddings import default_embedder
    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings

    contracts, split = select_contracts(cuad_layout(Path(data), Path(out)), split)
    contracts = contracts[:limit]
    settings = settings or Settings()
    llm = llm if llm is not None else make_chat_model(settings)
    registry = default_registry()
    tiers = [s.name for s in tiers_of(registry, llm is not None)]
    # Fresh, uncached, never re-routed and never learning from these runs: one tier's own answers.
    tier_settings = settings.model_copy(
        update={"quality_bar": 0.99, "max_reroutes": 0, "llm_cache": False, "learn": False}
    )
    embedder = embedder or default_embedder(settings)
    reviewers = {
        t: Reviewer(
            tier_settings,
            playbook="commercial",
            registry=forced(registry, t),
            embedder=embedder,
            store=store,
            llm=llm if i else None,
        )
        for i, t in enumerate(tiers)
    }
    if tiers[1:]:
        reviewers[tiers[0]].llm = None  # the offline tier never calls a model
    playbook = reviewers[tiers[0]].playbook
    runs: list[ContractRun] = []
    with Progress(*Progress.get_default_columns(), console=Console(stderr=True)) as bar:
        task = bar.add_task("contracts x tiers", total=len(contracts) * len(tiers))
        for c in contracts:
            cr = ContractRun(c.title)
            for t in tiers:
                try:
                    cr.tiers[t], base, why = run_tier(reviewers[t], c, playbook)
                    if why:
                        cr.agent_failures[t] = why
                    if t == tiers[0]:
                        cr.base_cpu = base
                except Exception as e:  # noqa: BLE001 - listed in metrics.json, not hidden
                    cr.failed[t] = f"{type(e).__name__}: {e}"[:300]
                bar.advance(task)
            runs.append(cr)
    complete = [r for r in runs if not r.failed]
    if not complete:
        raise LegalOrchError("no contract was reviewed by every tier; see the failures above")
    table = replay(
        complete,
        registry,
        playbook,
        tiers,
        quality_bar=settings.quality_bar,
        cascade_below=cascade_below,
        prior_weight=settings.learn_prior_weight,
    )
    metrics = {
        "data": str(data),
        "split": split,
        "contracts": len(contracts),
        "contracts_scored": len(complete),
        "failed": {r.title: r.failed for r in runs if r.failed},
        "agent_failures": {t: sum(len(r.agent_failures.get(t, [])) for r in runs) for t in tiers},
        "agent_failure_example": next(
            (w[0] for r in runs for w in r.agent_failures.values() if w), None
        ),
        "tiers": tiers,
        "model": getattr(llm, "model_name", None),
        "provider": getattr(llm, "provider", None),
        "quality_bar": settings.quality_bar,
        "cascade_below": cascade_below,
        "prior_weight": settings.learn_prior_weight,
        "folds": max(1, min(FOLDS, len(complete))),
        "policies": table,
    }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    (out / "runs.jsonl").write_text(
        "".join(json.dumps(asdict(r)) + "\n" for r in runs), encoding="utf-8"
    )
    (out / "report.md").write_text(report_md(metrics), encoding="utf-8")
    return metrics


def report_md(m: dict[str, Any]) -> str:
    """The cost-quality table as Markdown."""
    who = f"{m['provider']} {m['model']}" if m["model"] else "none configured (offline only)"
    lines = [
        f"# Routing policies: CUAD {m['split']} ({m['contracts_scored']} of {m['contracts']} "
        f"contracts), tiers {', '.join(m['tiers'])}",
        "",
        f"Language model: {who}. Quality bar {m['quality_bar']}; cascade below confidence "
        f"{m['cascade_below']}; learned over {m['folds']} fold(s), prior worth "
        f"{m['prior_weight']:g} outcomes.",
        "",
        "| policy | evidence agreement | rule decisions | money | CPU-seconds | model calls | "
        "rules answered by a model | rules left unanswered (a tier failed) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, v in m["policies"].items():
        mark = " (best single tier)" if v.get("best_single_tier") else ""
        agree = "–" if v["evidence_agreement"] is None else f"{100 * v['evidence_agreement']:.1f}%"
        money = f"{v['money']:.4f}" + (
            f" (+{v['unpriced_calls']} unpriced)" if v["unpriced_calls"] else ""
        )
        lines.append(
            f"| {name}{mark} | {agree} | {v['judged']} | {money} | {v['cpu_seconds']:.1f} | "
            f"{v['model_calls']} | {v['rules_to_llm']} | {v['unanswered']} |"
        )
    if any(m["agent_failures"].values()):
        lines += [
            "",
            f"Agents that failed (their rules left unanswered): {m['agent_failures']}; "
            f"for example: {m['agent_failure_example']}",
        ]
    if m["failed"]:
        lines += ["", "Not scored (a tier's review failed):", ""]
        lines += [f"- {t}: {f}" for t, f in m["failed"].items()]
    return "\n".join(lines) + "\n"
