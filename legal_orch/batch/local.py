"""The local engine: a spawn-context process pool, one Reviewer per worker process."""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from legal_orch.batch.worker import Job, Outcome, init_process, run_in_process
from legal_orch.settings import Settings

# A file in flight when a worker dies is retried once; a second death blames that file.
MAX_ATTEMPTS = 2


def crashed(job: Job) -> Outcome:
    """Return the outcome of a job whose worker process died under it twice."""
    msg = (
        f"{job.source}: the worker process died while reviewing this file (crash or out of memory)"
    )
    return Outcome(
        name=job.name,
        source=job.source,
        sha256=job.sha256,
        report_json=None,
        error_kind="crash",
        error=msg,
    )


def run_local(
    jobs: list[Job], settings: Settings, playbook: str | None, workers: int
) -> Iterator[Outcome]:
    """Review `jobs` on `workers` processes, yielding each outcome as it finishes."""
    queue, attempts = deque(jobs), Counter[str]()
    while queue:
        lost = yield from _pool_round(queue, settings, playbook, workers)
        for job in lost:
            attempts[job.sha256] += 1
            if attempts[job.sha256] >= MAX_ATTEMPTS:
                yield crashed(job)
            else:
                queue.appendleft(job)


def _pool_round(
    queue: deque[Job], settings: Settings, playbook: str | None, workers: int
) -> Generator[Outcome, None, list[Job]]:
    """Run jobs on one pool until the queue is empty or a worker dies; return the jobs lost."""
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        workers,
        mp_context=ctx,
        initializer=init_process,
        initargs=(settings, playbook, os.getpid()),
    )
    # At most one job per worker in flight, so a dead worker loses only the jobs really running.
    inflight: dict[Future[Outcome], Job] = {}
    try:
        while queue or inflight:
            while queue and len(inflight) < workers:
                job = queue.popleft()
                inflight[pool.submit(run_in_process, job)] = job
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for f in done:
                try:
                    outcome = f.result()
                except BrokenProcessPool:
                    return list(inflight.values())
                del inflight[f]
                yield outcome
        return []
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
