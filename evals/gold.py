"""`legal-orch eval gold`: score the product against a firm's own gold set (lawyers' decisions).

The gold set is the JSONL written by `DecisionStore.export_gold`: one row per finding a lawyer
accepted, rejected or edited. Two kinds of number come out, kept apart on purpose:

- what the lawyers thought of the findings they saw: `precision` (share accepted as stated) and
  `precision_lenient` (accepted or edited: the finding pointed at a real issue);
- how today's product output agrees with them (`reviews`: review JSON files or reports):
  `coverage` (gold findings the reviews still address), `label_agreement` (accepted or edited
  findings whose severity and status the product now reproduces) and `rejected_repeated` (rejected
  findings the product still states unchanged). Missing reviews are reported, never scored as
  agreement.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from legal_orch.decisions import read_gold
from legal_orch.reports.report import ReviewReport, load_report

Reviews = Path | Iterable[ReviewReport | Path]


def _load_reviews(reviews: Reviews | None) -> dict[tuple[str, str], dict[str, Any]]:
    """Map (document sha256, rule id) to the finding each review states."""
    if reviews is None:
        return {}
    items = sorted(reviews.rglob("*.json")) if isinstance(reviews, Path) else list(reviews)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        report = item if isinstance(item, ReviewReport) else _try_load(Path(item))
        if report is None:
            continue
        for f in report.findings:
            out[(report.document.sha256, f.rule_id)] = {"severity": f.severity, "status": f.status}
    return out


def _try_load(path: Path) -> ReviewReport | None:
    try:
        return load_report(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):  # other JSON in the folder (metrics, summaries) is not a review
        return None


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    return bool(a and b) and all(a.get(k) == b.get(k) for k in ("severity", "status"))


def score(
    gold: list[dict[str, Any]], current: dict[tuple[str, str], dict[str, Any]]
) -> dict[str, Any]:
    """Score decisions and, where there are reviews, today's findings against them."""
    kinds = Counter(g["decision"] for g in gold)
    n = len(gold)
    per_rule: dict[str, Counter] = {}
    matched = agree = labelled = rejected = repeated = 0
    for g in gold:
        c = per_rule.setdefault(g["rule_id"], Counter())
        c[g["decision"]] += 1
        now = current.get((g["doc_sha256"], g["rule_id"]))
        if now is None:
            continue
        matched += 1
        if g["label"] is not None:
            labelled += 1
            agree += _same(now, g["label"])
        else:
            rejected += 1
            repeated += _same(now, g.get("finding"))
    rules = {
        rule: {
            "n": sum(c.values()),
            "accepted": c["accept"],
            "edited": c["edit"],
            "rejected": c["reject"],
            "precision": _ratio(c["accept"], sum(c.values())),
        }
        for rule, c in sorted(per_rule.items())
    }
    return {
        "decisions": n,
        "documents": len({g["doc_sha256"] for g in gold}),
        "accepted": kinds["accept"],
        "edited": kinds["edit"],
        "rejected": kinds["reject"],
        "precision": _ratio(kinds["accept"], n),
        "precision_lenient": _ratio(kinds["accept"] + kinds["edit"], n),
        "reviews_matched": matched,
        "coverage": _ratio(matched, n) if current else None,
        "label_agreement": _ratio(agree, labelled),
        "rejected_repeated": _ratio(repeated, rejected),
        "per_rule": rules,
    }


def _report_md(m: dict[str, Any]) -> str:
    def fmt(v: Any) -> str:
        return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    lines = [
        "# Gold-set eval",
        "",
        f"{m['decisions']} decisions on {m['documents']} documents: {m['accepted']} accepted, "
        f"{m['edited']} edited, {m['rejected']} rejected.",
        "",
    ]
    lines += [
        f"- {k}: {fmt(m[k])}"
        for k in (
            "precision",
            "precision_lenient",
            "coverage",
            "label_agreement",
            "rejected_repeated",
        )
    ]
    lines += [
        "",
        "| Rule | n | accepted | edited | rejected | precision |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r} | {v['n']} | {v['accepted']} | {v['edited']} | {v['rejected']} | {fmt(v['precision'])} |"
        for r, v in m["per_rule"].items()
    ]
    return "\n".join(lines) + "\n"


def run(gold: Path, reviews: Reviews | None, out: Path) -> dict[str, Any]:
    """Score `reviews` (a folder of review JSON, or reports) against `gold`; write metrics to `out`."""
    rows = read_gold(Path(gold))
    metrics = score(rows, _load_reviews(reviews))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text(_report_md(metrics), encoding="utf-8")
    return metrics
