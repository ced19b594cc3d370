"""Per-architecture summaries built one result at a time, in constant memory.

`SummaryBuilder` gives exactly what `harness.metrics.summarise_architecture` gives over the
same results in the same order (sums are taken in that order, so even the last bit of a
float agrees), without keeping the results: a sweep of a million episodes needs no more
memory to summarise than one of a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.metrics import ArchitectureSummary, Summary, wilson_ci95
from harness.trace import EpisodeResult


@dataclass
class _Sums:
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
        t = r.totals
        self.n += 1
        self.correct += r.correct
        self.supported += float(r.supported)
        self.steps += t.steps
        self.tool_calls += t.tool_calls
        self.input_tokens += t.input_tokens
        self.cached_input_tokens += t.cached_input_tokens
        self.output_tokens += t.output_tokens
        self.coordination_tokens += r.coordination.total_tokens
        if self.cost is not None:
            self.cost = None if t.cost_usd is None else self.cost + t.cost_usd
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


class _ArchSums:
    def __init__(self) -> None:
        self.all = _Sums()
        self.families: dict[str, _Sums] = {}
        self.cost_by_model: dict[str, float | None] = {}
        self.cost_by_role: dict[str, float | None] = {}

    def add(self, r: EpisodeResult) -> None:
        self.all.add(r)
        fam = self.families.get(r.family)
        if fam is None:
            fam = self.families[r.family] = _Sums()
        fam.add(r)
        for totals, split in ((r.by_model, self.cost_by_model), (r.by_role, self.cost_by_role)):
            for key, usage in totals.items():
                prev, cost = split.get(key, 0.0), usage.cost_usd
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


class SummaryBuilder:
    """Add results (in planned order, for bit-identical sums); read the summaries any time."""

    def __init__(self, architectures: list[str]) -> None:
        self._archs = {name: _ArchSums() for name in architectures}

    def add(self, result: EpisodeResult) -> None:
        self._archs[result.architecture].add(result)

    @property
    def episodes(self) -> int:
        return sum(a.all.n for a in self._archs.values())

    def summaries(self) -> list[ArchitectureSummary]:
        return [sums.summary(name) for name, sums in self._archs.items()]
