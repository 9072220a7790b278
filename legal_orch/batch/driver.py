"""Review a data room: many contracts in parallel, resumable, locally or on a Ray cluster.

The driver alone writes OUTDIR; workers (processes or Ray actors) each hold one Reviewer and
send back reports. Resume is by content: a file whose complete JSON in OUTDIR has the same
sha256 is skipped. Files with identical content are reviewed once. See docs/batch.md.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from legal_orch.batch.estimate import BatchEstimate, estimate
from legal_orch.batch.inputs import BatchInput, find_inputs
from legal_orch.batch.manifest import SUMMARIES, strangers
from legal_orch.batch.outputs import (
    done_sha256,
    reports_in,
    stranger_output,
    write_error,
    write_review,
    write_summaries,
)
from legal_orch.batch.worker import Job, Outcome
from legal_orch.costs import Ledger, spent
from legal_orch.errors import CheckpointError, InputError, LegalOrchError
from legal_orch.ingest import check_input as check_file
from legal_orch.ingest.pdf import sha256_file
from legal_orch.reports.report import load_report
from legal_orch.settings import Settings

Engine = Literal["local", "ray"]
LEDGER = ".budget.sqlite"  # what the batch's contracts reserved and spent of `--budget`


class BatchUsageError(LegalOrchError):
    """A batch asked for something it cannot do (bad worker count, no Chroma server for Ray)."""


@dataclass
class BatchProgress:
    """Where a batch stands: files done (reviewed, failed or skipped) of the total."""

    done: int
    total: int
    failed: int
    current: str | None  # the file that finished last
    rate_per_min: float  # files reviewed per minute in this run (skipped ones not counted)
    eta_seconds: float | None


@dataclass
class BatchResult:
    """A finished batch: counts, the grid files, and the grid's rows.

    Every file found is counted once: succeeded (a complete review, whether or not its
    validation passed), incomplete (reviewed, but an agent failed: some rules lack an answer)
    or failed (not reviewed: a row in errors.csv). `skipped` counts files done by an earlier run.
    """

    total: int
    succeeded: int  # reviewed in this run or earlier, complete
    failed: int
    skipped: int  # already done by an earlier run
    summary_csv: Path
    summary_xlsx: Path
    errors_csv: Path
    incomplete: int = 0
    validation_failed: int = 0  # of those succeeded, reviews whose validation failed
    rows: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    worker_peak_rss_mb: dict[int, float] = field(default_factory=dict)
    money: float = 0.0  # spent on language models by the reviews in the grid (price table)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.incomplete == 0


@dataclass
class _Tracker:
    total: int
    on_progress: Callable[[BatchProgress], None] | None
    done: int = 0
    failed: int = 0
    reviewed: int = 0
    t0: float = field(default_factory=time.monotonic)

    def tick(self, current: str | None, *, failed: bool = False) -> None:
        self.done += 1
        self.failed += failed
        self.reviewed += 1
        self.emit(current)

    def emit(self, current: str | None) -> None:
        if self.on_progress is None:
            return
        elapsed = max(time.monotonic() - self.t0, 1e-6)
        rate = self.reviewed / elapsed * 60
        left = self.total - self.done
        eta = left / rate * 60 if rate > 0 else None
        self.on_progress(
            BatchProgress(self.done, self.total, self.failed, current, round(rate, 2), eta)
        )


def _plan(
    inputs: list[BatchInput], out: Path, tracker: _Tracker, max_file_mb: float
) -> dict[str, list[BatchInput]]:
    """Check and hash every input; skip those already done; group the rest by content."""
    todo: dict[str, list[BatchInput]] = {}
    for item in inputs:
        try:
            if item.problem is not None:
                raise item.problem
            # Empty, huge and non-PDF files fail here at once, without a worker's time.
            check_file(item.path, max_file_mb, shown=item.relpath)
            sha = sha256_file(item.path)
        except (InputError, OSError) as e:
            _record_early(out, item, e)
            tracker.failed += 1
            tracker.done += 1
            continue
        if done_sha256(out, item.name) == sha:
            tracker.done += 1
            continue
        todo.setdefault(sha, []).append(item)
    return todo


def _record_early(out: Path, item: BatchInput, e: InputError | OSError) -> None:
    if isinstance(e, InputError):
        write_error(out, item.name, item.relpath, None, e.kind, str(e))
    else:
        write_error(
            out,
            item.name,
            item.relpath,
            None,
            "unreadable",
            f"{item.relpath}: cannot read ({e.strerror})",
        )


def _record(outcome: Outcome, group: list[BatchInput], out: Path, tracker: _Tracker) -> None:
    """Write one outcome for every input with that content, then report progress."""
    report = load_report(outcome.report_json) if outcome.report_json else None
    for item in group:
        taken = stranger_output(out, item.name)
        if report is not None and taken:
            msg = f"{item.relpath}: reviewed, but {taken} in the output folder is not this tool's; left as it is"
            write_error(out, item.name, item.relpath, outcome.sha256, "output_exists", msg)
            tracker.tick(item.relpath, failed=True)
            continue
        if report is not None:
            write_review(out, item.name, item.relpath, report)
        else:
            # The worker names the file it reviewed; a duplicate's record must name itself.
            msg = outcome.error.replace(outcome.source, item.relpath, 1)
            write_error(out, item.name, item.relpath, outcome.sha256, outcome.error_kind, msg)
        tracker.tick(item.relpath, failed=report is None)


@contextlib.contextmanager
def _store(settings: Settings, engine: Engine, workers: int, out: Path) -> Iterator[Settings]:
    """Yield the settings workers use to reach Chroma, starting a local server when needed."""
    from legal_orch.retrieval.chroma_server import ChromaServer
    from legal_orch.retrieval.store_lock import acquire, release

    if settings.chroma_host:
        yield settings
    elif engine == "local" and workers == 1:
        # One worker process opens the embedded store; the lock keeps any other batch out.
        fd = acquire(settings.chroma_path())
        try:
            yield settings
        finally:
            release(fd)
    else:
        with ChromaServer(settings.chroma_path()).start(log=out / ".chroma-server.log") as server:
            yield settings.model_copy(
                update={"chroma_host": server.host, "chroma_port": server.port}
            )


def _outcomes(
    jobs: list[Job],
    settings: Settings,
    playbook: str | None,
    workers: int,
    engine: Engine,
    ray_address: str | None,
    timeout_per_file: float | None,
) -> Iterator[Outcome]:
    if engine == "ray":
        from legal_orch.batch.ray_engine import run_ray

        return run_ray(jobs, settings, playbook, workers, ray_address)
    from legal_orch.batch.local import run_local

    return run_local(jobs, settings, playbook, workers, timeout_per_file)


def _check_usage(
    workers: int,
    engine: str,
    ray_address: str | None,
    settings: Settings | None,
    timeout_per_file: float | None = None,
    budget: float | None = None,
) -> None:
    if workers < 1:
        raise BatchUsageError(f"--workers {workers}: need at least 1")
    if timeout_per_file is not None and timeout_per_file <= 0:
        raise BatchUsageError(f"--timeout-per-file {timeout_per_file:g}: need more than 0 s")
    if timeout_per_file is not None and engine == "ray":
        raise BatchUsageError("--timeout-per-file works with --engine local only, for now")
    if engine not in ("local", "ray"):
        raise BatchUsageError(f"--engine {engine}: expected local or ray")
    if budget is not None and engine == "ray" and ray_address:
        raise BatchUsageError(
            "--budget keeps its ledger in --out, which workers on other machines cannot reach: "
            "use it with --engine local or a local Ray"
        )
    if budget is not None and budget < 0:
        raise BatchUsageError(f"--budget {budget:g}: need 0 or more")
    if engine == "ray" and ray_address and not (settings and settings.chroma_host):
        raise BatchUsageError(
            "--engine ray on a cluster needs a Chroma server all workers reach: "
            "pass --chroma-host/--chroma-port"
        )


def _check_checkpoints(settings: Settings) -> None:
    """Refuse, once and in one line, a checkpoint database every worker would fail to open."""
    from legal_orch.graph.checkpoint import open_checkpointer

    path = settings.checkpoint_path()
    try:
        open_checkpointer(path).conn.close()
    except CheckpointError as e:
        raise CheckpointError(
            f"{path}: checkpoint database is corrupt ({e.__cause__}); move it aside "
            "(legal-orch review FILE --fresh does it) and run the batch again"
        ) from e


def _available_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 1024**2
    except (ValueError, OSError, AttributeError):
        return None


def machine_workers(settings: Settings) -> tuple[int, str]:
    """The most local workers this machine holds (its cores, its free memory), and why."""
    cores = os.cpu_count() or 1
    free = _available_mb()
    by_memory = int(free // settings.worker_memory_mb) if free is not None else cores
    most = max(1, min(cores, by_memory))
    free_text = f"{free / 1024:.1f} GB free" if free is not None else "free memory unknown"
    why = (
        f"{cores} core(s), {free_text}, about {settings.worker_memory_mb / 1024:.1f} GB a worker "
        "(LEGAL_ORCH_WORKER_MEMORY_MB)"
    )
    return most, why


def check_out(source: Path, out: Path, force: bool) -> None:
    """Refuse an output folder that is the source, or holds files this tool did not write."""
    if out.exists() and not out.is_dir():
        raise BatchUsageError(f"--out {out}: is a file; give a folder")
    if source.is_dir() and out.resolve() == source.resolve():
        raise BatchUsageError(f"--out {out}: is the folder being reviewed; give another folder")
    others = strangers(out)
    fixed = [n for n in others if n in SUMMARIES]
    if fixed:
        raise BatchUsageError(
            f"--out {out}: holds {', '.join(fixed)}, not written by this tool; give another folder"
        )
    if others and not force:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise BatchUsageError(
            f"--out {out}: holds files this tool did not write ({shown}); give an empty folder, "
            "or --force to write beside them (they are never changed or deleted)"
        )


def run_batch(
    source: Path,
    out: Path,
    *,
    workers: int = 1,
    engine: Engine = "local",
    ray_address: str | None = None,
    playbook: str | None = None,
    settings: Settings | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    for_role: str | None = None,
    timeout_per_file: float | None = None,
    force: bool = False,
    budget: float | None = None,
    on_estimate: Callable[[BatchEstimate], None] | None = None,
) -> BatchResult:
    """Review every PDF under `source` (a folder or a .zip) into `out`, resuming earlier runs.

    Every other file found is a row in errors.csv, as is a file whose review runs longer than
    `timeout_per_file` seconds (its worker is stopped; the batch goes on).
    """
    from legal_orch.playbook import load_playbook

    _check_usage(workers, engine, ray_address, settings, timeout_per_file, budget)
    if not ray_address:  # on this machine: no more workers than it holds
        workers = min(workers, machine_workers(settings or Settings())[0])
    # Batches never pause for a lawyer; a bad playbook fails here, once, not in every worker.
    # Workers share the machine's cores: an encoder each with every core would only contend.
    threads = max(1, (os.cpu_count() or 1) // workers) if workers > 1 else 0
    settings = (settings or Settings()).model_copy(
        update={"interrupts": False, "embed_threads": threads}
    )
    load_playbook(playbook or settings.playbook)
    _check_checkpoints(settings)
    t0 = time.monotonic()
    check_out(Path(source), out, force)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    inputs = find_inputs(
        Path(source), out, max_file_mb=settings.max_file_mb, max_zip_mb=settings.max_zip_mb
    )
    tracker = _Tracker(total=len(inputs), on_progress=on_progress)
    todo = _plan(inputs, out, tracker, settings.max_file_mb)
    skipped = tracker.done - tracker.failed
    if budget is not None:  # one budget for the whole batch, its earlier runs included
        ledger = Ledger(out / LEDGER, total=budget)
        settings = settings.model_copy(update={"budget_ledger": ledger.path})
    if on_estimate is not None:
        done = [r for _, r in reports_in(out)]
        paths = [g[0].path for g in todo.values()]
        on_estimate(estimate(paths, settings, playbook, done=done, budget=budget))
    tracker.emit(None)
    rss: dict[int, float] = {}
    if todo:
        jobs = [
            Job(
                name=g[0].name,
                source=g[0].relpath,
                path=str(g[0].path),
                sha256=sha,
                client=for_role,
            )
            for sha, g in todo.items()
        ]
        with _store(settings, engine, workers, out) as worker_settings:
            outcomes = _outcomes(
                jobs, worker_settings, playbook, workers, engine, ray_address, timeout_per_file
            )
            for outcome in outcomes:
                _record(outcome, todo[outcome.sha256], out, tracker)
                if outcome.worker_pid:
                    rss[outcome.worker_pid] = max(
                        rss.get(outcome.worker_pid, 0.0), outcome.peak_rss_mb
                    )
    rows, summary_csv, summary_xlsx, errors_csv = write_summaries(out)
    names = {i.name for i in inputs}
    shas = {r["sha256"] for r in rows if r["name"] in names}
    status = Counter(r["validation"] for r in rows if r["name"] in names)
    return BatchResult(
        total=len(inputs),
        succeeded=len(inputs) - tracker.failed - status["incomplete"],
        failed=tracker.failed,
        skipped=skipped,
        incomplete=status["incomplete"],
        validation_failed=status["failed"],
        summary_csv=summary_csv,
        summary_xlsx=summary_xlsx,
        errors_csv=errors_csv,
        rows=rows,
        money=round(
            sum(spent(r.costs) for _, r in reports_in(out) if r.document.sha256 in shas), 6
        ),
        seconds=round(time.monotonic() - t0, 2),
        worker_peak_rss_mb=rss,
    )
