"""Per-architecture summaries of episode results, overall and per task family.

Accuracy carries a 95% Wilson score interval: exact enough for the small samples of toy
suites, deterministic, and never outside [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

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


def _mean(values: Iterable[float]) -> float:
    vals = list(values)
    return round(sum(vals) / len(vals), 6) if vals else 0.0


def summarise(results: Sequence[EpisodeResult]) -> Summary:
    n = len(results)
    correct = sum(r.correct for r in results)
    costs = [r.totals.cost_usd for r in results]
    outcomes: dict[str, int] = {}
    for r in results:
        outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    return Summary(
        episodes=n,
        accuracy=round(correct / n, 6) if n else 0.0,
        accuracy_ci95=wilson_ci95(correct, n),
        supported_rate=_mean(float(r.supported) for r in results),
        mean_steps=_mean(r.totals.steps for r in results),
        mean_tool_calls=_mean(r.totals.tool_calls for r in results),
        mean_input_tokens=_mean(r.totals.input_tokens for r in results),
        mean_cached_input_tokens=_mean(r.totals.cached_input_tokens for r in results),
        mean_output_tokens=_mean(r.totals.output_tokens for r in results),
        mean_coordination_tokens=_mean(r.coordination.total_tokens for r in results),
        mean_cost_usd=None if any(c is None for c in costs) else _mean(c or 0.0 for c in costs),
        mean_latency_s=_mean(r.latency_s for r in results),
        outcomes=dict(sorted(outcomes.items())),
    )


def _cost_split(results: Sequence[EpisodeResult], attr: str) -> dict[str, float | None]:
    totals: dict[str, float | None] = {}
    for r in results:
        for key, usage in getattr(r, attr).items():
            prev = totals.get(key, 0.0)
            totals[key] = None if prev is None or usage.cost_usd is None else prev + usage.cost_usd
    n = len(results) or 1
    return {k: (None if v is None else round(v / n, 6)) for k, v in sorted(totals.items())}


def summarise_architecture(name: str, results: Sequence[EpisodeResult]) -> ArchitectureSummary:
    families = sorted({r.family for r in results})
    return ArchitectureSummary(
        architecture=name,
        **summarise(results).model_dump(),
        by_family={f: summarise([r for r in results if r.family == f]) for f in families},
        cost_by_model=_cost_split(results, "by_model"),
        cost_by_role=_cost_split(results, "by_role"),
    )
