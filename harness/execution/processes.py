"""`--workers N`: simulated episodes in N worker processes on this machine.

Each worker builds the job once (architectures compiled, corpus indexed) and then runs
batches of episode indices; the parent submits batches in planned order, keeps a few per
worker in flight, and hands their results on in that order, so the run directory is
written in planned order as batches finish, and nothing waits in memory for long.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from multiprocessing.context import BaseContext

from harness.execution.plan import EpisodeRunner, Finished, Job, batch_size
from harness.execution.types import Sink, WorkerLost

_RUNNER: EpisodeRunner | None = None
Shipped = list[tuple[int, str | None, str | None]]


def _init_worker(job: Job, parent: int) -> None:
    global _RUNNER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent(parent)
    _RUNNER = EpisodeRunner(job)


def _die_with_parent(parent: int) -> None:
    """A parent killed with `kill -9` cannot stop its workers: on Linux, have the kernel
    end this process when the parent goes (the others finish their batch and find the
    pipe closed)."""
    if sys.platform.startswith("linux"):
        try:
            # the process's own symbols include libc's: no `find_library` (which runs
            # ldconfig in a subprocess, milliseconds per worker)
            libc = ctypes.CDLL(None)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if parent and os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)


def _run_batch(indices: list[int]) -> Shipped:
    assert _RUNNER is not None, "worker not initialised"
    return [(f.index, f.result_line, f.trace_line) for f in _RUNNER.run(indices)]


def mp_context() -> BaseContext:
    """fork where it is safe (Linux, no other thread running: workers start in
    milliseconds and inherit everything); forkserver or spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods and sys.platform != "darwin":
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


class ProcessExecutor:
    """Run simulated episodes in `workers` processes (default: one per CPU).

    Each worker keeps to its own share of the tasks (every `workers`-th one), so the
    search results it caches serve its later episodes instead of being fetched again by
    every worker; results are handed on in planned order, at most a few batches ahead."""

    name = "processes"

    def __init__(self, workers: int | None = None, batch: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.batch = batch
        self.pids: list[int] = []
        """The worker processes' ids once they started (for tests that kill one)."""

    def share(self, job: Job) -> Callable[[int], int]:
        """Which worker runs an episode: by task when tasks split evenly, else in turn."""
        n_tasks, w = len(job.task_ids), self.workers
        if n_tasks % w == 0 or n_tasks >= 8 * w:
            return lambda i: i % n_tasks % w
        return lambda i: i % w

    def run(self, job: Job, indices: Iterable[int], total: int, sink: Sink) -> None:
        order = indices if isinstance(indices, range | list) else list(indices)
        owner = self.share(job)
        shares = [_Share(_owned(order, owner, w)) for w in range(self.workers)]
        for i in order:
            shares[owner(i)].left += 1
        size = self.batch or batch_size(total, self.workers)
        ctx = mp_context()
        parent = 0 if ctx.get_start_method() == "forkserver" else os.getpid()
        pools = [
            ProcessPoolExecutor(1, mp_context=ctx, initializer=_init_worker, initargs=(job, parent))
            for _ in range(self.workers)
        ]
        flights: list[deque[Future[Shipped]]] = [deque() for _ in pools]
        held_by: dict[int, int] = {}  # episode -> the worker whose flight holds it

        def top_up(w: int) -> None:
            while len(flights[w]) < _IN_FLIGHT:
                # its own share first; once that is all given out, the biggest other one
                # (the end of a run is spread over every worker, not left to the slowest)
                share = shares[w] if shares[w].left else max(shares, key=lambda s: s.left)
                batch = share.take(size, self.workers)
                if not batch:
                    return
                for i in batch:
                    held_by[i] = w
                flights[w].append(pools[w].submit(_run_batch, batch))

        ready: dict[int, Finished] = {}
        try:
            for w in range(self.workers):
                top_up(w)
            self.pids = [pid for pool in pools for pid in getattr(pool, "_processes", {}) or {}]
            for index in order:  # hand results on in planned order
                while index not in ready:
                    w = held_by[index]
                    for i, result, trace in flights[w].popleft().result():
                        ready[i] = Finished(i, result, trace)
                        del held_by[i]
                    top_up(w)
                sink(ready.pop(index))
        except BrokenProcessPool:
            raise WorkerLost("a worker process died") from None
        finally:
            for flight in flights:
                for fut in flight:
                    fut.cancel()
            for pool in pools:
                pool.shutdown(wait=True, cancel_futures=True)


class _Share:
    """One worker's share of the episodes, handed out in planned order, in batches that
    shrink as the share runs out: the last batches of a run are small, so no worker is
    left with a long one while the others have finished."""

    def __init__(self, episodes: Iterator[int]) -> None:
        self.episodes = episodes
        self.left = 0

    def take(self, size: int, workers: int) -> list[int]:
        n = max(1, min(size, self.left // (2 * workers))) if self.left else 0
        batch = list(islice(self.episodes, n))
        self.left -= len(batch)
        return batch


_IN_FLIGHT = 3  # batches per worker: one running, two queued behind it


def _owned(order: Iterable[int], owner: Callable[[int], int], worker: int) -> Iterator[int]:
    return (i for i in order if owner(i) == worker)
