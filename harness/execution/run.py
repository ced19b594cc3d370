"""One run, start to end: choose the executor, run the job, merge, write, summarise.

`compare` (harness.compare), `replay` and `resume` (harness.rerun) all end here. The
executor is picked from `executor` and `workers` and checked against what it must ship
(worker processes and Ray nodes get the job as data: simulated models only; real models,
a custom model factory and recording stay in this process, where `concurrency` overlaps
their network waits).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harness.backends.stack import BackendStack, is_real
from harness.cells import EpisodeCells
from harness.corpus import Corpus
from harness.errors import ConfigError
from harness.execution.local import LocalExecutor
from harness.execution.merge import Merger, ProgressCallback, ProgressHook
from harness.execution.plan import Job
from harness.execution.processes import ProcessExecutor
from harness.execution.ray_exec import RayExecutor
from harness.execution.resume import Existing
from harness.execution.types import Executor, IncompleteRun, WorkerLost
from harness.graph import CompiledArchitecture
from harness.metrics import ArchitectureSummary
from harness.registry import parse_model_id
from harness.rundir import RunWriter
from harness.task import Task
from harness.trace import EpisodeResult

EXECUTORS = ("local", "processes", "ray")


@dataclass(frozen=True)
class Execution:
    """Where episodes run: `kind`, with how many workers (None: as many as there are CPUs,
    on this machine or the Ray cluster)."""

    kind: str
    workers: int | None
    ray_address: str | None = None
    instance: Executor | None = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"executor": self.kind, "workers": self.workers}
        if self.ray_address is not None:
            out["ray_address"] = self.ray_address
        return out

    @property
    def remote(self) -> bool:
        """Do episodes run in other processes (and so must be shipped as data)?"""
        return self.kind != "local"


def resolve(
    executor: str | Executor | None, workers: int | None, ray_address: str | None
) -> Execution:
    """The executor asked for, checked; `--workers N` alone means worker processes."""
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    if executor is not None and not isinstance(executor, str):
        n = getattr(executor, "workers", workers)
        return Execution(executor.name, n, getattr(executor, "address", None), executor)
    kind = executor or ("processes" if workers is not None and workers > 1 else "local")
    if kind not in EXECUTORS:
        raise ConfigError(f"--executor must be one of {', '.join(EXECUTORS)}, got '{kind}'")
    if kind == "local" and workers is not None and workers > 1:
        raise ConfigError(
            "--executor local runs episodes in this process: use --workers with "
            "--executor processes (or ray)"
        )
    if ray_address is not None and kind != "ray":
        raise ConfigError("--ray-address needs --executor ray")
    if kind == "local":
        workers = 1
    elif kind == "processes" and workers is None:
        workers = os.cpu_count() or 1
    return Execution(kind, workers, ray_address)


def check_shippable(
    execution: Execution,
    archs: list[CompiledArchitecture],
    stack: BackendStack,
    *,
    record: bool = False,
) -> None:
    if not execution.remote:
        return
    flag = "--executor ray" if execution.kind == "ray" else "--workers"
    if stack.base is not None:
        raise ConfigError(
            f"{flag}: a model_factory cannot be shipped to other processes; "
            "use executor='local' (with concurrency) instead"
        )
    real = sorted({m for a in archs for m in a.roles.values() if is_real(parse_model_id(m))})
    if real or record or stack.recording is not None:
        name = real[0] if real else "a recorded run"
        raise ConfigError(
            f"{flag} runs simulated models in other processes; real models ({name}) run in "
            "this process: overlap their calls with --concurrency instead"
        )


def build(
    execution: Execution,
    archs: list[CompiledArchitecture],
    tasks: list[Task],
    job: Job,
    *,
    concurrency: int,
    stack: BackendStack,
    frontier: Callable[[], int],
) -> Executor:
    if execution.instance is not None:
        return execution.instance
    if execution.kind == "processes":
        return ProcessExecutor(execution.workers)
    if execution.kind == "ray":
        return RayExecutor(execution.ray_address, execution.workers)
    worlds = job.worlds
    where = {t.id: w for w, s in enumerate(worlds) for t in s.tasks}
    return LocalExecutor(
        archs,
        tasks,
        [Corpus.of_suite(s) for s in worlds],
        [where[t.id] for t in tasks],
        concurrency=concurrency,
        model_factory=stack,
        frontier=frontier,
        aclose=stack.aclose,
    )


@dataclass
class Outcome:
    results: list[EpisodeResult]
    summaries: list[ArchitectureSummary]
    cells: dict[str, EpisodeCells]
    """Each architecture's episode cells: what paired differences resample."""


def run_job(
    job: Job,
    archs: list[CompiledArchitecture],
    tasks: list[Task],
    execution: Execution,
    *,
    writer: RunWriter | None,
    existing: Existing | None = None,
    concurrency: int = 1,
    stack: BackendStack,
    keep_results: bool = True,
    on_episode: ProgressCallback | None = None,
    on_progress: ProgressHook | None = None,
) -> Outcome:
    """Run the job's episodes not yet in `existing`; on success the run directory is
    finished (files in planned order, summary written). An interrupted run (a worker lost,
    Ctrl-C) keeps every episode it finished and raises `IncompleteRun` (or the
    KeyboardInterrupt) after closing the files."""
    merger = Merger(
        job,
        writer=writer,
        existing=existing,
        keep_results=keep_results,
        on_episode=on_episode,
        on_progress=on_progress,
    )
    if job.results and not merger.wants_results:
        job = replace(job, results=False)  # other processes ship summary rows only
    run_dir: Path | None = writer.dir if writer is not None else None
    # Everything alive before the run (modules, the suite, the corpus) is set aside from
    # the cyclic garbage collector while it lasts: collections then scan only what the run
    # makes, and forked workers do not copy the parent's pages by touching its objects
    # (the reason `gc.freeze` exists). About 5% of a short run's time, on both paths.
    gc.freeze()
    try:
        executor = build(
            execution,
            archs,
            tasks,
            job,
            concurrency=concurrency,
            stack=stack,
            frontier=merger.frontier,
        )
        executor.run(job, merger.todo(), len(job), merger)
    except WorkerLost as exc:
        raise IncompleteRun(str(exc), merger.done, len(job), run_dir) from None
    finally:
        gc.unfreeze()
        merger.close()
        if writer is not None and not merger.complete:
            writer.close()
    if not merger.complete:  # an executor that returned early: a bug, but never a silent one
        raise IncompleteRun("episodes went missing", merger.done, len(job), run_dir)
    summaries = merger.builder.summaries()
    if writer is not None:
        writer.finish([s.model_dump(mode="json") for s in summaries])
    return Outcome(merger.results or [], summaries, merger.builder.cells())
