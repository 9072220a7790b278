"""A data room's cost as a ratio to the pypdf floor: throughput, stages, memory, the cost curve.

    .venv/bin/python benchmarks/scale.py throughput --n 20 [--workers 2] [--max-seconds S]
    .venv/bin/python benchmarks/scale.py memory --n 200 [--trace 30]
    .venv/bin/python benchmarks/scale.py curve [--sizes 20,200,2000] [--max-seconds 600]
    .venv/bin/python benchmarks/scale.py cold --n 5 [--baseline COMMIT]
    .venv/bin/python benchmarks/scale.py store --n 100

Rooms are made from the CUAD test-split PDFs (never trained or tuned on): the first `n` by name,
then the same files again under other names with a comment appended after `%%EOF`, so each copy
is new content (the batch reviews identical copies once) and costs what its original costs.

Absolute times on the shared 2-core machine swing with the other jobs, so every figure is also
given as a ratio to the floor measured in the same run: the seconds pypdf needs to extract the
text of the same files in one process (measured before and after the batch, averaged). The
issue's aim, 60 contracts a minute on 2 cores for CUAD-sized contracts, is a ratio of about 9
core-seconds of batch per second of pypdf. The 1-minute load average is recorded with each run.
A run cut short by `--max-seconds` counts the contracts finished by then and extrapolates.

Writes benchmarks/results/scale/<kind>-<n>.json and benchmarks/results/scale/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "scale"
WORK = ROOT / "benchmarks" / "results" / "tmp" / "scale"
DATA = ROOT.parent / "shared" / "data" / "cuad"


# -- rooms and the floor ---------------------------------------------------------------------


def originals(data: Path) -> list[Path]:
    """The CUAD test-split PDFs, by name."""
    from legal_orch.datasets.splits import cuad_split

    pdfs = sorted(p for p in (data / "full_contract_pdf").rglob("*") if p.suffix.lower() == ".pdf")
    return [p for p in pdfs if cuad_split(p.name) == "test"]


def room(n: int, data: Path) -> tuple[Path, dict[str, Path]]:
    """Make (or reuse) a folder of `n` distinct PDFs; return it and each file's original."""
    src = originals(data)
    folder = WORK / f"room-{n}"
    origin = {}
    for i in range(n):
        p = src[i % len(src)]
        copy = i // len(src)
        name = p.name if copy == 0 else f"copy{copy}-{p.name}"
        origin[name] = p
        dest = folder / name
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            body = p.read_bytes()
            dest.write_bytes(body if copy == 0 else body + f"\n%bench copy {i}\n".encode())
    return folder, origin


def pypdf_seconds(paths: list[Path]) -> dict[str, float]:
    """Seconds pypdf takes to extract each file's text, in this process, one after another."""
    from pypdf import PdfReader

    out = {}
    for p in paths:
        t0 = time.perf_counter()
        for page in PdfReader(str(p)).pages:
            page.extract_text()
        out[str(p)] = time.perf_counter() - t0
    return out


def load() -> float:
    return round(os.getloadavg()[0], 2)


# -- throughput -------------------------------------------------------------------------------


def data_dir_template() -> Path:
    """A data directory with the bank's caches built once (`legal-orch setup`, not timed)."""
    template, ready = WORK / "data-template", WORK / "data-template.ready"
    if not ready.exists():
        shutil.rmtree(template, ignore_errors=True)
        env = {**os.environ, "LEGAL_ORCH_DATA_DIR": str(template)}
        subprocess.run([sys.executable, "-m", "legal_orch.cli", "setup", "-q"], env=env, check=True)
        ready.touch()
    return template


def batch_child(src: str, out: str, workers: str) -> None:
    """Run one batch in this (child) process and print its result as JSON."""
    from legal_orch.batch.driver import run_batch

    t0 = time.perf_counter()
    r = run_batch(Path(src), Path(out), workers=int(workers), engine="local")
    print(
        json.dumps(
            {
                "wall_s": round(time.perf_counter() - t0, 2),
                "total": r.total,
                "succeeded": r.succeeded,
                "incomplete": r.incomplete,
                "failed": r.failed,
                "validation_failed": r.validation_failed,
                "worker_peak_rss_mb": sorted(r.worker_peak_rss_mb.values()),
            }
        )
    )


def stage_costs(out: Path) -> tuple[dict[str, dict[str, float]], list[int]]:
    """Per-stage seconds per contract (mean, median, total) from the per-contract JSONs."""
    timings, pages = [], []
    for f in out.glob("*.json"):
        data = json.loads(f.read_text(encoding="utf-8"))
        timings.append(data.get("timings") or {})
        pages.append(data["document"]["pages"])
    stages = sorted({s for t in timings for s in t})
    return {
        s: {
            "mean": round(statistics.fmean(t.get(s, 0.0) for t in timings), 4),
            "median": round(statistics.median(t.get(s, 0.0) for t in timings), 4),
            "total": round(sum(t.get(s, 0.0) for t in timings), 2),
        }
        for s in stages
    } if timings else {}, pages


def throughput(n: int, workers: int, max_seconds: float | None, data: Path) -> dict:
    """Run a batch of `n` contracts; measure it against the pypdf floor of the same files."""
    folder, origin = room(n, data)
    unique = sorted(set(origin.values()))
    load_start = load()
    floor_before = pypdf_seconds(unique)
    dd = WORK / f"data-{n}"
    out = WORK / f"out-{n}"
    for d in (dd, out):
        shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(data_dir_template(), dd)
    env = {**os.environ, "LEGAL_ORCH_DATA_DIR": str(dd)}
    cmd = [sys.executable, __file__, "batch-child", str(folder), str(out), str(workers)]
    t0 = time.perf_counter()
    child = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, _ = child.communicate(timeout=max_seconds)
        result = json.loads(stdout.strip().splitlines()[-1])
        partial = False
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)  # the batch and its workers: resumable, by design
        child.wait()
        result = {"wall_s": round(time.perf_counter() - t0, 2)}
        partial = True
    load_end = load()
    floor_after = pypdf_seconds(unique)
    floor_of = {k: (floor_before[k] + floor_after[k]) / 2 for k in floor_before}
    stages, pages = stage_costs(out)
    done = len(pages)
    from legal_orch.batch.outputs import write_summaries

    t_grid = time.perf_counter()
    write_summaries(out)  # what the end of every run redoes from all per-contract records
    grid_s = time.perf_counter() - t_grid
    done_names = {f.stem for f in out.glob("*.json")}
    floor_done = sum(
        floor_of[str(p)] for name, p in origin.items() if Path(name).stem in done_names
    )
    floor_room = sum(floor_of[str(p)] for p in origin.values())
    wall = result["wall_s"]
    per_contract_core_s = wall * workers / max(done, 1)
    ratio = wall * workers / max(floor_done, 1e-9)
    row = {
        "kind": "throughput",
        "contracts": n,
        "workers": workers,
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_start": load_start,
        "load_end": load_end,
        "partial": partial,
        "reviewed": done,
        "median_pages": statistics.median(pages) if pages else None,
        "wall_s": wall,
        "contracts_per_min": round(done / wall * 60, 1),
        "pypdf_floor_s_reviewed": round(floor_done, 2),
        "pypdf_floor_s_per_contract": round(floor_done / max(done, 1), 3),
        "ratio_core_s_to_pypdf_s": round(ratio, 2),
        "core_s_per_contract": round(per_contract_core_s, 2),
        "stage_s_per_contract": stages,
        "grid_rebuild_s": round(grid_s, 2),
        "grid_rebuild_ms_per_contract": round(1000 * grid_s / max(done, 1), 2),
        **{k: v for k, v in result.items() if k != "wall_s"},
    }
    if partial:
        row["extrapolated_wall_s"] = round(wall * floor_room / max(floor_done, 1e-9), 1)
        row["note"] = (
            f"stopped after {max_seconds:.0f} s with {done} of {n} reviewed; the whole room "
            "extrapolated at the same ratio to its pypdf floor"
        )
    return row


# -- memory -----------------------------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory(n: int, trace: int, data: Path) -> dict:
    """One worker's memory over `n` reviews: RSS after each, growth per review, what grows."""
    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings

    folder, origin = room(n, data)
    dd = WORK / "data-memory"
    shutil.rmtree(dd, ignore_errors=True)
    shutil.copytree(data_dir_template(), dd)
    os.environ["LEGAL_ORCH_DATA_DIR"] = str(dd)
    settings = Settings(data_dir=dd, interrupts=False, embed_threads=1)
    reviewer = Reviewer(settings)
    files = [folder / name for name in origin]
    load_start = load()
    rss, seconds = [], []
    top: list[str] = []
    snap0 = None
    for i, p in enumerate(files):
        if trace and i == len(files) - trace:
            gc.collect()
            tracemalloc.start(25)
            snap0 = tracemalloc.take_snapshot()
        t0 = time.perf_counter()
        reviewer.review(p, fresh=True)
        # As a batch worker does: a finished thread is never resumed.
        reviewer.checkpointer.delete_thread(reviewer.thread_id(p))
        seconds.append(time.perf_counter() - t0)
        rss.append(round(rss_mb(), 1))
    if snap0 is not None:
        gc.collect()
        diff = tracemalloc.take_snapshot().compare_to(snap0, "traceback")
        top = [
            f"{d.size_diff / 2**10:+.0f} KiB in {d.count_diff:+d} blocks: "
            + " <- ".join(
                f"{f.filename.split('site-packages/')[-1].split('wt-scale/')[-1]}:{f.lineno}"
                for f in reversed(d.traceback[-4:])  # the allocating frame first
            )
            for d in diff[:15]
        ]
        tracemalloc.stop()
    # Growth per review: a least-squares slope over the second half (models long loaded).
    half = rss[len(rss) // 2 : len(rss) - trace] if trace else rss[len(rss) // 2 :]
    slope = _slope(half)
    return {
        "kind": "memory",
        "contracts": n,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_start": load_start,
        "load_end": load(),
        "rss_mb_after_first": rss[0],
        "rss_mb_after_last_untraced": half[-1] if half else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "growth_mb_per_review_second_half": round(slope, 3),
        "median_review_s": round(statistics.median(seconds), 3),
        "traced_reviews": trace,
        "tracemalloc_top_growth": top,
        "rss_mb": rss,
    }


def _slope(ys: list[float]) -> float:
    if len(ys) < 2:
        return 0.0
    xs = range(len(ys))
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


# -- the store ----------------------------------------------------------------------------------


def store(n: int, data: Path) -> dict:
    """What keeping contracts for cross-contract search costs, against a `chroma run` server.

    Per contract: its sentences, the seconds to embed them (the worker's cost) and to write
    them to the server (the store's cost; vectors computed beforehand), and one search's latency.
    Each contract is written `copies` times under other ids so the server holds many collections.
    """
    from legal_orch.domain import Document
    from legal_orch.ingest.pdf import parse_pdf
    from legal_orch.ingest.segment import segment
    from legal_orch.retrieval.chroma_server import ChromaServer
    from legal_orch.retrieval.embeddings import Embedder, default_embedder
    from legal_orch.retrieval.store import Store
    from legal_orch.settings import Settings

    folder, origin = room(min(n, 20), data)
    docs = [parse_pdf(folder / name) for name in origin]
    segs = [segment(d) for d in docs]
    dd = WORK / "data-store"
    shutil.rmtree(dd, ignore_errors=True)
    shutil.copytree(data_dir_template(), dd, ignore=shutil.ignore_patterns("chroma*"))
    embedder = Embedder(cache_dir=default_embedder(Settings(data_dir=dd)).cache_dir, threads=1)
    load_start = load()
    embed_s, sentences = [], []
    vectors = []
    for seg in segs:
        texts = [x.text for x in seg.sentences]
        t0 = time.perf_counter()
        vectors.append(embedder.encode(texts))
        embed_s.append(time.perf_counter() - t0)
        sentences.append(len(texts))
    copies = max(1, n // len(docs))
    write_s, query_s = [], []

    class Given(Embedder):  # hands back the vectors computed above: time only the writes
        def __init__(self, vecs):
            super().__init__(cache_dir=embedder.cache_dir)
            self.vecs = vecs

        def encode(self, texts):
            return self.vecs if len(texts) == len(self.vecs) else embedder.encode(texts)

    with ChromaServer(dd / "chroma-server").start() as server:
        settings = Settings(data_dir=dd, chroma_host=server.host, chroma_port=server.port)
        for c in range(copies):
            for doc, seg, vecs in zip(docs, segs, vectors, strict=True):
                twin = Document(**{**doc.model_dump(), "sha256": f"{c:04d}{doc.sha256[4:]}"})
                st = Store(settings, Given(vecs))
                t0 = time.perf_counter()
                st.index_contract(twin, seg)
                write_s.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                st.search_contract(twin.sha256, "limitation of liability", k=5)
                query_s.append(time.perf_counter() - t0)
        disk = sum(f.stat().st_size for f in (dd / "chroma-server").rglob("*") if f.is_file())
    total_sentences = sum(sentences) * copies
    return {
        "kind": "store",
        "contracts": len(write_s),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_start": load_start,
        "load_end": load(),
        "median_sentences": statistics.median(sentences),
        "embed_s_per_contract_median": round(statistics.median(embed_s), 3),
        "embed_sentences_per_s": round(sum(sentences) / sum(embed_s), 1),
        "write_s_per_contract_median": round(statistics.median(write_s), 3),
        "write_s_per_contract_last_20_median": round(statistics.median(write_s[-20:]), 3),
        "query_ms_median": round(1000 * statistics.median(query_s), 1),
        "disk_bytes_per_sentence": round(disk / max(total_sentences, 1)),
        "disk_mb": round(disk / 2**20, 1),
    }


# -- cold start -------------------------------------------------------------------------------


def baseline_root(commit: str) -> Path:
    """A copy of the package at `commit` (git archive), importable through its own PYTHONPATH."""
    base = WORK / f"base-{commit[:12]}"
    if not (base / ".pyroot").is_dir():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        links = {
            "legal_orch": "legal_orch",
            "legal_orch_agents": "agents",
            "legal_orch_corpora": "corpora",
            "legal_orch_evals": "evals",
            "legal_orch_ui": "ui",
        }
        (base / ".pyroot").mkdir()
        for name, target in links.items():
            (base / ".pyroot" / name).symlink_to(base / target)
    return base / ".pyroot"


def cold_once(pyroot: Path, data_dir: Path, pdf: Path) -> dict:
    """One `legal-orch review` process: wall seconds, CPU seconds, peak RSS, exit status."""
    env = {**os.environ, "PYTHONPATH": str(pyroot), "LEGAL_ORCH_DATA_DIR": str(data_dir)}
    cmd = [sys.executable, "-m", "legal_orch.cli", "review", str(pdf), "--format", "json"]
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [*cmd, "--fresh", "-q"],
        env=env,
        cwd=pyroot.parent,  # `-m` puts the working directory first on sys.path
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    return {
        "wall_s": round(time.perf_counter() - t0, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "rc": os.waitstatus_to_exitcode(status),
        "load": load(),
    }


def cold(runs: int, baseline: str | None, pdf: Path) -> dict:
    """Cold `legal-orch review` processes, alternating with a baseline commit's when given."""
    variants = {"now": ROOT / ".pyroot" if (ROOT / ".pyroot").is_dir() else ROOT}
    if baseline:
        variants[f"baseline {baseline[:9]}"] = baseline_root(baseline)
    rows: dict[str, list[dict]] = {v: [] for v in variants}
    for name, pyroot in variants.items():  # each variant's caches made once, untimed
        dd = WORK / f"data-cold-{name.split()[0]}"
        env = {**os.environ, "PYTHONPATH": str(pyroot), "LEGAL_ORCH_DATA_DIR": str(dd)}
        cmd = [sys.executable, "-m", "legal_orch.cli", "setup", "-q"]
        subprocess.run(cmd, env=env, cwd=pyroot.parent, check=True)
        cold_once(pyroot, dd, pdf)
    for _ in range(runs):
        for name, pyroot in variants.items():
            dd = WORK / f"data-cold-{name.split()[0]}"
            rows[name].append(cold_once(pyroot, dd, pdf))
    return {
        "kind": "cold",
        "contracts": runs,
        "file": pdf.name,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "variants": {
            name: {
                "median_wall_s": statistics.median(r["wall_s"] for r in rs),
                "median_cpu_s": statistics.median(r["cpu_s"] for r in rs),
                "median_peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in rs),
                "loads": [r["load"] for r in rs],
                "runs": rs,
            }
            for name, rs in rows.items()
        },
    }


# -- output -----------------------------------------------------------------------------------


def save(row: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    tag = f"{row['kind']}-{row['contracts']}"
    (RESULTS / f"{tag}.json").write_text(json.dumps(row, indent=2) + "\n")
    (RESULTS / "README.md").write_text(summary())
    print(json.dumps({k: v for k, v in row.items() if k not in ("rss_mb",)}, indent=2))


def summary() -> str:
    rows = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]
    t = sorted((r for r in rows if r["kind"] == "throughput"), key=lambda r: r["contracts"])
    m = [r for r in rows if r["kind"] == "memory"]
    c = [r for r in rows if r["kind"] == "cold"]
    st = [r for r in rows if r["kind"] == "store"]
    lines = [
        "# Scale benchmarks (`benchmarks/scale.py`)",
        "",
        "Ratio: core-seconds of batch per second of pypdf text extraction of the same files, in",
        "the same run (the aim, 60 contracts/min on 2 cores for CUAD-sized contracts, is ~9).",
        "",
        "| contracts | workers | reviewed | wall s | contracts/min | pypdf s/contract | ratio | "
        "peak RSS per worker MB | load start-end | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in t:
        rss = ", ".join(f"{x:.0f}" for x in r.get("worker_peak_rss_mb", [])) or "–"
        note = r.get("note", "")
        if r.get("extrapolated_wall_s"):
            note += f"; whole room ~{r['extrapolated_wall_s'] / 60:.0f} min"
        lines.append(
            f"| {r['contracts']} | {r['workers']} | {r['reviewed']} | {r['wall_s']} | "
            f"{r['contracts_per_min']} | {r['pypdf_floor_s_per_contract']} | "
            f"{r['ratio_core_s_to_pypdf_s']} | {rss} | {r['load_start']}-{r['load_end']} | {note} |"
        )
    if t:
        big = max(t, key=lambda r: r["reviewed"])
        lines += ["", f"Stage seconds per contract ({big['contracts']}-contract room):", ""]
        lines += ["| stage | mean | median |", "|---|---|---|"]
        for s, v in sorted(big["stage_s_per_contract"].items(), key=lambda kv: -kv[1]["mean"]):
            lines.append(f"| {s} | {v['mean']} | {v['median']} |")
    for r in m:
        lines += [
            "",
            f"Memory, one worker over {r['contracts']} reviews (load {r['load_start']}-"
            f"{r['load_end']}): RSS {r['rss_mb_after_first']} MB after the first review, "
            f"{r['rss_mb_after_last_untraced']} MB after the last untraced one, peak "
            f"{r['peak_rss_mb']} MB; growth {r['growth_mb_per_review_second_half']} MB per review "
            f"over the second half; median review {r['median_review_s']} s.",
        ]
        if r["tracemalloc_top_growth"]:
            lines += ["", f"tracemalloc, the last {r['traced_reviews']} reviews, top growth:", ""]
            lines += [f"- {x}" for x in r["tracemalloc_top_growth"][:10]]
    for r in st:
        lines += [
            "",
            f"Keeping contracts for cross-contract search ({r['contracts']} contracts written to a "
            f"`chroma run` server, load {r['load_start']}-{r['load_end']}): median "
            f"{r['median_sentences']} sentences a contract; embedding them "
            f"{r['embed_s_per_contract_median']} s ({r['embed_sentences_per_s']} sentences/s, one "
            f"thread); writing them {r['write_s_per_contract_median']} s (last 20: "
            f"{r['write_s_per_contract_last_20_median']} s); a search {r['query_ms_median']} ms; "
            f"{r['disk_bytes_per_sentence']} bytes on disk a sentence ({r['disk_mb']} MB).",
        ]
    for r in c:
        lines += [
            "",
            f"Cold `legal-orch review {r['file']} --format json` processes, {r['contracts']} each, "
            "alternating (medians):",
            "",
            "| code | wall s | CPU s | peak RSS MB | 1-min load during the runs |",
            "|---|---|---|---|---|",
        ]
        for name, v in r["variants"].items():
            lines.append(
                f"| {name} | {v['median_wall_s']} | {v['median_cpu_s']} | "
                f"{v['median_peak_rss_mb']} | {min(v['loads'])}-{max(v['loads'])} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "batch-child":
        batch_child(*sys.argv[2:5])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["throughput", "memory", "curve", "cold", "store"])
    ap.add_argument("--baseline", help="a commit to compare the cold start with")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-seconds", type=float, default=None)
    ap.add_argument("--sizes", default="20,200,2000")
    ap.add_argument("--trace", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    if args.kind == "store":
        save(store(args.n, args.data))
    elif args.kind == "cold":
        save(cold(args.n, args.baseline, ROOT / "corpora" / "samples" / "reseller_agreement.pdf"))
    elif args.kind == "memory":
        save(memory(args.n, args.trace, args.data))
    elif args.kind == "throughput":
        save(throughput(args.n, args.workers, args.max_seconds, args.data))
    else:
        for n in map(int, args.sizes.split(",")):
            save(throughput(n, args.workers, args.max_seconds, args.data))


if __name__ == "__main__":
    main()
