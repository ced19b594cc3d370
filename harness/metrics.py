"""Per-architecture summaries of episode results, overall and per task family.

Accuracy carries a 95% Wilson score interval: exact enough for the small samples of toy
suites, deterministic, and never outside [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from harness.trace import EpisodeResult


def wilson_ci95(successes: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (0.0, 0.0)
    z = 1.959963984540054
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (round(max(0.0, centre - half), 6), round(min(1.0, centre + half), 6))


class Summary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    episodes: int
    accuracy: float
    accuracy_ci95: tuple[float, float]
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
    )


@dataclass
class Totals:
    """Running sums of episode results, folded in order: the one place summaries are
    computed, whether the results are in a list or streamed from a run of any size."""

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

    def add(self, r: EpisodeResult) -> None:
        self.add_row(summary_row(r))

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

    def summary(self) -> Summary:
        n = self.n

        def mean(total: float) -> float:
            return round(total / n, 6) if n else 0.0

        return Summary(
            episodes=n,
            accuracy=round(self.correct / n, 6) if n else 0.0,
            accuracy_ci95=wilson_ci95(self.correct, n),
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
    """`Totals` for one architecture, per task family, and its cost split per model and
    per role (the hybrid's point)."""

    def __init__(self) -> None:
        self.all = Totals()
        self.families: dict[str, Totals] = {}
        self.cost_by_model: dict[str, float | None] = {}
        self.cost_by_role: dict[str, float | None] = {}

    def add(self, r: EpisodeResult) -> None:
        self.add_row(summary_row(r))

    def add_row(self, r: SummaryRow) -> None:
        self.all.add_row(r)
        fam = self.families.get(r.family)
        if fam is None:
            fam = self.families[r.family] = Totals()
        fam.add_row(r)
        for costs, split in (
            (r.cost_by_model, self.cost_by_model),
            (r.cost_by_role, self.cost_by_role),
        ):
            for key, cost in costs:
                prev = split.get(key, 0.0)
                split[key] = None if prev is None or cost is None else prev + cost

    def summary(self, name: str) -> ArchitectureSummary:
        n = self.all.n or 1

        def split(totals: dict[str, float | None]) -> dict[str, float | None]:
            return {k: (None if v is None else round(v / n, 6)) for k, v in sorted(totals.items())}

        return ArchitectureSummary(
            architecture=name,
            **self.all.summary().model_dump(),
            by_family={f: self.families[f].summary() for f in sorted(self.families)},
            cost_by_model=split(self.cost_by_model),
            cost_by_role=split(self.cost_by_role),
        )


def summarise(results: Iterable[EpisodeResult]) -> Summary:
    totals = Totals()
    for r in results:
        totals.add(r)
    return totals.summary()


def summarise_architecture(name: str, results: Iterable[EpisodeResult]) -> ArchitectureSummary:
    totals = ArchitectureTotals()
    for r in results:
        totals.add(r)
    return totals.summary(name)
