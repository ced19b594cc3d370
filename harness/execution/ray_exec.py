"""`--executor ray`: the same episodes on a Ray cluster (the optional `ray` extra).

The job goes into Ray's object store once; tasks carry batches of episode indices and a
reference to it. A worker process builds the job the first time it sees it (architectures
compiled, corpus indexed) and keeps it for later batches. Batches are submitted in planned
order with a bounded number in flight and their results handed on in that order, so the
run directory on this machine is written exactly as a local run writes it.

    ray start --head                                   # on the head node, once
    archbench compare --executor ray --ray-address auto --seeds 100 --out runs/big

Every node needs archbench (the same version) and its dependencies installed; the suite and
the architecture specs are shipped with the job, so user files need not be copied.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable
from typing import Any

from harness.errors import ConfigError
from harness.execution.plan import EpisodeRunner, Finished, Job, batch_size, batches
from harness.execution.types import Sink, WorkerLost
from harness.metrics import SummaryRow

_RUNNERS: dict[str, EpisodeRunner] = {}  # in a Ray worker process: job id -> built job


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--executor ray needs Ray: pip install 'archbench[ray]' (or pip install ray)"
        ) from None
    return ray


def _run_batch(
    job_id: str, holder: list[Any], indices: list[int]
) -> list[tuple[int, str | None, str | None, SummaryRow | None]]:
    """A Ray task. `holder` wraps the job's ObjectRef so Ray does not fetch and unpickle
    the job for every batch: only a worker that has not built it yet gets it."""
    runner = _RUNNERS.get(job_id)
    if runner is None:
        ray = import_ray()
        for old in _RUNNERS.values():
            old.close()
        _RUNNERS.clear()  # one job at a time per worker process: memory stays flat
        runner = _RUNNERS[job_id] = EpisodeRunner(ray.get(holder[0]))
    return [(f.index, f.result_line, f.trace_line, f.row) for f in runner.run(indices)]


class RayExecutor:
    """Run simulated episodes as Ray tasks. `address`: None starts a local Ray instance
    (or uses RAY_ADDRESS), "auto" joins the cluster of this node, "ray://host:10001" a
    remote one. A Ray already initialised in this process is used as it is."""

    name = "ray"

    def __init__(
        self, address: str | None = None, workers: int | None = None, batch: int | None = None
    ) -> None:
        self.address = address
        self.workers = workers
        """Batches running at once (default: the cluster's CPUs); a local instance started
        here gets this many CPUs."""
        self.batch = batch

    def connect(self) -> Any:
        ray = import_ray()
        if not ray.is_initialized():
            try:
                ray.init(
                    address=self.address,
                    num_cpus=None
                    if self.address or os.environ.get("RAY_ADDRESS")
                    else self.workers,
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.WARNING,
                )
            except (ConnectionError, ValueError, RuntimeError) as exc:
                where = self.address or "a local instance"
                raise ConfigError(f"--ray-address: cannot connect to {where}: {exc}") from None
        return ray

    def run(self, job: Job, indices: Iterable[int], total: int, sink: Sink) -> None:
        ray = self.connect()
        cpus = self.workers or int(ray.cluster_resources().get("CPU", 1)) or 1
        in_flight = 2 * cpus
        size = self.batch or batch_size(total, cpus)
        remote = ray.remote(num_cpus=1, max_retries=3)(_run_batch)
        holder = [ray.put(job)]
        todo = batches(iter(indices), size)
        flight: deque[Any] = deque()
        try:
            for batch in todo:
                flight.append(remote.remote(job.id, holder, batch))
                if len(flight) >= in_flight:
                    break
            while flight:
                head = flight.popleft()
                try:
                    shipped = ray.get(head)
                except ray.exceptions.RayError as exc:
                    raise WorkerLost(f"a Ray task failed: {type(exc).__name__}") from None
                for index, result, trace, row in shipped:
                    sink(Finished(index, result, trace, row=row))
                more = next(todo, None)
                if more is not None:
                    flight.append(remote.remote(job.id, holder, more))
        finally:
            for ref in flight:
                ray.cancel(ref)
