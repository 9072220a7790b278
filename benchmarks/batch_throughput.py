"""Contracts per minute of `legal-orch batch` on CUAD test-split PDFs: 1 and 2 workers, local and Ray.

    .venv/bin/python benchmarks/batch_throughput.py [--data ../shared/data/cuad] [--n 50]
        [--configs local:1,local:2,ray:1,ray:2]

Each configuration runs in a fresh process on a fresh output folder and a fresh copy of one data
directory whose precedent bank was indexed once beforehand (not timed), so no run reuses another
run's contract index. Wall time covers the whole batch: process and model start-up included.
Peak RSS is each worker's own `ru_maxrss`. Writes benchmarks/results/batch.json and batch.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
WORK = RESULTS / "tmp" / "batch"


def pick(data: Path, n: int) -> list[Path]:
    """Return the first `n` test-split CUAD PDFs by name (never trained or tuned on)."""
    from legal_orch.datasets.splits import cuad_split

    pdfs = sorted(p for p in (data / "full_contract_pdf").rglob("*") if p.suffix.lower() == ".pdf")
    return [p for p in pdfs if cuad_split(p.name) == "test"][:n]


def one(src: Path, out: Path, engine: str, workers: int) -> dict:
    """Run one batch in this process and return its measurements."""
    from legal_orch.batch.driver import run_batch

    t0 = time.perf_counter()
    r = run_batch(src, out, workers=workers, engine=engine)  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    return {
        "engine": engine,
        "workers": workers,
        "files": r.total,
        "succeeded": r.succeeded,
        "failed": r.failed,
        "wall_s": round(wall, 1),
        "contracts_per_min": round(r.succeeded / wall * 60, 1),
        "worker_peak_rss_mb": sorted(r.worker_peak_rss_mb.values()),
        "validation": {
            s: sum(row["validation"] == s for row in r.rows)
            for s in ("passed", "failed", "incomplete")
        },
    }


def prepare(pdfs: list[Path]) -> tuple[Path, Path]:
    """Copy the chosen PDFs into one folder and index the precedent bank once in a template."""
    src, template, ready = WORK / "src", WORK / "data-template", WORK / "data-template.ready"
    if ready.exists() and sorted(p.name for p in src.iterdir()) == sorted(p.name for p in pdfs):
        return src, template  # an earlier run's template: the same bank, no contract indexed
    shutil.rmtree(WORK, ignore_errors=True)
    src.mkdir(parents=True)
    for p in pdfs:
        shutil.copy(p, src / p.name)
    env = {**os.environ, "LEGAL_ORCH_DATA_DIR": str(template)}
    subprocess.run([sys.executable, "-m", "legal_orch.cli", "setup", "-q"], env=env, check=True)
    ready.touch()
    return src, template


def run_config(src: Path, template: Path, engine: str, workers: int) -> dict:
    """Run one configuration in a fresh process with its own copy of the data directory."""
    tag = f"{engine}-{workers}"
    data = WORK / f"data-{tag}"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(template, data)
    env = {**os.environ, "LEGAL_ORCH_DATA_DIR": str(data), "RAY_USAGE_STATS_ENABLED": "0"}
    cmd = [
        sys.executable,
        __file__,
        "--one",
        str(src),
        str(WORK / f"out-{tag}"),
        engine,
        str(workers),
    ]
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def to_md(result: dict) -> str:
    lines = [
        f"# Batch throughput ({result['n']} CUAD test-split PDFs, {result['cpus']} CPUs)",
        "",
        "| engine | workers | ok/files | wall s | contracts/min | peak RSS per worker (MB) |",
        "|---|---|---|---|---|---|",
    ]
    for r in result["runs"]:
        rss = ", ".join(f"{m:.0f}" for m in r["worker_peak_rss_mb"])
        lines.append(
            f"| {r['engine']} | {r['workers']} | {r['succeeded']}/{r['files']} | {r['wall_s']} "
            f"| {r['contracts_per_min']} | {rss} |"
        )
    lines += [
        "",
        f"Measured {result['date']} by `{result['command']}`; 1-minute load average at start "
        f"{result['load']} on {result['cpus']} CPUs (shared with other jobs).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "cuad")
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--configs", default="local:1,local:2,ray:1,ray:2")
    ap.add_argument("--one", nargs=4, metavar=("SRC", "OUT", "ENGINE", "WORKERS"))
    args = ap.parse_args()
    if args.one:
        src, out, engine, workers = args.one
        print(json.dumps(one(Path(src), Path(out), engine, int(workers))))
        return
    pdfs = pick(args.data, args.n)
    if len(pdfs) < args.n:
        sys.exit(f"batch_throughput: only {len(pdfs)} test-split PDFs under {args.data}")
    load = round(os.getloadavg()[0], 2)
    src, template = prepare(pdfs)
    result = {
        "n": len(pdfs),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load": load,
        "command": "benchmarks/batch_throughput.py " + " ".join(sys.argv[1:]),
        "runs": [],
    }
    for cfg in args.configs.split(","):
        engine, workers = cfg.split(":")
        result["runs"].append(run_config(src, template, engine, int(workers)))
        print(json.dumps(result["runs"][-1]), file=sys.stderr)
        write(result)  # after each configuration, so a long run still leaves its numbers
    print(to_md(result))


def write(result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "batch.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "batch.md").write_text(to_md(result))


if __name__ == "__main__":
    main()
