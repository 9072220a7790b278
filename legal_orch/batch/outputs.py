"""A batch's outputs: per-contract files written atomically, and the grids rebuilt from them.

OUTDIR/<name>.json is the commit record of a reviewed contract: it is written last, after
<name>.md, each through a temp file and `os.replace`, so a kill at any moment leaves either a
complete pair or a JSON-less leftover that the next run redoes. Failures live in
OUTDIR/.errors/<name>.json. summary.csv, summary.xlsx and errors.csv are always regenerated
from those per-file records, never appended to, so a re-run cannot duplicate a row.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from legal_orch.batch.manifest import SUMMARIES, claim, owns
from legal_orch.domain import SEVERITIES
from legal_orch.reports.calendar import to_ics
from legal_orch.reports.key_terms import key_term_rows
from legal_orch.reports.report import ReviewReport, cost_words, load_report, render

ERRORS_DIR = ".errors"
FIXED_COLUMNS = [
    "name",
    "source",
    "sha256",
    "pages",
    "validation",
    "confidence",
    "failures",
    "not answered",
    "cost",
]
# What each stage does, in words, for the grid's "not answered" column of an incomplete review.
STAGE_WORDS = {
    "extract": "clause extraction",
    "key_terms": "key terms",
    "research": "precedent research",
    "risk": "risk analysis",
    "synthesize": "recommendations",
}
RISK_COLUMNS = [f"risk_{s}" for s in reversed(SEVERITIES)]
TERM_COLUMNS = [
    "acting for",
    "parties",
    "agreement date",
    "effective date",
    "expiration date",
    "renewal",
    "non-renewal notice deadline",
    "governing law",
    "liability cap",
]
ERROR_COLUMNS = ["name", "source", "sha256", "kind", "message"]
OBLIGATION_COLUMNS = ["name", "party", "obligation", "due", "days", "kind", "where"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp makes 0600 files; outputs get the usual permissions (0644 under umask 022).
FILE_MODE = 0o666 & ~_umask()


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so readers see the old file or the whole new one, never a part."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def done_sha256(out: Path, name: str) -> str | None:
    """Return the sha256 of the contract whose complete review is in OUTDIR, or None.

    An incomplete review is not done: what failed (a provider down, a store locked) may pass
    when the batch is run again.
    """
    js, md = out / f"{name}.json", out / f"{name}.md"
    if not (js.is_file() and md.is_file()) or not owns(out, js.name):
        return None
    try:
        report = load_report(js.read_text(encoding="utf-8"))
    except (OSError, ValueError, ValidationError):
        return None  # unreadable or half-written by something else: redo it
    return None if report.validation.status == "incomplete" else report.document.sha256


def write_review(out: Path, name: str, source: str, report: ReviewReport) -> None:
    """Write the contract's Markdown then its JSON (the commit record); clear any old error."""
    # The same content may sit under several names: each output names its own file.
    doc = report.document.model_copy(update={"path": source, "name": PurePosixPath(source).name})
    report = report.model_copy(update={"document": doc})
    claim(out, f"{name}.md", f"{name}.json")
    write_atomic(out / f"{name}.md", render(report, "md"))
    write_atomic(out / f"{name}.json", render(report, "json"))
    (out / ERRORS_DIR / f"{name}.json").unlink(missing_ok=True)


def write_error(
    out: Path, name: str, source: str, sha256: str | None, kind: str, message: str
) -> None:
    """Record why a contract could not be reviewed; drop outputs of an older version of it."""
    (out / ERRORS_DIR).mkdir(parents=True, exist_ok=True)
    record = {
        "name": name,
        "source": source,
        "sha256": sha256 or "",
        "kind": kind,
        "message": message,
    }
    write_atomic(
        out / ERRORS_DIR / f"{name}.json", json.dumps(record, ensure_ascii=False, indent=2)
    )
    for old in (f"{name}.json", f"{name}.md"):
        if owns(out, old):  # never a file someone else put there
            (out / old).unlink(missing_ok=True)


def stranger_output(out: Path, name: str) -> str | None:
    """Return the name of a file in `out` where `name`'s review would go that no batch wrote."""
    for n in (f"{name}.md", f"{name}.json"):
        if (out / n).exists() and not owns(out, n):
            return n
    return None


def clause_answers(report: ReviewReport) -> dict[str, str]:
    """Map each clause category found to its normalised answers ("Yes" where it has none)."""
    found: dict[str, list[str]] = {}
    for c in report.clauses:
        if c.category == "Parties":
            continue  # named in the "parties" column; CUAD's raw spans run to pages
        answers = found.setdefault(c.category, [])
        answer = (c.answer or "Yes").strip() or "Yes"
        if answer not in answers:
            answers.append(answer)
    return {cat: "; ".join(a) for cat, a in found.items()}


def grid_row(report: ReviewReport, name: str) -> dict[str, Any]:
    """Return one document's row of the documents x clause-types grid."""
    counts = report.severity_counts()
    row: dict[str, Any] = {
        "name": name,
        "source": report.document.path,
        "sha256": report.document.sha256,
        "pages": report.document.pages,
        "validation": report.validation.status,
        "confidence": round(report.validation.confidence, 3),
        "failures": len(report.failures),
        "not answered": not_answered(report),
        "cost": cost_words(report.costs),
    }
    row.update({f"risk_{s}": counts[s] for s in reversed(SEVERITIES)})
    row.update(term_cells(report))
    row.update(clause_answers(report))
    return row


def not_answered(report: ReviewReport) -> str:
    """Say what an incomplete review lacks: each failed step, and the rule it was for."""
    parts = []
    for f in report.failures:
        step = STAGE_WORDS.get(f.stage, f.stage)
        part = f"{step} ({f.subtask_id})" if f.subtask_id else step
        if part not in parts:
            parts.append(part)
    return "; ".join(parts)


def term_cells(report: ReviewReport) -> dict[str, str]:
    """The key-terms columns of the grid: the values a lawyer reads first, short."""
    by_label: dict[str, list[str]] = {}
    for r in key_term_rows(report.key_terms):
        by_label.setdefault(r.label, []).append(r.value)
    pick = {
        "parties": "Party",
        "agreement date": "Agreement date",
        "effective date": "Effective date",
        "expiration date": "Expiration date",
        "renewal": "Renewal",
        "non-renewal notice deadline": "Last day to give notice of non-renewal",
        "governing law": "Governing law",
        "liability cap": "Liability cap",
    }
    cells = {col: "; ".join(by_label.get(label, [])) for col, label in pick.items()}
    c = report.client
    cells["acting for"] = (c.party or c.role or "") + (" (assumed)" if c.assumed else "")
    return cells


def reports_in(out: Path) -> list[tuple[str, ReviewReport]]:
    """The reviews written in `out`, by name (a review's JSON with its Markdown beside it)."""
    found = []
    for js in sorted(out.glob("*.json")):
        if not (out / f"{js.stem}.md").is_file() or not owns(out, js.name):
            continue
        try:
            found.append((js.stem, load_report(js.read_text(encoding="utf-8"))))
        except (OSError, ValueError, ValidationError):
            continue  # not one of ours, or being replaced right now
    return found


def grid_rows(out: Path) -> list[dict[str, Any]]:
    """Rebuild the documents x clause-types grid from the per-contract JSONs in `out`."""
    return [grid_row(report, name) for name, report in reports_in(out)]


def error_rows(out: Path) -> list[dict[str, str]]:
    """Read the per-file error records of `out`, sorted by name."""
    rows = []
    for p in sorted((out / ERRORS_DIR).glob("*.json")):
        try:
            rec = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows.append({k: str(rec.get(k, "")) for k in ERROR_COLUMNS})
    return rows


def grid_columns(rows: list[dict[str, Any]]) -> list[str]:
    """Fixed columns, risk counts, then every clause category seen, alphabetically."""
    fixed = set(FIXED_COLUMNS) | set(RISK_COLUMNS) | set(TERM_COLUMNS)
    cats = sorted({k for r in rows for k in r} - fixed)
    return FIXED_COLUMNS + RISK_COLUMNS + TERM_COLUMNS + cats


_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _neutralise(value: Any) -> Any:
    # A cell starting with = + - @ is run as a formula by spreadsheet apps (CSV injection).
    if not isinstance(value, str):
        return value
    value = _XLSX_ILLEGAL.sub("?", value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Render rows as CSV text with every column, formula-like cells neutralised."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: _neutralise(r.get(c, "")) for c in columns})
    return buf.getvalue()


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    """Write one worksheet per entry (columns, rows) to `path` atomically."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, (columns, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(columns)
        for r in rows:
            ws.append([_neutralise(r.get(c, "")) for c in columns])
        ws.freeze_panes = "B2"
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)


def write_summaries(out: Path) -> tuple[list[dict[str, Any]], Path, Path, Path]:
    """Regenerate summary.csv, summary.xlsx, errors.csv and calendar.ics from the records."""
    claim(out, *SUMMARIES)
    reports = reports_in(out)
    rows, errors = [grid_row(r, name) for name, r in reports], error_rows(out)
    write_atomic(out / "calendar.ics", to_ics(r for _, r in reports))
    columns = grid_columns(rows)
    paths = out / "summary.csv", out / "summary.xlsx", out / "errors.csv"
    write_atomic(paths[0], to_csv(rows, columns))
    write_atomic(paths[2], to_csv(errors, ERROR_COLUMNS))
    obligations = [
        {
            "name": name,
            "party": o.party,
            "obligation": o.action,
            "due": o.due,
            "days": o.due_days if o.due_days is not None else "",
            "kind": o.kind,
            "where": f"{r.document.unit}{o.citation.page}",
        }
        for name, r in reports
        for o in r.key_terms.obligations
    ]
    write_xlsx(
        paths[1],
        {
            "summary": (columns, rows),
            "obligations": (OBLIGATION_COLUMNS, obligations),
            "errors": (ERROR_COLUMNS, errors),
        },
    )
    return rows, *paths
