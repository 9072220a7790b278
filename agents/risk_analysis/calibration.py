"""How far the risk agent can trust "found" and "not found": measured on CUAD dev, never test.

`measure` runs the clause-extraction agent (reached through the registry, as a review does)
over CUAD's dev contracts and records, per contract and category, whether the review shows a
clause (at the shipped thresholds, "No" answers dropped) and whether CUAD's lawyers marked one.
From those bits `Calibration` derives, per category, the extractor's recall and precision at the
review threshold, and per playbook rule (any of its categories) the accuracy of its evidence:
P(the lawyers marked a clause | the review found one) and P(none | the review found none).
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

CALIBRATION_FILE = "risk_calibration.json"
# A miss is reported `missing` (the clause is very likely absent) only when dev shows, with 90%
# confidence (the lower Wilson bound), that the review finds at least 70% of the clauses of that
# type; otherwise it is `not_found` with the measured recall. With 39 dev contracts a point
# estimate such as 4 of 5 is too thin to call a clause absent; 13 of 14 or 14 of 15 is not.
MISSING_RECALL_FLOOR = 0.7
_Z90 = 1.2816  # one-sided 90%


def default_path() -> Path:
    """The shipped calibration table under corpora/models/."""
    return Path(str(resources.files("legal_orch_corpora"))) / "models" / CALIBRATION_FILE


@dataclass(frozen=True)
class Rate:
    """A measured proportion: `hits` of `n` dev contracts."""

    hits: int
    n: int

    @property
    def value(self) -> float | None:
        return self.hits / self.n if self.n else None

    @property
    def lower_bound(self) -> float:
        """The one-sided 90% Wilson lower bound of the rate (0 when nothing was measured)."""
        if not self.n:
            return 0.0
        p, n, z = self.hits / self.n, self.n, _Z90
        centre = p + z * z / (2 * n)
        spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (centre - spread) / (1 + z * z / n)


@dataclass(frozen=True)
class Evidence:
    """What dev says about a rule's categories: extractor recall/precision and evidence accuracy,
    and what train says about how usual the clause is in contracts of this kind."""

    recall: Rate  # contracts with a gold clause where the review shows one
    precision: Rate  # contracts where the review shows one that have a gold clause
    absent_accuracy: Rate  # contracts where the review shows none that have no gold clause
    false_alarms: Rate = Rate(0, 0)  # contracts with no gold clause where the review shows one
    prior: float | None = None  # P(a clause of these types | the contract's kind), from train
    kind: str | None = None

    def if_shown(self) -> float | None:
        """P(the contract has such a clause | the review shows one), for a contract of this kind:
        Bayes' rule with the kind's base rate and the review's dev recall and false-alarm rate."""
        if self.prior is None or not self.recall.n or not self.false_alarms.n:
            return _laplace(self.precision)
        r, f, p = _laplace(self.recall), _laplace(self.false_alarms), self.prior
        assert r is not None and f is not None
        return p * r / (p * r + (1 - p) * f)

    def if_not_shown(self) -> float | None:
        """P(the contract has no such clause | the review shows none), for a contract of this kind."""
        if self.prior is None or not self.recall.n or not self.false_alarms.n:
            return _laplace(self.absent_accuracy)
        r, f, p = _laplace(self.recall), _laplace(self.false_alarms), self.prior
        assert r is not None and f is not None
        return (1 - p) * (1 - f) / ((1 - p) * (1 - f) + p * (1 - r))

    @property
    def absence_is_known(self) -> bool:
        """Whether a miss may be reported as `missing` rather than `not_found`."""
        return self.recall.lower_bound >= MISSING_RECALL_FLOOR


def _laplace(r: Rate) -> float | None:
    """The measured rate with one success and one failure added (no 0 or 1 from a few cases)."""
    return (r.hits + 1) / (r.n + 2) if r.n else None


# A kind's own base rate counts as this many contracts against the rate over all kinds.
PRIOR_STRENGTH = 5


class Calibration:
    """Presence bits of dev contracts (found vs gold) and of train contracts (kind and gold);
    rates for any set of categories."""

    def __init__(self, table: dict) -> None:
        self.table = table
        self._rows = [(set(c["gold"]), set(c["found"])) for c in table["contracts"]]
        self._kinds = [(c["kind"], set(c["gold"])) for c in table.get("train_kinds", [])]

    def prior(self, categories: set[str], kind: str | None) -> float | None:
        """P(a clause of `categories` | a contract of `kind`) over train, shrunk towards the rate
        over all kinds (None without train rows)."""
        if not self._kinds:
            return None
        everyone = [bool(g & categories) for _, g in self._kinds]
        overall = (sum(everyone) + 1) / (len(everyone) + 2)
        own = [bool(g & categories) for k, g in self._kinds if kind is not None and k == kind]
        return (sum(own) + PRIOR_STRENGTH * overall) / (len(own) + PRIOR_STRENGTH)

    @classmethod
    def load(cls, path: Path | None = None) -> Calibration:
        p = Path(path or default_path())
        if not p.is_file():
            raise FileNotFoundError(
                f"{p}: no risk calibration; build it with `legal-orch train model calibration`"
            )
        return cls(json.loads(p.read_text(encoding="utf-8")))

    def evidence(
        self, categories: list[str] | tuple[str, ...], kind: str | None = None
    ) -> Evidence:
        """Rates for "any of `categories`", over the dev contracts; the base rate for `kind`."""
        cats = set(categories)
        gold = [bool(g & cats) for g, _ in self._rows]
        found = [bool(f & cats) for _, f in self._rows]
        pairs = list(zip(gold, found, strict=True))
        return Evidence(
            recall=Rate(sum(g and f for g, f in pairs), sum(gold)),
            precision=Rate(sum(g and f for g, f in pairs), sum(found)),
            absent_accuracy=Rate(sum(not g and not f for g, f in pairs), sum(not f for f in found)),
            false_alarms=Rate(sum(f and not g for g, f in pairs), sum(not g for g in gold)),
            prior=self.prior(cats, kind),
            kind=kind,
        )


@lru_cache(maxsize=4)
def shipped(path: str | None = None) -> Calibration:
    """The shipped table, loaded once per process."""
    return Calibration.load(Path(path) if path else None)


def measure(data_dir: Path, out: Path | None = None, cache: Path | None = None) -> dict:
    """Run the registry's extraction agent on CUAD dev and write the presence table."""
    from legal_orch_agents.risk_analysis.kinds import folder_kind

    from legal_orch.datasets.cuad import load_cuad, parse_cached
    from legal_orch.ingest.segment import segment
    from legal_orch.registry import default_registry
    from legal_orch.router import choose

    spec = choose(default_registry(), "extract")
    cands, select = spec.hooks["candidates"], spec.hooks["select"]
    rows = []
    contracts = load_cuad(Path(data_dir), "dev")
    for i, c in enumerate(contracts, 1):
        doc = parse_cached(c.pdf, cache)
        shown = select(cands(doc, segment(doc)))
        found = sorted({k.category for k in shown if (k.answer or "").strip().casefold() != "no"})
        gold = sorted(cat for cat, pieces in c.gold.items() if pieces)
        rows.append({"title": c.title, "gold": gold, "found": found})
        print(f"  {i}/{len(contracts)} {c.title[:60]}", file=sys.stderr)
    cats = sorted({cat for c in contracts for cat in c.gold})
    train = [
        {"kind": folder_kind(c.pdf.parent.name), "gold": sorted(k for k, v in c.gold.items() if v)}
        for c in load_cuad(Path(data_dir), "train")
    ]
    table = {
        "what": "per CUAD dev contract, the categories CUAD's lawyers marked (gold) and the "
        "categories the review shows (found: the extraction agent at its shipped thresholds, "
        "'No' answers dropped)",
        "split": "dev",
        "extract_agent": spec.name,
        "missing_recall_floor": MISSING_RECALL_FLOOR,
        "missing_rule": "missing only when the one-sided 90% Wilson lower bound of the dev recall "
        "is at least missing_recall_floor",
        "contracts": rows,
        "train_kinds_what": "per CUAD train contract, its kind (the folder CUAD files it in) and "
        "the categories its lawyers marked: how usual each clause is in each kind of contract",
        "train_kinds": train,
    }
    cal = Calibration(table)
    table["categories"] = {cat: _rates(cal.evidence([cat])) for cat in cats}
    table["rules"] = _rule_rates(cal)
    path = Path(out or default_path())
    path.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    shipped.cache_clear()
    known = [c for c, r in table["categories"].items() if r["absence_is_known"]]
    return {
        "out": str(path),
        "contracts": len(rows),
        "categories_absence_known": len(known),
        "categories": table["categories"],
    }


def _rule_rates(cal: Calibration) -> dict:
    """Per shipped commercial rule: how often its found / not-found evidence agrees with CUAD."""
    from legal_orch.playbook import builtin_playbooks, load_playbook

    out = {}
    for name in builtin_playbooks():
        for rule in load_playbook(name).rules:
            if rule.categories and not rule.hypothesis:
                ev = cal.evidence(rule.categories)
                out[f"{name}:{rule.id}"] = {
                    "found_accuracy": _round(ev.precision),
                    "not_found_accuracy": _round(ev.absent_accuracy),
                    "found": ev.precision.n,
                    "not_found": ev.absent_accuracy.n,
                    "absence_is_known": ev.absence_is_known,
                }
    return out


def _round(rate: Rate) -> float | None:
    return None if rate.value is None else round(rate.value, 3)


def _rates(ev: Evidence) -> dict:
    def r(rate: Rate) -> float | None:
        return None if rate.value is None else round(rate.value, 3)

    return {
        "recall": r(ev.recall),
        "recall_lower_bound": round(ev.recall.lower_bound, 3),
        "precision": r(ev.precision),
        "absent_accuracy": r(ev.absent_accuracy),
        "gold": ev.recall.n,
        "found": ev.precision.n,
        "absence_is_known": ev.absence_is_known,
    }
