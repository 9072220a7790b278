"""Time each stage and the whole review on 20 CUAD test-split PDFs, cold and warm.

    .venv/bin/python benchmarks/review_stages.py [--data ../shared/data/cuad] [--n 20]

Cold: a fresh `legal-orch review --format json` process per contract (imports, model loads).
Warm: one process, one Reviewer, after one warm-up review. Each phase gets its own new data
directory with the precedent bank already indexed (`legal-orch setup`, untimed), so every timed
review is the first of its contract: nothing is reused from an earlier run. Also checks that every JSON meets
the contract and that every citation and clause quote is exact. Writes
benchmarks/results/review.json and review.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from legal_orch.datasets.splits import cuad_split  # noqa: E402
from legal_orch.ingest.pdf import parse_pdf  # noqa: E402

REQUIRED = {
    "document": {"path", "sha256", "pages"},
    "clause": {"category", "text", "page", "start", "end", "confidence", "answer"},
    "finding": {
        "rule_id",
        "title",
        "severity",
        "status",
        "explanation",
        "citations",
        "precedents",
        "recommendation",
    },
}


def pick(data: Path, n: int) -> list[Path]:
    """Pick `n` test-split PDFs spread over the size range, deterministically."""
    pdfs = sorted(p for p in (data / "full_contract_pdf").rglob("*") if p.suffix.lower() == ".pdf")
    test = [p for p in pdfs if cuad_split(p.name) == "test"]
    step = max(len(test) // n, 1)
    return test[::step][:n]


def contract_errors(report: dict, text: str) -> list[str]:
    """Check one JSON review against the contract and re-slice every quote."""
    errs = [f"document missing {k}" for k in REQUIRED["document"] - set(report["document"])]
    for c in report["clauses"]:
        errs += [f"clause missing {k}" for k in REQUIRED["clause"] - set(c)]
        if text[c["start"] : c["end"]] != c["text"]:
            errs.append(f"clause quote inexact at {c['start']}")
    for f in report["findings"]:
        errs += [f"finding missing {k}" for k in REQUIRED["finding"] - set(f)]
        for q in f["citations"]:
            if text[q["start"] : q["end"]] != q["quote"]:
                errs.append(f"citation inexact at {q['start']}")
    if report["validation"]["status"] not in ("passed", "failed", "incomplete"):
        errs.append("validation status unknown")
    return errs


def count_quotes(report: dict) -> int:
    return len(report["clauses"]) + sum(len(f["citations"]) for f in report["findings"])


def cold(pdfs: list[Path], env: dict) -> list[dict]:
    """Run a fresh `legal-orch review` per contract; time it and read its own peak RSS."""
    rows = []
    exe = str(Path(sys.executable).with_name("legal-orch"))
    for p in pdfs:
        t0 = time.perf_counter()
        child = subprocess.Popen(
            [exe, "review", str(p), "--format", "json", "-q"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        err = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        rows.append(
            {
                "file": p.name,
                "seconds": round(time.perf_counter() - t0, 3),
                "rc": os.waitstatus_to_exitcode(status),
                "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                "stderr": err.strip()[-300:],
            }
        )
    return rows


def fresh_data_dir(root: Path, name: str) -> Path:
    """Make a data directory with the precedent bank indexed (untimed), but no contract in it."""
    from legal_orch.settings import default_data_dir

    d = root / name
    models = default_data_dir() / "models"
    if models.is_dir():  # the one-time ONNX export, reused rather than redone
        shutil.copytree(models, d / "models")
    exe = str(Path(sys.executable).with_name("legal-orch"))
    subprocess.run(
        [exe, "setup", "-q"], env={**os.environ, "LEGAL_ORCH_DATA_DIR": str(d)}, check=True
    )
    return d


def warm(pdfs: list[Path], data_dir: Path) -> tuple[list[dict], list[str], int]:
    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings

    reviewer = Reviewer(Settings(data_dir=data_dir))
    # Warm-up on the bundled sample (not in the timed set): models and the precedent index loaded.
    reviewer.review(ROOT / "corpora" / "samples" / "reseller_agreement.pdf", fresh=True)
    rows, errors, quotes = [], [], 0
    for p in pdfs:
        t0 = time.perf_counter()
        rep = reviewer.review(p, fresh=True)
        wall = time.perf_counter() - t0
        data = json.loads(rep.to_json())
        text = parse_pdf(p).text
        errs = contract_errors(data, text)
        errors += [f"{p.name}: {e}" for e in errs]
        quotes += count_quotes(data)
        rows.append(
            {
                "file": p.name,
                "pages": data["document"]["pages"],
                "seconds": round(wall, 3),
                "stages": rep.timings,
                "validation": rep.validation.status,
                "clauses": len(rep.clauses),
                "findings": len(rep.findings),
                "contract_errors": len(errs),
            }
        )
    return rows, errors, quotes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "cuad")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args()
    pdfs = pick(args.data, args.n)
    with tempfile.TemporaryDirectory() as tmp:
        # Cold first, while this process is small: a child's peak RSS starts at its parent's.
        cold_dir = fresh_data_dir(Path(tmp), "cold")
        cold_rows = cold(pdfs, {**os.environ, "LEGAL_ORCH_DATA_DIR": str(cold_dir)})
        warm_rows, errors, quotes = warm(pdfs, fresh_data_dir(Path(tmp), "warm"))
    peak_warm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stages = sorted({s for r in warm_rows for s in r["stages"]})
    result = {
        "machine": f"{os.cpu_count()} cores",
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "contracts": len(pdfs),
        "median_pages": statistics.median(r["pages"] for r in warm_rows),
        "warm_median_seconds": statistics.median(r["seconds"] for r in warm_rows),
        "warm_p90_seconds": sorted(r["seconds"] for r in warm_rows)[int(0.9 * len(warm_rows)) - 1],
        "cold_median_seconds": statistics.median(r["seconds"] for r in cold_rows),
        "cold_failures": [r for r in cold_rows if r["rc"] != 0],
        "stage_median_seconds": {
            s: round(statistics.median(r["stages"].get(s, 0.0) for r in warm_rows), 3)
            for s in stages
        },
        "peak_rss_mb_warm_process": round(peak_warm, 1),
        "peak_rss_mb_cold_process": max((r["peak_rss_mb"] for r in cold_rows), default=None),
        "quotes_checked": quotes,
        "quotes_exact_pct": round(
            100 * (1 - sum("inexact" in e for e in errors) / max(quotes, 1)), 2
        ),
        "contract_errors": errors[:50],
        "validation": {
            s: sum(r["validation"] == s for r in warm_rows)
            for s in ("passed", "failed", "incomplete")
        },
        "warm": warm_rows,
        "cold": cold_rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "review.json").write_text(json.dumps(result, indent=2))
    md = [
        "# Review benchmark",
        "",
        f"{len(pdfs)} CUAD test-split PDFs (median {result['median_pages']} pages), {result['machine']}.",
        "",
        f"- warm review: median {result['warm_median_seconds']:.2f} s, p90 {result['warm_p90_seconds']:.2f} s",
        f"- cold `legal-orch review`: median {result['cold_median_seconds']:.2f} s",
        f"- peak RSS: warm process {result['peak_rss_mb_warm_process']} MB, cold process {result['peak_rss_mb_cold_process']} MB",
        f"- quotes checked: {quotes}, exact: {result['quotes_exact_pct']}%; contract errors: {len(errors)}",
        f"- validation: {result['validation']}",
        "",
        "| stage | median s (warm) |",
        "|---|---|",
    ] + [f"| {s} | {v} |" for s, v in result["stage_median_seconds"].items()]
    (args.out / "review.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
