"""What one episode knows while it runs: the state the graph walk and the agent loops share.

Its own module, below both `runtime` (the graph walk) and `agent_loop` (one agent's loop),
so that neither has to import the other to see it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.corpus import Corpus
from harness.events import Event, EventKind
from harness.graph import CompiledArchitecture
from harness.registry import ModelBackend, get_model
from harness.step_edit import renumbered
from harness.task import Task
from harness.tools import Toolset
from harness.trace import Step
from harness.usage import Usage, UsageLimits

ModelFactory = Callable[[str], ModelBackend]


@dataclass(frozen=True)
class Subtask:
    """One sub-question of a plan, with what the planner said about it beyond its text."""

    question: str
    max_steps: int | None = None
    focus: str | None = None
    """The entity it is about, as the planner named it (keys its branch's draws)."""
    depth: int | None = None
    """How many chained facts it asks for, as the planner meant it."""
    hint: str | None = None
    """"alias": the lead suspects the entity is known under another name."""
    known: tuple[str, ...] = ()
    """Facts the lead passes on from earlier rounds."""


@dataclass
class Report:
    subtask: str
    text: str
    citations: tuple[str, ...]
    role: str | None = None
    """The role whose model wrote it (a debate round asks that model to revise it)."""
    branch: str = "main"


@dataclass(frozen=True)
class Candidate:
    """One parallel branch's answer, before an aggregate makes one answer of them."""

    branch: str
    node: str
    role: str
    answer: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    critique: str
    answer: str


@dataclass
class EpisodeState:
    arch: CompiledArchitecture
    task: Task
    corpus: Corpus
    seed: int
    limits: UsageLimits
    backends: dict[str, ModelBackend]
    model_factory: ModelFactory = get_model
    draws_base: str = ""
    """The seed and the task's content digest: the root of every simulated draw."""
    usage: Usage = Usage()
    steps: list[Step] = field(default_factory=list)
    subtasks: list[Subtask] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    round_reports: list[Report] = field(default_factory=list)
    answer: tuple[str, tuple[str, ...]] | None = None
    candidates: list[Candidate] = field(default_factory=list)
    verdict: Verdict | None = None
    critiques: dict[str, Verdict] = field(default_factory=dict)
    """node -> the rejected verdict a router's `rejected` edge carried to it."""
    visits: Counter[str] = field(default_factory=Counter)
    events: list[Event] = field(default_factory=list)
    _toolsets: dict[tuple[str, ...], Toolset] = field(default_factory=dict)

    def backend(self, role: str) -> ModelBackend:
        if role not in self.backends:
            self.backends[role] = self.model_factory(self.arch.roles[role])
        return self.backends[role]

    def toolset(self, names: tuple[str, ...]) -> Toolset:
        ts = self._toolsets.get(names)
        if ts is None:
            ts = self._toolsets[names] = Toolset(self.corpus, names)
        return ts

    def record(self, step: Step) -> None:
        if step.index != len(self.steps):
            step = renumbered(step, len(self.steps))
        self.steps.append(step)

    def note(self, kind: EventKind, node: str, branch: str, clock: float, detail: str) -> None:
        """Record what the design did to the work that no model call shows."""
        self.events.append(Event(kind, node, branch, round(clock, 6), detail))

    def handoff(self) -> str:
        parts = [f"Question: {self.task.question}"]
        for i, r in enumerate(self.reports, 1):
            cites = ", ".join(r.citations) or "none"
            parts.append(f"Report {i} on: {r.subtask}\n{r.text}\nSources: {cites}")
        for c in self.candidates:
            cites = ", ".join(c.citations) or "none"
            parts.append(f"Answer from {c.branch}: {c.answer}\nSources: {cites}")
        return "\n\n".join(parts)
