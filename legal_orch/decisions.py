"""A lawyer's decisions on findings, kept in SQLite; the latest ones form a gold set for evals.

Every decision is appended (nothing is overwritten), so the history of who decided what and
when stays auditable; `latest()` and `export_gold()` read the newest decision per finding.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from legal_orch.domain import SEVERITIES, Finding, FindingStatus, Recommendation
from legal_orch.errors import LegalOrchError
from legal_orch.settings import Settings

DecisionKind = Literal["accept", "reject", "edit"]
# Edited fields that belong to the finding's recommendation rather than to the finding.
_ADVICE = ("action", "rationale", "fallback_language")
DECISIONS: tuple[str, ...] = get_args(DecisionKind)
STATUSES: tuple[str, ...] = get_args(FindingStatus)
# Fields of a finding a lawyer may correct with an "edit"; everything else is evidence.
EDITABLE = (
    "severity",
    "status",
    "title",
    "explanation",
    "action",
    "rationale",
    "fallback_language",
)
GOLD_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_sha256 TEXT NOT NULL,
    doc_name TEXT NOT NULL DEFAULT '',
    playbook TEXT NOT NULL DEFAULT '',
    rule_id TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'edit')),
    reviewer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    edited TEXT,
    finding TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_doc ON decisions (doc_sha256, rule_id);
"""


class DecisionError(LegalOrchError):
    """A decision that cannot be recorded (unknown kind, no reviewer, a bad edit)."""


@dataclass(frozen=True)
class Decision:
    id: int
    doc_sha256: str
    doc_name: str
    playbook: str
    rule_id: str
    decision: str
    reviewer: str
    note: str
    edited: dict[str, Any] | None
    finding: dict[str, Any] | None  # the product's finding as the lawyer saw it
    at: datetime

    def label(self) -> dict[str, Any] | None:
        """Return the finding as the lawyer holds it true; None when rejected."""
        if self.decision == "reject":
            return None
        base = {
            k: v for k, v in (self.finding or {}).items() if k in ("severity", "status", "title")
        }
        return {**base, **(self.edited or {})}

    def to_gold(self) -> dict[str, Any]:
        row = asdict(self)
        row.pop("id")
        row["at"] = self.at.isoformat()
        row["label"] = self.label()
        row["version"] = GOLD_VERSION
        return row


def _check(decision: str, reviewer: str, edited: dict[str, Any] | None) -> None:
    if decision not in DECISIONS:
        raise DecisionError(f"unknown decision {decision!r} (accept, reject, edit)")
    if not reviewer.strip():
        raise DecisionError("a decision needs the reviewer's name")
    if decision == "edit" and not edited:
        raise DecisionError("an edit needs at least one changed field")
    for key, value in (edited or {}).items():
        if key not in EDITABLE:
            raise DecisionError(f"cannot edit {key!r} (editable: {', '.join(EDITABLE)})")
        if key == "severity" and value not in SEVERITIES:
            raise DecisionError(f"unknown severity {value!r} ({', '.join(SEVERITIES)})")
        if key == "status" and value not in STATUSES:
            raise DecisionError(f"unknown status {value!r} ({', '.join(STATUSES)})")


def _row(r: sqlite3.Row) -> Decision:
    return Decision(
        id=r["id"],
        doc_sha256=r["doc_sha256"],
        doc_name=r["doc_name"],
        playbook=r["playbook"],
        rule_id=r["rule_id"],
        decision=r["decision"],
        reviewer=r["reviewer"],
        note=r["note"],
        edited=json.loads(r["edited"]) if r["edited"] else None,
        finding=json.loads(r["finding"]) if r["finding"] else None,
        at=datetime.fromisoformat(r["at"]),
    )


class DecisionStore:
    """Decisions in one SQLite file; a connection per call, so any thread may use it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @classmethod
    def from_settings(cls, settings: Settings) -> DecisionStore:
        return cls(settings.decisions_path())

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(str(self.path), timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def record(
        self,
        doc_sha256: str,
        rule_id: str,
        decision: str,
        reviewer: str,
        note: str = "",
        edited: dict[str, Any] | None = None,
        at: datetime | None = None,
        *,
        doc_name: str = "",
        playbook: str = "",
        finding: dict[str, Any] | None = None,
    ) -> Decision:
        """Append one decision on the finding `rule_id` of document `doc_sha256`."""
        _check(decision, reviewer, edited)
        at = (at or datetime.now(UTC)).astimezone(UTC)
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO decisions (doc_sha256, doc_name, playbook, rule_id, decision, reviewer,"
                " note, edited, finding, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_sha256,
                    doc_name,
                    playbook,
                    rule_id,
                    decision,
                    reviewer.strip(),
                    note,
                    json.dumps(edited) if edited else None,
                    json.dumps(finding) if finding else None,
                    at.isoformat(),
                ),
            )
            row = conn.execute("SELECT * FROM decisions WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _row(row)

    def list(self, doc_sha256: str | None = None, rule_id: str | None = None) -> list[Decision]:
        """Return every recorded decision, oldest first, optionally for one document or rule."""
        where, args = [], []
        if doc_sha256 is not None:
            where.append("doc_sha256 = ?")
            args.append(doc_sha256)
        if rule_id is not None:
            where.append("rule_id = ?")
            args.append(rule_id)
        sql = "SELECT * FROM decisions" + (" WHERE " + " AND ".join(where) if where else "")
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY at, id", args).fetchall()
        return [_row(r) for r in rows]

    def latest(self, doc_sha256: str | None = None) -> dict[tuple[str, str], Decision]:
        """Return the newest decision per (document, rule)."""
        return {(d.doc_sha256, d.rule_id): d for d in self.list(doc_sha256)}

    def export_gold(self, path: Path) -> Path:
        """Write the newest decision per finding as a gold-set JSONL file; return its path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = sorted(self.latest().values(), key=lambda d: (d.doc_sha256, d.rule_id))
        with path.open("w", encoding="utf-8") as f:
            for d in rows:
                f.write(json.dumps(d.to_gold(), sort_keys=True) + "\n")
        return path


def finding_snapshot(finding: Any) -> dict[str, Any]:
    """Keep what a gold set needs of a `Finding`: its verdict and its evidence."""
    snapshot: dict[str, Any] = finding.model_dump(
        include={
            "rule_id",
            "title",
            "severity",
            "status",
            "categories",
            "citations",
            "confidence",
            "agent",
        },
        mode="json",
    )
    return snapshot


def read_gold(path: Path) -> list[dict[str, Any]]:
    """Read a gold-set JSONL file written by `export_gold`."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def with_decisions(report: Any, latest: dict[tuple[str, str], Decision]) -> Any:
    """Return `report` with the lawyers' latest decisions on its findings added to `decisions`."""
    sha = report.document.sha256
    added = {
        rule: {
            "decision": d.decision,
            "reviewer": d.reviewer,
            "at": d.at.isoformat(timespec="seconds"),
            "note": d.note,
            **(d.edited or {}),
        }
        for (doc, rule), d in latest.items()
        if doc == sha
    }
    return (
        report.model_copy(update={"decisions": {**report.decisions, **added}}) if added else report
    )


def _applied(f: Finding, d: dict[str, Any]) -> Finding:
    """Return `f` with a lawyer's edit in place (fields not edited are kept)."""
    own = {k: d[k] for k in EDITABLE if k not in _ADVICE and d.get(k) not in (None, "")}
    advice = {k: d[k] for k in _ADVICE if k in d and d[k] is not None}
    rec = f.recommendation
    if advice and (rec is not None or "action" in advice):
        base = rec.model_dump() if rec else {"rationale": ""}
        own["recommendation"] = Recommendation.model_validate({**base, **advice})
    return f.model_copy(update=own) if own else f


def decided_findings(
    findings: list[Finding], decisions: dict[str, Any]
) -> tuple[list[Finding], list[tuple[Finding, dict[str, Any]]]]:
    """Split findings into those that stand (edits applied) and those a lawyer rejected."""
    kept: list[Finding] = []
    rejected: list[tuple[Finding, dict[str, Any]]] = []
    for f in findings:
        d = decisions.get(f.rule_id)
        if not isinstance(d, dict):
            kept.append(f)
        elif d.get("decision") == "reject":
            rejected.append((f, d))
        else:
            kept.append(_applied(f, d) if d.get("decision") == "edit" else f)
    return kept, rejected


def as_decided(report: Any) -> Any:
    """Return `report` as the lawyers left it: rejected findings out, edited ones as edited.

    The decisions stay in `report.decisions`, so applying them twice changes nothing more.
    """
    kept, rejected = decided_findings(report.findings, report.decisions)
    if not rejected and kept == report.findings:
        return report
    return report.model_copy(update={"findings": kept})
