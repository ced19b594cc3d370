"""What a run is, as data every executor can ship: the job and its planned order.

A `Job` holds everything an episode needs (architecture specs with their parameters and
role bindings, the suite and its other worlds, the task ids, the seeds, the limits) and
nothing that cannot be pickled, so a worker process or a Ray node rebuilds the same
episodes from it. Episodes are numbered in planned order, architecture by architecture,
then seed, then task (the order of `results.jsonl`; a run over several worlds lists world
0's tasks, then world 1's, ...); an index names an episode without listing the plan, so a
plan of a million episodes costs nothing to hold.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from harness.corpus import Corpus
from harness.events import event_dict
from harness.graph import CompiledArchitecture, compile_architecture
from harness.metrics import SummaryRow, summary_row
from harness.rundir import RUN_FORMAT_VERSION, dumps, result_line
from harness.runtime import Episode, run_episode
from harness.spec import ArchitectureSpec
from harness.task import Task, TaskSuite
from harness.trace import EpisodeResult, Step
from harness.usage import UsageLimits

EpisodeKey = tuple[str, str, int]
"""(architecture, task id, seed): what names an episode in a run directory."""


@dataclass(frozen=True)
class ArchRef:
    """A compiled architecture as data: its spec, resolved parameters and role bindings."""

    spec: ArchitectureSpec
    params: tuple[tuple[str, str], ...]
    roles: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, arch: CompiledArchitecture) -> ArchRef:
        params = tuple((k, str(v)) for k, v in arch.params.items())
        return cls(arch.spec, params, tuple(arch.roles.items()))

    @property
    def name(self) -> str:
        return self.spec.name

    def compile(self) -> CompiledArchitecture:
        return compile_architecture(self.spec, dict(self.params), dict(self.roles))


@dataclass(frozen=True)
class Job:
    archs: tuple[ArchRef, ...]
    suite: TaskSuite
    task_ids: tuple[str, ...]
    seeds: tuple[int, ...]
    limits: UsageLimits
    lines: bool = True
    """Build each episode's result and trace lines: a run directory is being written."""
    results: bool = True
    """Ship each result from other processes (the caller keeps the results, or reads each
    one as it comes); else only what the summaries read (`SummaryRow`) comes back."""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    """Lets a long-lived worker (a Ray actor process) keep the job it last built."""
    more_worlds: tuple[TaskSuite, ...] = ()
    """Worlds 1, 2, ... of a run over several worlds (`harness.worlds`); `suite` is world
    0. Each world's tasks run against its own corpus."""

    @property
    def worlds(self) -> tuple[TaskSuite, ...]:
        return (self.suite, *self.more_worlds)

    def tasks(self) -> tuple[list[Task], list[int]]:
        """The job's tasks in planned order, and the world of each."""
        where = {t.id: (t, w) for w, s in enumerate(self.worlds) for t in s.tasks}
        found = [where[t] for t in self.task_ids]
        return [t for t, _ in found], [w for _, w in found]

    def __len__(self) -> int:
        return len(self.archs) * len(self.seeds) * len(self.task_ids)

    def split(self, index: int) -> tuple[int, int, int]:
        """Positions of an episode's architecture, seed and task."""
        per_arch = len(self.seeds) * len(self.task_ids)
        a, rest = divmod(index, per_arch)
        s, t = divmod(rest, len(self.task_ids))
        return a, s, t

    def key(self, index: int) -> EpisodeKey:
        a, s, t = self.split(index)
        return self.archs[a].name, self.task_ids[t], self.seeds[s]

    def indexer(self) -> _Indexer:
        return _Indexer(self)


class _Indexer:
    """Key -> planned index, from three small dicts (not one entry per episode)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.arch = {a.name: i for i, a in enumerate(job.archs)}
        self.seed = {s: i for i, s in enumerate(job.seeds)}
        self.task = {t: i for i, t in enumerate(job.task_ids)}

    def get(self, key: EpisodeKey) -> int | None:
        arch, task, seed = key
        a, s, t = self.arch.get(arch), self.seed.get(seed), self.task.get(task)
        if a is None or s is None or t is None:
            return None
        return (a * len(self.seed) + s) * len(self.task) + t


def suite_digest(suite: TaskSuite) -> str:
    """A fingerprint of a suite's content: a resumed run must use the same tasks."""
    return hashlib.sha256(suite.model_dump_json().encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Finished:
    """One finished episode as it reaches the process that writes the run directory."""

    index: int
    result_line: str | None
    """Its line of results.jsonl; always there when the episode ran in another process."""
    trace_line: str | None
    episode: Episode | None = None
    """The episode itself when it ran in this process (steps are not shipped back)."""
    row: SummaryRow | None = None
    """What the summaries read of it, when it ran in another process."""


class EpisodeRunner:
    """Runs a job's episodes in one process: the architectures compiled, the corpus
    indexed and the event loop made once, then reused for every batch."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.archs = [ref.compile() for ref in job.archs]
        self.tasks, self.task_world = job.tasks()
        self.corpora = [Corpus.of_suite(s) for s in job.worlds]
        self.loop = asyncio.new_event_loop()

    def run(self, indices: list[int]) -> list[Finished]:
        return self.loop.run_until_complete(self._run(indices))

    async def _run(self, indices: list[int]) -> list[Finished]:
        out: list[Finished] = []
        for i in indices:
            a, s, t = self.job.split(i)
            world = self.task_world[t]
            episode = await run_episode(
                self.archs[a],
                self.tasks[t],
                self.corpora[world],
                seed=self.job.seeds[s],
                limits=self.job.limits,
            )
            episode = in_world(episode, world)
            r, lines = episode.result, self.job.lines
            line = result_line(r) if lines or self.job.results else None
            trace = trace_line(episode) if lines else None
            out.append(Finished(i, line, trace, row=summary_row(r)))
        return out

    def close(self) -> None:
        self.loop.close()


def in_world(episode: Episode, world: int) -> Episode:
    """The episode with its result tagged with the world its task came from."""
    if world == 0:
        return episode
    return replace(episode, result=episode.result.model_copy(update={"world": world}))


def batches(indices: Iterator[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for i in indices:
        batch.append(i)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def batch_size(episodes: int, parallelism: int, cap: int = 64) -> int:
    """Big enough that shipping a batch costs little next to running it (an episode is a
    millisecond or so), small enough that every worker gets several."""
    return max(1, min(cap, episodes // (parallelism * 8) or 1))


def trace_line(episode: Episode) -> str:
    """The line of traces.jsonl for an episode: its key, every step and every trace event
    (`harness.events`; always written from run format 2 on, `[]` when there is none)."""
    r = episode.result
    trace = {
        "format_version": RUN_FORMAT_VERSION,
        "architecture": r.architecture,
        "task_id": r.task_id,
        "seed": r.seed,
        "steps": [step_dict(s) for s in episode.steps],
        "events": [event_dict(e) for e in episode.events],
    }
    return dumps(trace) + "\n"


def step_dict(s: Step) -> dict[str, Any]:
    """`Step.as_dict()`, five times faster (`dataclasses.asdict` deep-copies generically)."""
    out: dict[str, Any] = {
        "index": s.index,
        "branch": s.branch,
        "node": s.node,
        "role": s.role,
        "model": s.model,
        "purpose": s.purpose,
        "category": s.category,
        "start_s": s.start_s,
        "latency_s": s.latency_s,
        "input_tokens": s.input_tokens,
        "cached_input_tokens": s.cached_input_tokens,
        "output_tokens": s.output_tokens,
        "reasoning_tokens": s.reasoning_tokens,
        "cost_usd": s.cost_usd,
        "content": s.content,
        "tools": [
            {
                "name": t.name,
                "arguments": t.arguments,
                "result": t.result,
                "error": t.error,
                "latency_s": t.latency_s,
            }
            for t in s.tools
        ],
    }
    if s.weaker_tool_choice is not None:  # additive: absent when the choice was as asked
        out["weaker_tool_choice"] = s.weaker_tool_choice
    return out


def parse_result(line: str) -> EpisodeResult:
    return EpisodeResult.model_validate_json(line)
