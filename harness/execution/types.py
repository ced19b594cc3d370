"""What executors share: the sink that receives finished episodes, and their errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from harness.errors import ArchbenchError
from harness.execution.plan import Finished, Job

Sink = Callable[[Finished], None]


class Executor(Protocol):
    """Runs a job's episodes (the given planned indices, in any order) and hands every
    finished one to `sink`, in the calling process and thread."""

    name: str

    def run(self, job: Job, indices: Iterable[int], total: int, sink: Sink) -> None: ...


class WorkerLost(ArchbenchError):
    """A worker process or a cluster node died: the episodes it held are not done."""


class IncompleteRun(ArchbenchError):
    """The run stopped before every episode finished; what finished is in its directory."""

    def __init__(self, reason: str, done: int, total: int, run_dir: Path | None) -> None:
        self.reason, self.done, self.total, self.run_dir = reason, done, total, run_dir
        where = (
            f"; {done} of {total} episodes are saved in {run_dir}: finish the run with "
            f"'archbench compare --resume {run_dir}'"
            if run_dir is not None
            else f" after {done} of {total} episodes (no run directory: pass --out to keep them)"
        )
        super().__init__(f"{reason}{where}")
