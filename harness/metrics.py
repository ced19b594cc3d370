"""Per-architecture summaries of episode results, overall and per task family.

Accuracy carries a 95% interval from `harness.bootstrap.interval`: a bootstrap clustered by
world, task and seed (a Jeffreys interval over distinct tasks when every episode is right,
or every one wrong), the same function and the same draws as the report's. Not a Wilson
interval: that treats 180 episodes of 60 tasks as 180 independent draws and is too narrow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from harness.bootstrap import DEFAULT_REPS, accuracy_label
from harness.cells import EpisodeCells, TaskNames
from harness.trace import EpisodeResult


class Summary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    episodes: int
    accuracy: float
    accuracy_ci95: tuple[float, float]
    """95% interval of the accuracy: clustered bootstrap over worlds, tasks and seeds, or
    Jeffreys over distinct tasks at 0% or 100% (`harness.bootstrap`)."""
    supported_rate: float
    mean_steps: float
    mean_tool_calls: float
    mean_input_tokens: float
    mean_cached_input_tokens: float
    mean_output_tokens: float
    mean_coordination_tokens: float
    mean_cost_usd: float | None
    mean_latency_s: float
    outcomes: dict[str, int]


class ArchitectureSummary(Summary):
    architecture: str
    by_family: dict[str, Summary]
    cost_by_model: dict[str, float | None]
    cost_by_role: dict[str, float | None]


class SummaryRow(NamedTuple):
    """What the summaries read of one episode result, and all that a worker process ships
    back for it when the caller keeps no results: a tuple of numbers pickles and unpickles
    in a few microseconds, where a result line costs tens to encode and parse."""

    architecture: str
    family: str
    outcome: str
    correct: bool
    supported: bool
    steps: int
    tool_calls: int
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    coordination_tokens: int
    cost_usd: float | None
    latency_s: float
    cost_by_model: tuple[tuple[str, float | None], ...]
    cost_by_role: tuple[tuple[str, float | None], ...]
    task_id: str
    seed: int
    world: int
    """The episode's cell, (world, task, seed): what the intervals resample."""


def summary_row(r: EpisodeResult) -> SummaryRow:
    t = r.totals
    return SummaryRow(
        r.architecture,
        r.family,
        r.outcome,
        r.correct,
        r.supported,
        t.steps,
        t.tool_calls,
        t.input_tokens,
        t.cached_input_tokens,
        t.output_tokens,
        r.coordination.total_tokens,
        t.cost_usd,
        r.latency_s,
        tuple((k, u.cost_usd) for k, u in r.by_model.items()),
        tuple((k, u.cost_usd) for k, u in r.by_role.items()),
        r.task_id,
        r.seed,
        r.world,
    )


@dataclass
class Totals:
    """Running sums of episode results, folded in order: the one place summaries' means
    are computed, whether the results are in a list or streamed from a run of any size
    (the interval comes from the episodes' cells, `ArchitectureTotals.cells`)."""

    n: int = 0
    correct: int = 0
    supported: float = 0.0
    steps: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    coordination_tokens: int = 0
    cost: float | None = 0.0
    latency: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)

    def add_row(self, r: SummaryRow) -> None:
        self.n += 1
        self.correct += r.correct
        self.supported += float(r.supported)
        self.steps += r.steps
        self.tool_calls += r.tool_calls
        self.input_tokens += r.input_tokens
        self.cached_input_tokens += r.cached_input_tokens
        self.output_tokens += r.output_tokens
        self.coordination_tokens += r.coordination_tokens
        if self.cost is not None:
            self.cost = None if r.cost_usd is None else self.cost + r.cost_usd
        self.latency += r.latency_s
        self.outcomes[r.outcome] = self.outcomes.get(r.outcome, 0) + 1

    def summary(self, accuracy_ci95: tuple[float, float]) -> Summary:
        n = self.n

        def mean(total: float) -> float:
            return round(total / n, 6) if n else 0.0

        return Summary(
            episodes=n,
            accuracy=round(self.correct / n, 6) if n else 0.0,
            accuracy_ci95=accuracy_ci95,
            supported_rate=mean(self.supported),
            mean_steps=mean(self.steps),
            mean_tool_calls=mean(self.tool_calls),
            mean_input_tokens=mean(self.input_tokens),
            mean_cached_input_tokens=mean(self.cached_input_tokens),
            mean_output_tokens=mean(self.output_tokens),
            mean_coordination_tokens=mean(self.coordination_tokens),
            mean_cost_usd=None if self.cost is None else mean(self.cost),
            mean_latency_s=mean(self.latency),
            outcomes=dict(sorted(self.outcomes.items())),
        )


class ArchitectureTotals:
    """`Totals` for one architecture, per task family, its cost split per model and per
    role (the hybrid's point), and its episodes' cells for the intervals. `names` interns
    task ids (share one between the architectures of a run)."""

    def __init__(self, names: TaskNames | None = None) -> None:
        self.all = Totals()
        self.families: dict[str, Totals] = {}
        self.cost_by_model: dict[str, float | None] = {}
        self.cost_by_role: dict[str, float | None] = {}
        self.cells = EpisodeCells(names)

    def add(self, r: EpisodeResult) -> None:
        self.add_row(summary_row(r))

    def add_row(self, r: SummaryRow) -> None:
        self.all.add_row(r)
        fam = self.families.get(r.family)
        if fam is None:
            fam = self.families[r.family] = Totals()
        fam.add_row(r)
        self.cells.add(
            r.world,
            r.task_id,
            r.seed,
            r.family,
            r.correct,
            r.cost_usd,
            r.input_tokens + r.output_tokens,
            r.latency_s,
        )
        for costs, split in (
            (r.cost_by_model, self.cost_by_model),
            (r.cost_by_role, self.cost_by_role),
        ):
            for key, cost in costs:
                prev = split.get(key, 0.0)
                split[key] = None if prev is None or cost is None else prev + cost

    def accuracy_ci95(
        self, name: str, family: str | None = None, *, reps: int = DEFAULT_REPS, seed: int = 0
    ) -> tuple[float, float]:
        """The accuracy interval of architecture `name` (overall or in one family), drawn
        under the label the report uses for the same episodes."""
        est = self.cells.estimate(
            "accuracy", family, label=accuracy_label(name, family), reps=reps, seed=seed
        )
        return (0.0, 0.0) if est is None else (est.lo, est.hi)

    def summary(self, name: str) -> ArchitectureSummary:
        n = self.all.n or 1

        def split(totals: dict[str, float | None]) -> dict[str, float | None]:
            return {k: (None if v is None else round(v / n, 6)) for k, v in sorted(totals.items())}

        return ArchitectureSummary(
            architecture=name,
            **self.all.summary(self.accuracy_ci95(name)).model_dump(),
            by_family={
                f: self.families[f].summary(self.accuracy_ci95(name, f))
                for f in sorted(self.families)
            },
            cost_by_model=split(self.cost_by_model),
            cost_by_role=split(self.cost_by_role),
        )


def summarise(results: Iterable[EpisodeResult], name: str = "") -> Summary:
    """The summary of some episodes without the per-family and per-model split (`name`:
    the architecture, which labels the interval's draws)."""
    totals = ArchitectureTotals()
    for r in results:
        totals.add(r)
    return totals.all.summary(totals.accuracy_ci95(name))


def summarise_architecture(name: str, results: Iterable[EpisodeResult]) -> ArchitectureSummary:
    totals = ArchitectureTotals()
    for r in results:
        totals.add(r)
    return totals.summary(name)
