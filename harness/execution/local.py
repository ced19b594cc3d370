"""The default executor: episodes on this process's event loop, `concurrency` at a time.

Concurrency pays off with real models, whose calls wait on the network; simulated models
are CPU-bound and scale with worker processes instead (`--workers`). A window bounds how
far ahead of the oldest unfinished episode new ones may start, so results waiting to be
merged in planned order never pile up, however slow one episode is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence

from harness.corpus import Corpus
from harness.execution.plan import Finished, Job, in_world, trace_line
from harness.execution.types import Sink
from harness.graph import CompiledArchitecture
from harness.rundir import result_line
from harness.runtime import ModelFactory, run_episode
from harness.task import Task


class LocalExecutor:
    name = "local"

    def __init__(
        self,
        archs: list[CompiledArchitecture],
        tasks: list[Task],
        corpora: Sequence[Corpus],
        task_world: Sequence[int],
        *,
        concurrency: int = 1,
        model_factory: ModelFactory | None = None,
        frontier: Callable[[], int] = lambda: 0,
        aclose: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.archs = archs
        self.tasks = tasks
        self.corpora = corpora
        """One per world: a task is run against its own world's corpus."""
        self.task_world = task_world
        self.concurrency = concurrency
        self.model_factory = model_factory
        self.frontier = frontier
        """The planned index of the oldest episode not yet merged."""
        self.window = max(1024, 8 * concurrency)
        self.aclose = aclose

    def run(self, job: Job, indices: Iterable[int], total: int, sink: Sink) -> None:
        interrupts: list[BaseException] = []
        try:
            asyncio.run(self._run(job, indices, sink, interrupts))
        except asyncio.CancelledError:
            if not interrupts:
                raise
        if interrupts:
            raise interrupts[0]

    async def _run(
        self, job: Job, indices: Iterable[int], sink: Sink, interrupts: list[BaseException]
    ) -> None:
        todo = iter(indices)
        advanced = asyncio.Event()

        async def worker() -> None:
            for i in todo:  # shared: each worker takes the next planned episode
                while i >= self.frontier() + self.window:
                    advanced.clear()
                    await advanced.wait()
                a, s, t = job.split(i)
                world = self.task_world[t]
                episode = await run_episode(
                    self.archs[a],
                    self.tasks[t],
                    self.corpora[world],
                    seed=job.seeds[s],
                    limits=job.limits,
                    model_factory=self.model_factory,
                )
                episode = in_world(episode, world)
                lines = job.lines
                result = result_line(episode.result) if lines else None
                try:
                    sink(Finished(i, result, trace_line(episode) if lines else None, episode))
                except (KeyboardInterrupt, SystemExit) as exc:
                    # an interrupt raised by a progress callback: stop every episode now and
                    # raise it outside the event loop, where asyncio does not log it again
                    # as a task exception nobody retrieved
                    interrupts.append(exc)
                    for other in workers:
                        if other is not asyncio.current_task():
                            other.cancel()
                    return
                advanced.set()

        workers: list[asyncio.Task[None]] = []
        try:
            if self.concurrency == 1:
                await worker()
            else:
                workers.extend(asyncio.create_task(worker()) for _ in range(self.concurrency))
                await asyncio.gather(*workers)
        finally:
            if self.aclose is not None:
                await self.aclose()
