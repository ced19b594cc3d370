"""How sure the numbers are: intervals per architecture, paired differences, per-family
winners and the Pareto front, from a run's episode results.

Every interval comes from `harness.bootstrap.interval` (a bootstrap clustered by world,
task and seed; Jeffreys for a proportion of 0% or 100%), the same function the summaries
of `harness.metrics` use, so the report and the CLI never disagree about one number.

Why paired differences: two architectures run on the same tasks with the same seeds. The
difference is taken cell by cell first (architecture A minus B in world w, on task t, with
seed s), then bootstrapped the same way, so the difficulty of each task cancels out and a
real difference shows up with far fewer tasks than two separate intervals would need.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import combinations
from typing import Any

import numpy as np

from harness.bootstrap import (
    DEFAULT_REPS,
    Cell,
    Estimate,
    accuracy_label,
    bootstrap,
    paired_label,
)
from harness.trace import EpisodeResult

__all__ = [
    "DEFAULT_REPS",
    "Cell",
    "Estimate",
    "FamilyResult",
    "PairedComparison",
    "bootstrap",
    "by_architecture",
    "cells",
    "estimate",
    "family_breakdown",
    "paired",
    "paired_comparisons",
    "pareto_front",
    "r_squared",
]


# --- per-episode metrics ----------------------------------------------------------------

Metric = Callable[[EpisodeResult], float | None]

METRICS: dict[str, Metric] = {
    "accuracy": lambda r: float(r.correct),
    "cost": lambda r: r.totals.cost_usd,
    "tokens": lambda r: float(r.totals.input_tokens + r.totals.output_tokens),
    "latency": lambda r: r.latency_s,
    "steps": lambda r: float(r.totals.steps),
}


def cells(results: Sequence[EpisodeResult], metric: str) -> dict[Cell, float] | None:
    """`metric` per (world, task, seed); None if any value is unknown (a real model's
    cost)."""
    get = METRICS[metric]
    out: dict[Cell, float] = {}
    for r in results:
        v = get(r)
        if v is None:
            return None
        out[(r.world, r.task_id, r.seed)] = v
    return out


def estimate(
    results: Sequence[EpisodeResult],
    metric: str = "accuracy",
    *,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    label: str = "",
) -> Estimate | None:
    """`metric` of one architecture's episodes with its interval (None: no episodes, or
    an unknown cost). Accuracy is a proportion: at 0% or 100% its interval is Jeffreys's."""
    values = cells(results, metric)
    if values is None:
        return None
    return bootstrap(values, binary=metric == "accuracy", reps=reps, seed=seed, label=label)


def paired(
    a: Mapping[Cell, float],
    b: Mapping[Cell, float],
    *,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    label: str = "",
) -> Estimate | None:
    """Mean of a - b over the cells both have, with its clustered bootstrap interval."""
    common = sorted(set(a) & set(b))
    return bootstrap({k: a[k] - b[k] for k in common}, reps=reps, seed=seed, label=label)


PAIRED_METRICS = ("accuracy", "cost", "tokens", "latency")
"""What a paired comparison differences: accuracy (a proportion: x100 for points), cost
(US$ per episode), tokens (input + output per episode) and latency (seconds)."""


@dataclass(frozen=True)
class PairedComparison:
    """Architecture `a` minus architecture `b` on the same worlds, tasks and seeds."""

    a: str
    b: str
    pairs: int
    accuracy: Estimate | None
    cost: Estimate | None
    """None when either side's cost is unknown."""
    tokens: Estimate | None
    latency: Estimate | None

    def metric(self, name: str) -> Estimate | None:
        """One of `PAIRED_METRICS` by name."""
        est: Estimate | None = getattr(self, name)
        return est

    def as_dict(self) -> dict[str, Any]:
        """For JSON: each metric's mean, interval, cells and whether it is within noise."""
        out: dict[str, Any] = {"architecture": self.a, "baseline": self.b, "pairs": self.pairs}
        for name in PAIRED_METRICS:
            est = self.metric(name)
            out[name] = None if est is None else {**est.as_dict(), "within_noise": est.within_noise}
        return out


CellsOf = Callable[[str], Mapping[Cell, float] | None]
"""An architecture's cells of one metric (None: unknown, e.g. a real model's cost)."""


def compare_pair(
    a: str,
    b: str,
    cells_a: CellsOf,
    cells_b: CellsOf,
    *,
    order: Sequence[str],
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    scope: str = "",
) -> PairedComparison:
    """`a` minus `b` on every paired metric. The replicates are drawn under the label of
    the pair in run `order`, so a - b here is exactly the negation of b - a elsewhere."""
    first, second = (a, b) if order.index(a) <= order.index(b) else (b, a)
    est: dict[str, Estimate | None] = {}
    pairs = 0
    for metric in PAIRED_METRICS:
        ca, cb = cells_a(metric), cells_b(metric)
        if ca is None or cb is None:
            est[metric] = None
            continue
        pairs = len(ca.keys() & cb.keys())
        label = paired_label(metric, first, second, scope)
        est[metric] = paired(ca, cb, reps=reps, seed=seed, label=label)
    return PairedComparison(
        a, b, pairs, est["accuracy"], est["cost"], est["tokens"], est["latency"]
    )


def by_architecture(results: Sequence[EpisodeResult]) -> dict[str, list[EpisodeResult]]:
    """Results grouped by architecture, in the order architectures first appear."""
    out: dict[str, list[EpisodeResult]] = {}
    for r in results:
        out.setdefault(r.architecture, []).append(r)
    return out


def paired_comparisons(
    results: Sequence[EpisodeResult],
    architectures: Sequence[str] | None = None,
    *,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    scope: str = "",
) -> list[PairedComparison]:
    """Every pair of architectures (in the given order: first minus second)."""
    groups = by_architecture(results)
    names = [a for a in (architectures or list(groups)) if a in groups]
    return [
        compare_pair(
            a,
            b,
            partial(cells, groups[a]),
            partial(cells, groups[b]),
            order=names,
            reps=reps,
            seed=seed,
            scope=scope,
        )
        for a, b in combinations(names, 2)
    ]


@dataclass(frozen=True)
class FamilyResult:
    """Who wins one task family, and whether the data can tell the winner from the next."""

    family: str
    accuracy: dict[str, Estimate]
    winner: str | None
    runner_up: str | None
    margin: Estimate | None
    """Winner minus runner-up, paired on the family's tasks and seeds."""

    @property
    def decisive(self) -> bool:
        return self.margin is not None and self.margin.excludes_zero


def family_breakdown(
    results: Sequence[EpisodeResult],
    architectures: Sequence[str] | None = None,
    *,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    scope: str = "",
) -> list[FamilyResult]:
    """Per task family: each architecture's accuracy with its interval, the winner (ties go
    to the cheaper architecture, then the earlier one) and its paired margin."""
    groups = by_architecture(results)
    names = [a for a in (architectures or list(groups)) if a in groups]
    families = sorted({r.family for r in results})
    out: list[FamilyResult] = []
    for fam in families:
        acc: dict[str, Estimate] = {}
        cost: dict[str, float] = {}
        for a in names:
            rs = [r for r in groups[a] if r.family == fam]
            label = scope + accuracy_label(a, fam)
            e = estimate(rs, "accuracy", reps=reps, seed=seed, label=label)
            if e is not None:
                acc[a] = e
                costs = [r.totals.cost_usd for r in rs]
                cost[a] = math.inf if None in costs else sum(c or 0.0 for c in costs) / len(rs)
        ranked = sorted(acc, key=lambda a: (-acc[a].mean, cost[a], names.index(a)))
        winner = ranked[0] if ranked else None
        runner = ranked[1] if len(ranked) > 1 else None
        margin = None
        if winner is not None and runner is not None:
            fa = cells([r for r in groups[winner] if r.family == fam], "accuracy") or {}
            fb = cells([r for r in groups[runner] if r.family == fam], "accuracy") or {}
            margin = paired(fa, fb, reps=reps, seed=seed, label=f"{scope}|{fam}|{winner}-{runner}")
        out.append(FamilyResult(fam, acc, winner, runner, margin))
    return out


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats on both axes (lower cost x, higher
    accuracy y), sorted by cost: the designs worth their price."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    front: list[int] = []
    best = -math.inf
    for i in order:
        if points[i][1] > best:
            front.append(i)
            best = points[i][1]
    return front


def r_squared(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Share of the variance of y a least-squares line in x explains (None: too few
    points, or no spread)."""
    if len(x) < 3:
        return None
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if float(xs.std()) == 0.0 or float(ys.std()) == 0.0:
        return None
    r = float(np.corrcoef(xs, ys)[0, 1])
    return round(r * r, 6)


def verdict(est: Estimate) -> str:
    """A plain word for a difference: "within noise" when its interval includes 0."""
    if est.within_noise:
        return "within noise"
    return "higher" if est.mean > 0 else "lower"
