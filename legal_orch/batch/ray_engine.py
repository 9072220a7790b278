"""The Ray engine: one actor per worker, each holding one Reviewer, on a local or remote cluster.

Files travel to the actors as bytes (the Ray object store), so workers on other machines need no
shared file system; results travel back the same way and the driver alone writes OUTDIR.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Iterator
from typing import Any

from legal_orch.batch.local import MAX_ATTEMPTS, crashed
from legal_orch.batch.worker import BatchWorker, Job, Outcome
from legal_orch.settings import Settings


class ReviewActor:
    """A Ray actor around one BatchWorker (models load once per actor)."""

    def __init__(self, settings: Settings, playbook: str | None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        self.worker = BatchWorker(settings, playbook)

    def run(self, job: Job) -> Outcome:
        return self.worker.run(job)


def start_ray(address: str | None, workers: int) -> bool:
    """Connect to the cluster at `address`, or start a local one; return whether we connected."""
    import ray

    # Nothing leaves the machine: no usage statistics, no dashboard.
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    if ray.is_initialized():
        return False
    opts: dict[str, Any] = {
        "include_dashboard": False,
        "logging_level": "WARNING",
        "log_to_driver": False,
    }
    if address:
        ray.init(address=address, **opts)
    else:
        ray.init(num_cpus=workers, **opts)
    return True


def _with_bytes(job: Job) -> Job:
    with open(job.path, "rb") as f:
        data = f.read()
    return Job(name=job.name, source=job.source, path=job.path, sha256=job.sha256, data=data)


def run_ray(
    jobs: list[Job], settings: Settings, playbook: str | None, workers: int, address: str | None
) -> Iterator[Outcome]:
    """Review `jobs` on `workers` Ray actors, yielding each outcome as it finishes."""
    import ray
    from ray.exceptions import RayActorError, WorkerCrashedError

    started = start_ray(address, workers)
    actor_cls = ray.remote(num_cpus=1, max_restarts=0)(ReviewActor)
    idle: list[Any] = [actor_cls.remote(settings, playbook) for _ in range(workers)]  # handles
    queue, attempts = deque(jobs), Counter[str]()
    inflight: dict[Any, tuple[Any, Job]] = {}
    try:
        while queue or inflight:
            while queue and idle:
                actor, job = idle.pop(), queue.popleft()
                inflight[actor.run.remote(_with_bytes(job))] = (actor, job)
            ready, _ = ray.wait(list(inflight), num_returns=1)
            actor, job = inflight.pop(ready[0])
            try:
                yield ray.get(ready[0])
                idle.append(actor)
            except (RayActorError, WorkerCrashedError):
                ray.kill(actor)
                idle.append(actor_cls.remote(settings, playbook))
                attempts[job.sha256] += 1
                if attempts[job.sha256] >= MAX_ATTEMPTS:
                    yield crashed(job)
                else:
                    queue.appendleft(job)
    finally:
        for actor, _ in inflight.values():
            ray.kill(actor)
        for actor in idle:
            ray.kill(actor)
        if started:
            ray.shutdown()
