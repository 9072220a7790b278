"""What happened to each agent's findings, and the router's quality per rule refitted from it.

Two kinds of outcome are kept in the data dir:
- validation results per finding (`<data_dir>/outcomes.sqlite`, logged when a review ends):
  a finding a check failed (a quote that is not there, a contradiction) was wrong; one that
  passed is not counted as right, since the checks read the evidence, not the judgement;
- lawyers' decisions (`<data_dir>/decisions.sqlite`, `legal_orch.decisions`): accepting a
  finding, or editing only its wording, says the agent was right; rejecting it, or correcting
  its status or severity, says it was wrong. The newest decision per contract and rule counts.

`refit` turns them into per-rule quality with a beta-binomial update: the shipped dev scorecard
figure is the prior, worth `prior_weight` observations, so a handful of outcomes nudges it and
many outweigh it. An agent with no dev figure for a rule starts from an even prior and is given
a learned figure only after `min_outcomes` outcomes. The router reads the result through
`Registry.with_scorecard`, exactly as it reads the dev scorecard.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from legal_orch.registry import Registry
from legal_orch.router import rule_key
from legal_orch.settings import Settings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_sha256 TEXT NOT NULL,
    playbook TEXT NOT NULL DEFAULT '',
    rule_id TEXT NOT NULL,
    agent TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('validation', 'lawyer')),
    passed INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outcomes_rule ON outcomes (agent, rule_id);
"""
# Decision fields whose correction says the judgement itself was wrong (not just its wording).
VERDICT_FIELDS = ("status", "severity")


@dataclass
class Tally:
    """Outcomes of one agent on one rule: right and wrong."""

    right: float = 0.0
    wrong: float = 0.0

    @property
    def n(self) -> float:
        return self.right + self.wrong


Tallies = dict[tuple[str, str], Tally]  # (agent, rule_id) -> tally


class OutcomeStore:
    """Validation outcomes per finding in one SQLite file; a connection per call."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @classmethod
    def from_settings(cls, settings: Settings) -> OutcomeStore:
        return cls(settings.outcomes_path())

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(str(self.path), timeout=30)
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def record_review(self, report: Any, at: datetime | None = None) -> int:
        """Log each finding's validation result, and any lawyer's decision made during the
        review (a paused review resumed with `--decide`); return how many rows.

        A re-review of the same contract and playbook replaces the earlier run's rows, so
        reviewing one file again does not count its outcomes twice.
        """
        failed = {
            sid for c in report.validation.checks if c.status == "failed" for sid in c.subtask_ids
        }
        when = (at or datetime.now(UTC)).isoformat()
        sha, book = report.document.sha256, report.playbook
        rows = [
            (sha, book, f.rule_id, f.agent, "validation", int(f.rule_id not in failed), when)
            for f in report.findings
            if f.agent
        ]
        agents = {f.rule_id: f.agent for f in report.findings if f.agent}
        rows += [
            (sha, book, rule, agents[rule], "lawyer", int(d.get("decision") == "accept"), when)
            for rule, d in report.decisions.items()
            if rule in agents and isinstance(d, dict) and d.get("decision") in ("accept", "reject")
        ]
        with self._connect() as conn:
            conn.execute("DELETE FROM outcomes WHERE doc_sha256 = ? AND playbook = ?", (sha, book))
            conn.executemany(
                "INSERT INTO outcomes (doc_sha256, playbook, rule_id, agent, source, passed, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def tallies(self, decided: Collection[tuple[str, str]] = ()) -> Tallies:
        """Right and wrong per agent and rule: validation failures (a pass is no evidence of
        being right) and lawyers' decisions, except on (contract, rule) pairs in `decided`."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT doc_sha256, rule_id, agent, source, passed FROM outcomes"
            ).fetchall()
        out: Tallies = defaultdict(Tally)
        for sha, rule, agent, source, passed in rows:
            if source == "lawyer" and (sha, rule) in decided:
                continue  # the decision is also in the decisions store: counted from there
            t = out[(agent, rule)]
            if not passed:
                t.wrong += 1
            elif source == "lawyer":
                t.right += 1
        return dict(out)


def decision_tallies(decisions: Iterable[Any]) -> Tallies:
    """Right and wrong per agent and rule from lawyers' newest decisions (`Decision`s)."""
    out: Tallies = defaultdict(Tally)
    for d in decisions:
        agent = (d.finding or {}).get("agent")
        if not agent:
            continue  # a decision recorded without the finding: no agent to credit
        t = out[(agent, d.rule_id)]
        if decision_says_wrong(d.decision, d.edited, d.finding):
            t.wrong += 1
        else:
            t.right += 1
    return dict(out)


def decision_says_wrong(
    decision: str, edited: dict[str, Any] | None, finding: dict[str, Any] | None
) -> bool:
    """A rejection, or an edit that changes the finding's status or severity."""
    if decision == "reject":
        return True
    if decision != "edit":
        return False
    before = finding or {}
    return any(k in (edited or {}) and edited[k] != before.get(k) for k in VERDICT_FIELDS)  # type: ignore[index]


def combine(*parts: Tallies) -> Tallies:
    out: Tallies = defaultdict(Tally)
    for part in parts:
        for key, t in part.items():
            out[key].right += t.right
            out[key].wrong += t.wrong
    return dict(out)


def posterior(prior: float | None, tally: Tally, prior_weight: float) -> float:
    """The beta-binomial posterior mean: the prior worth `prior_weight` outcomes, then the tally."""
    a, b = (1.0, 1.0) if prior is None else (prior * prior_weight, (1 - prior) * prior_weight)
    return (a + tally.right) / (a + b + tally.n)


def refit(
    registry: Registry,
    tallies: Tallies,
    *,
    prior_weight: float = 20.0,
    min_outcomes: int = 5,
) -> dict[str, dict[str, float]]:
    """Return learned quality per agent and `rule:<id>` key, in the scorecard's shape."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for (agent, rule_id), tally in sorted(tallies.items()):
        spec = registry.find(agent)
        if spec is None or tally.n == 0:
            continue
        prior = spec.quality.get(rule_key(rule_id))
        if prior is None and tally.n < min_outcomes:
            continue  # too few outcomes to vouch for an agent never measured on the rule
        out[agent][rule_key(rule_id)] = round(posterior(prior, tally, prior_weight), 4)
    return dict(out)


def learned_registry(registry: Registry, settings: Settings) -> Registry:
    """The registry with per-rule quality refitted from the outcomes in the data dir."""
    from legal_orch.decisions import DecisionStore

    decided = settings.decisions_path().is_file()
    decisions = DecisionStore.from_settings(settings).latest().values() if decided else []
    tallies = tallies_in(settings, decisions)
    learned = refit(registry, tallies, prior_weight=settings.learn_prior_weight)
    return registry.with_scorecard(learned) if learned else registry


def tallies_in(settings: Settings, decisions: Iterable[Any]) -> Tallies:
    """Outcomes logged in the data dir plus the lawyers' `decisions` (`Decision`s)."""
    decisions = list(decisions)
    decided = {(d.doc_sha256, d.rule_id) for d in decisions}
    logged = OutcomeStore.from_settings(settings).tallies(decided) if _exists(settings) else {}
    return combine(logged, decision_tallies(decisions))


def _exists(settings: Settings) -> bool:
    return settings.outcomes_path().is_file()
