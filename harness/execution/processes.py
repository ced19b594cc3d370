"""`--workers N`: simulated episodes in N worker processes on this machine.

Each worker builds the job once (architectures compiled, corpus indexed) and then runs
batches of episode indices; the parent submits batches in planned order, keeps a few per
worker in flight, and hands their results on in that order, so the run directory is
written in planned order as batches finish, and nothing waits in memory for long.

Why workers of our own (a process and a pipe each) rather than `ProcessPoolExecutor`s: a
pool's result pipe is also held open by the parent, so a worker killed while writing a
result (SIGKILL, the OOM killer) leaves the pool's reader thread waiting forever for the
rest of the message, and the run hangs instead of stopping. Here only the worker holds its
end of its pipe: its death is an end-of-file, and the run stops with `WorkerLost`.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess

from harness.execution.plan import EpisodeRunner, Finished, Job, batch_size
from harness.execution.types import Sink, WorkerLost
from harness.metrics import SummaryRow

Shipped = list[tuple[int, str | None, str | None, SummaryRow | None]]


def _worker_main(conn: Connection, job: Job, parent: int) -> None:
    """A worker: batches of episode indices in, their result and trace lines out, until
    told to stop (None) or the parent goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent(parent)
    runner = EpisodeRunner(job)
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        try:
            shipped = [(f.index, f.result_line, f.trace_line, f.row) for f in runner.run(batch)]
        except Exception:  # a bug: the parent reports it and stops the run
            conn.send(("error", traceback.format_exc()))
            return
        conn.send(("ok", shipped))


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
        workers: list[_Worker] = []
        held_by: dict[int, int] = {}  # episode -> the worker it was sent to
        ready: dict[int, Finished] = {}
        limit = 2 * _IN_FLIGHT * size * self.workers  # results waiting to be handed on

        def top_up(w: int, force: bool = False) -> None:
            while workers[w].sent < _IN_FLIGHT and (force or len(ready) < limit):
                # its own share first; once that is all given out, the biggest other one
                # (the end of a run is spread over every worker, not left to the slowest)
                share = shares[w] if shares[w].left else max(shares, key=lambda s: s.left)
                batch = share.take(size, self.workers)
                if not batch:
                    return
                for i in batch:
                    held_by[i] = w
                workers[w].send(batch)

        finished = False
        try:
            for _ in range(self.workers):
                workers.append(_Worker(ctx, job, parent))
            self.pids = [w.process.pid for w in workers if w.process.pid is not None]
            for w in range(self.workers):
                top_up(w)
            for index in order:  # hand results on in planned order
                while index not in ready:
                    if index not in held_by:  # held back while results waited: send it
                        for w in range(self.workers):
                            top_up(w, force=True)
                    for w in _wait_any(workers):  # read whatever is done, so no worker
                        for i, result, trace, row in workers[w].receive():  # waits to write
                            ready[i] = Finished(i, result, trace, row=row)
                            del held_by[i]
                        top_up(w)
                sink(ready.pop(index))
            finished = True
        finally:
            for worker in workers:
                worker.stop(now=not finished)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: BaseContext, job: Job, parent: int) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(child, job, parent), daemon=True
        )
        self.process.start()
        child.close()  # the worker's end lives in the worker only: its death is an EOF here
        self.sent = 0

    def send(self, batch: list[int]) -> None:
        try:
            self.conn.send(batch)
        except OSError:  # its end is closed: it died
            raise WorkerLost("a worker process died") from None
        self.sent += 1

    def receive(self) -> Shipped:
        try:
            kind, payload = self.conn.recv()
        except (EOFError, OSError):
            raise WorkerLost("a worker process died") from None
        self.sent -= 1
        if kind != "ok":
            raise RuntimeError(f"a worker process failed:\n{payload}")
        shipped: Shipped = payload
        return shipped

    def stop(self, *, now: bool) -> None:
        """Tell it to finish (or, when the run is being abandoned, end it) and reap it."""
        if not now:
            try:
                self.conn.send(None)
            except OSError:
                now = True
        if now:
            self.process.kill()
        self.process.join(timeout=10)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self.conn.close()


def _wait_any(workers: list[_Worker]) -> list[int]:
    """The workers with a result to read (or gone: reading then says so), waiting for one."""
    busy = {w.conn: i for i, w in enumerate(workers) if w.sent}
    if not busy:
        raise RuntimeError("waiting for a result no worker was given")
    return sorted(busy[c] for c in wait(list(busy)))  # type: ignore[index]


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
