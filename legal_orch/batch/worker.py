"""The work one batch worker does: build one Reviewer, then review many files with it.

Workers never write OUTDIR: they return the review (or the one-line reason it failed) and the
driver writes it, so a worker dying, or a worker on another machine, cannot lose or tear a result.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from legal_orch.errors import InputError, LegalOrchError
from legal_orch.process_guard import die_with_parent, peak_rss_mb
from legal_orch.redact import scrub
from legal_orch.settings import Settings

if TYPE_CHECKING:
    from legal_orch.review import Reviewer


@dataclass(frozen=True)
class Job:
    """One file to review; `data` carries its bytes when the worker may be on another machine."""

    name: str
    source: str  # the path shown in outputs: relative to the batch source
    path: str
    sha256: str
    data: bytes | None = None
    client: str | None = None  # whose side, applied to each contract (`--for-role`)


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back for one job: the report's JSON or the error that stopped it."""

    name: str
    source: str
    sha256: str
    report_json: str | None
    error_kind: str = ""
    error: str = ""
    seconds: float = 0.0
    worker_pid: int = 0
    peak_rss_mb: float = 0.0


class BatchWorker:
    """One Reviewer, built on first use, reviewing jobs one after another."""

    def __init__(self, settings: Settings, playbook: str | None):
        self.settings = settings
        self.playbook = playbook
        self._reviewer: Reviewer | None = None
        self._spool = Path(tempfile.gettempdir()) / "legal-orch-batch"

    @property
    def reviewer(self) -> Reviewer:
        if self._reviewer is None:
            from legal_orch.review import Reviewer

            self._reviewer = Reviewer(self.settings, playbook=self.playbook)
        return self._reviewer

    def _local_path(self, job: Job) -> Path:
        if job.data is None:
            return Path(job.path)
        # Keyed by content, so a crashed review resumes from its checkpoint on the same path.
        path = self._spool / job.sha256 / Path(job.path).name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + f".{os.getpid()}.part")
            tmp.write_bytes(job.data)
            tmp.replace(path)
        return path

    def run(self, job: Job) -> Outcome:
        """Review one job; any failure becomes the outcome's one-line error, never a clean result."""
        t0 = time.perf_counter()
        try:
            report_json, kind, error = self._review(job), "", ""
        except InputError as e:
            # Name the file by its path in the batch, not by the (maybe spooled) file's name.
            report_json, kind, error = None, e.kind, f"{job.source}: {e.problem}"
        except LegalOrchError as e:
            report_json, kind, error = None, "error", str(e)
        except Exception as e:  # noqa: BLE001 - recorded per file: the batch goes on
            report_json, kind, error = None, "crash", f"{job.source}: {type(e).__name__}: {e}"
        return Outcome(
            name=job.name,
            source=job.source,
            sha256=job.sha256,
            report_json=report_json,
            error_kind=kind,
            error=" ".join(scrub(error).split())[:500],
            seconds=time.perf_counter() - t0,
            worker_pid=os.getpid(),
            peak_rss_mb=round(peak_rss_mb(), 1),
        )

    def _review(self, job: Job) -> str:
        from legal_orch.review import Paused

        path = self._local_path(job)
        result = self.reviewer.review(path, client=job.client)
        if isinstance(result, Paused):
            raise LegalOrchError(
                f"{job.source}: paused for a lawyer's decision (batch runs without interrupts)"
            )
        if self.settings.budget_ledger is not None:  # the batch's budget: what it really cost
            from legal_orch.costs import Ledger, spent

            Ledger(self.settings.budget_ledger).settle(result.document.sha256, spent(result.costs))
        # A finished thread is never resumed (a re-review starts over): keep the database small.
        self.reviewer.checkpointer.delete_thread(self.reviewer.thread_id(path, job.client))
        if job.data is not None:
            path.unlink(missing_ok=True)
        return result.to_json()


def timed_out(job: Job, seconds: float) -> Outcome:
    """Return the outcome of a job stopped for running past the batch's time limit per file."""
    return Outcome(
        name=job.name,
        source=job.source,
        sha256=job.sha256,
        report_json=None,
        error_kind="timeout",
        error=f"{job.source}: stopped after {seconds:g} s, the time limit per file "
        "(--timeout-per-file); run the batch again to resume it",
    )


# The process-pool side: one BatchWorker per worker process, built by the pool's initializer.
_WORKER: BatchWorker | None = None
_STARTED: Any = None  # a queue on which the worker says which job it has begun, once warm


def init_process(
    settings: Settings, playbook: str | None, driver_pid: int, started: Any = None
) -> None:
    """Set up a pool process: die with the driver, then hold one BatchWorker."""
    global _WORKER, _STARTED
    die_with_parent(driver_pid)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    _WORKER, _STARTED = BatchWorker(settings, playbook), started


def run_in_process(job: Job) -> Outcome:
    """Review `job` with this pool process's worker."""
    assert _WORKER is not None, "init_process was not run"
    if _STARTED is not None:
        # Load the models first, so a file's time limit counts its review, not the warm-up;
        # a worker that cannot load them fails in `run` below, as that file's error.
        with contextlib.suppress(Exception):
            _WORKER.reviewer  # noqa: B018 - built on first use
        _STARTED.put(job.sha256)
    return _WORKER.run(job)
