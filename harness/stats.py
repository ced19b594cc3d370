"""How sure the numbers are: bootstrap intervals over tasks and seeds, and paired differences.

Why not the Wilson interval of `harness.metrics` alone: episodes are not independent draws.
A hard task fails under every seed, so 60 tasks x 3 seeds is closer to 60 observations than
to 180. The bootstrap here is two-stage, the standard one for such nested data: it
resamples *tasks* with replacement, then the *seeds* of each drawn task with replacement.
That carries the correlation between seeds of one task into the interval; resampling single
episodes would make it too narrow. (Seeds are not a crossed factor — seed 0 is not harder
on every task — so they are resampled within tasks, not as whole columns.)

Why paired differences: two architectures run on the same tasks with the same seeds. The
difference is taken cell by cell first (architecture A minus B on task t, seed s), then
bootstrapped the same way, so the difficulty of each task cancels out and a real difference
shows up with far fewer tasks than two separate intervals would need.

Everything is deterministic: each estimate draws from a NumPy generator seeded by the
caller's seed and a CRC of the estimate's label, so the same inputs give the same numbers
whatever order estimates are computed in.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from harness.trace import EpisodeResult

DEFAULT_REPS = 2000
"""Bootstrap replicates: enough for stable 2.5%/97.5% percentiles at two decimals."""

Cell = tuple[str, int]
"""(task_id, seed): one episode of one architecture."""

_CHUNK = 250  # replicates per vectorised batch: bounds memory for large suites


@dataclass(frozen=True)
class Estimate:
    """A mean over (task, seed) cells with its 95% bootstrap percentile interval."""

    mean: float
    lo: float
    hi: float
    n: int
    """Cells (episodes, or pairs of episodes) behind the estimate."""

    @property
    def excludes_zero(self) -> bool:
        """The interval lies on one side of zero: a difference the data can tell apart."""
        return self.lo > 0.0 or self.hi < 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"mean": self.mean, "lo": self.lo, "hi": self.hi, "n": self.n}


def _rng(seed: int, label: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(label.encode("utf-8"))])


def bootstrap(
    values: Mapping[Cell, float], *, reps: int = DEFAULT_REPS, seed: int = 0, label: str = ""
) -> Estimate | None:
    """The mean of `values` with a 95% interval from a two-stage bootstrap: resample tasks
    with replacement, then, within each drawn task, its seeds with replacement.

    Tasks may have different numbers of seeds (an interrupted run); each replicate's mean
    is over the episodes it drew. None when there are no values."""
    if not values:
        return None
    by_task: dict[str, list[float]] = {}
    for (t, _s), v in sorted(values.items()):
        by_task.setdefault(t, []).append(v)
    tasks = list(by_task)
    width = max(len(v) for v in by_task.values())
    table = np.zeros((len(tasks), width))
    sizes = np.array([len(by_task[t]) for t in tasks])
    for i, t in enumerate(tasks):
        table[i, : sizes[i]] = by_task[t]
    mean = float(sum(values.values()) / len(values))
    if len(values) == 1 or reps < 1:
        return Estimate(_r(mean), _r(mean), _r(mean), len(values))
    rng = _rng(seed, label)
    means: list[np.ndarray] = []
    for start in range(0, reps, _CHUNK):
        n = min(_CHUNK, reps - start)
        rows = rng.integers(0, len(tasks), size=(n, len(tasks)))
        k = sizes[rows][:, :, None]  # seeds of each drawn task
        cols = (rng.random((n, len(tasks), width)) * k).astype(np.int64)
        used = np.arange(width)[None, None, :] < k  # draw as many seeds as the task has
        drawn = np.where(used, table[rows[:, :, None], cols], 0.0)
        means.append(drawn.sum(axis=(1, 2)) / used.sum(axis=(1, 2)))
    boot = np.concatenate(means)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return Estimate(_r(mean), _r(min(float(lo), mean)), _r(max(float(hi), mean)), len(values))


def _r(x: float) -> float:
    return round(x, 6) + 0.0  # + 0.0 turns -0.0 into 0.0, for stable JSON


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
    """`metric` per (task, seed); None if any value is unknown (a real model's cost)."""
    get = METRICS[metric]
    out: dict[Cell, float] = {}
    for r in results:
        v = get(r)
        if v is None:
            return None
        out[(r.task_id, r.seed)] = v
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
    an unknown cost)."""
    values = cells(results, metric)
    return None if values is None else bootstrap(values, reps=reps, seed=seed, label=label)


def paired(
    a: Mapping[Cell, float],
    b: Mapping[Cell, float],
    *,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    label: str = "",
) -> Estimate | None:
    """Mean of a - b over the cells both have, with its two-way bootstrap interval."""
    common = sorted(set(a) & set(b))
    return bootstrap({k: a[k] - b[k] for k in common}, reps=reps, seed=seed, label=label)


@dataclass(frozen=True)
class PairedComparison:
    """Architecture `a` minus architecture `b` on the same tasks and seeds."""

    a: str
    b: str
    pairs: int
    accuracy: Estimate | None
    cost: Estimate | None
    """None when either side's cost is unknown."""
    tokens: Estimate | None
    latency: Estimate | None


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
    out: list[PairedComparison] = []
    for a, b in combinations(names, 2):
        est: dict[str, Estimate | None] = {}
        pairs = 0
        for metric in ("accuracy", "cost", "tokens", "latency"):
            ca, cb = cells(groups[a], metric), cells(groups[b], metric)
            if ca is None or cb is None:
                est[metric] = None
                continue
            pairs = len(set(ca) & set(cb))
            est[metric] = paired(ca, cb, reps=reps, seed=seed, label=f"{scope}|{metric}|{a}|{b}")
        out.append(
            PairedComparison(
                a, b, pairs, est["accuracy"], est["cost"], est["tokens"], est["latency"]
            )
        )
    return out


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
            e = estimate(rs, "accuracy", reps=reps, seed=seed, label=f"{scope}|{fam}|{a}")
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
