"""The router's scorecard (`corpora/scorecard.json`): measured quality per agent, fitted on dev.

Keys of an agent's entry: a CUAD category (extraction), `rule:<playbook rule id>` (risk), or a
key-terms field (`parties`, `effective_date`, ...). Values are in 0..1. Only figures measured on
a dev split may be written: a scorecard fitted on test would make the test figures tuned.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from legal_orch.errors import LegalOrchError
from legal_orch.registry import Registry
from legal_orch.router import choose, rule_key

SCORECARD = Path(__file__).resolve().parents[1] / "corpora" / "scorecard.json"


def check_dev(split: str) -> None:
    """Refuse to fit the scorecard on anything but a dev split."""
    if split != "dev":
        raise LegalOrchError(
            f"the scorecard is fitted on the dev split only, not '{split}' (pass --split dev)"
        )


def write(agent: str, qualities: dict[str, float], source: str, path: Path | None = None) -> None:
    """Record `agent`'s measured qualities, replacing the keys measured, keeping the rest."""
    path = path or SCORECARD
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entry = data.setdefault("agents", {}).setdefault(agent, {})
    entry.update({k: round(v, 4) for k, v in qualities.items()})
    data["agents"][agent] = dict(sorted(entry.items()))
    data.pop("source", None)
    command = source.split(":", 1)[0]  # one source per agent and command that measured it
    data.setdefault("sources", {}).setdefault(agent, {})[command] = source
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def review_entries(scores: list[Any], metrics: dict[str, Any], registry: Registry) -> dict:
    """Risk per rule (evidence agreement) by the agent that made the findings, and key terms per
    field (accuracy) for the key-terms agent, from an `eval review` run."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    agents: dict[str, set[str]] = defaultdict(set)
    for s in scores:
        for rid, r in s.rules.items():
            if r.agent:
                agents[rid].add(r.agent)
    for rid, v in metrics["rules"].items():
        if v["evidence_agreement"] is not None and len(agents[rid]) == 1:
            out[next(iter(agents[rid]))][rule_key(rid)] = v["evidence_agreement"]
    kt = choose(registry, "key_terms").name
    for name, v in metrics["key_terms"].items():
        if v["accuracy"] is not None:
            out[kt][name] = v["accuracy"]
    return dict(out)
