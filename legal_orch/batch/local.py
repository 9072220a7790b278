"""The local engine: a spawn-context process pool, one Reviewer per worker process."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from legal_orch.batch.worker import Job, Outcome, init_process, run_in_process, timed_out
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
    jobs: list[Job],
    settings: Settings,
    playbook: str | None,
    workers: int,
    timeout_per_file: float | None = None,
) -> Iterator[Outcome]:
    """Review `jobs` on `workers` processes, yielding each outcome as it finishes."""
    queue, attempts = deque(jobs), Counter[str]()
    while queue:
        lost, stopped = yield from _pool_round(queue, settings, playbook, workers, timeout_per_file)
        # Jobs stopped only because a neighbour ran out of time resume first, blameless.
        queue.extendleft(reversed(stopped))
        for job in lost:
            attempts[job.sha256] += 1
            if attempts[job.sha256] >= MAX_ATTEMPTS:
                yield crashed(job)
            else:
                queue.appendleft(job)


def _pool_round(
    queue: deque[Job],
    settings: Settings,
    playbook: str | None,
    workers: int,
    timeout: float | None,
) -> Generator[Outcome, None, tuple[list[Job], list[Job]]]:
    """Run jobs on one pool until the queue is empty, a worker dies or a job runs out of time.

    Return the jobs lost with a dead worker, and those stopped because the pool was ended under
    them when another job ran past `timeout` (their finished steps are checkpointed).
    """
    ctx = multiprocessing.get_context("spawn")
    started_q = ctx.SimpleQueue() if timeout else None
    pool = ProcessPoolExecutor(
        workers,
        mp_context=ctx,
        initializer=init_process,
        initargs=(settings, playbook, os.getpid(), started_q),
    )
    # At most one job per worker in flight, so a dead worker loses only the jobs really running.
    inflight: dict[Future[Outcome], Job] = {}
    began: dict[str, float] = {}  # sha256 -> when its worker, warm, began it
    try:
        while queue or inflight:
            while queue and len(inflight) < workers:
                job = queue.popleft()
                inflight[pool.submit(run_in_process, job)] = job
            done, _ = wait(
                inflight, timeout=_next_check(began, timeout), return_when=FIRST_COMPLETED
            )
            for f in done:
                try:
                    outcome = f.result()
                except BrokenProcessPool:
                    return list(inflight.values()), []
                del inflight[f]
                began.pop(outcome.sha256, None)
                yield outcome
            late = _past_limit(inflight, began, started_q, timeout)
            if late:
                _end_workers(pool)
                for f in late:
                    yield timed_out(inflight.pop(f), timeout or 0)
                return [], list(inflight.values())
        return [], []
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _next_check(began: dict[str, float], timeout: float | None) -> float | None:
    if not timeout:
        return None
    if not began:
        return 1.0  # no job is known to have begun yet: look again soon
    return max(0.0, min(began.values()) + timeout - time.monotonic()) + 0.05


def _past_limit(
    inflight: dict[Future[Outcome], Job],
    began: dict[str, float],
    started_q: Any,  # a multiprocessing SimpleQueue of sha256s, or None without a timeout
    timeout: float | None,
) -> list[Future[Outcome]]:
    """Note the jobs workers have begun; return those running longer than `timeout`."""
    if not timeout:
        return []
    while not started_q.empty():
        began.setdefault(started_q.get(), time.monotonic())
    running = {job.sha256 for job in inflight.values()}
    for sha in set(began) - running:  # finished, or its start heard only after it finished
        del began[sha]
    now = time.monotonic()
    return [f for f, job in inflight.items() if now - began.get(job.sha256, now) > timeout]


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's processes: a review past its time cannot be stopped any other way."""
    # The executor has no public way to stop a running task before Python 3.14's
    # terminate_workers(); its process table is the one handle on the workers.
    for proc in list(getattr(pool, "_processes", {}).values()):
        proc.kill()
