"""The numbers of study `kimi-rl` that the framework's `measure` does not hold: a trained
arm pooled over its training seeds, intervals over training seeds, the change along a
learning curve, the variance of the batch reward across seeds, and what the trained
policies' parameters say (for the rows' one-line whys).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path

from harness.bootstrap import Cell, Estimate
from harness.studies.kimi_rl_runs import Arm, policy
from harness.trace import EpisodeResult

Value = Callable[[EpisodeResult], float]


def correct(r: EpisodeResult) -> float:
    return float(r.correct)


def steps_of(r: EpisodeResult) -> float:
    return float(r.totals.steps)


def faults_of(r: EpisodeResult) -> float:
    """What the format penalty charges that a result shows: invalid tool calls, and an
    episode ended by its token budget or context window (forced answers are not in it)."""
    return float(r.tool_errors + (r.outcome in ("budget_exhausted", "context_overflow")))


def pooled(groups: Sequence[Sequence[EpisodeResult]], value: Value) -> dict[Cell, float]:
    """A trained arm's value per cell: the mean over its training seeds' policies."""
    acc: dict[Cell, list[float]] = {}
    for g in groups:
        for r in g:
            acc.setdefault((r.world, r.task_id, r.seed), []).append(value(r))
    return {k: sum(v) / len(v) for k, v in acc.items()}


_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306}


def over_seeds(values: Sequence[float]) -> Estimate | None:
    """Mean and 95% t interval of one number per training seed."""
    if len(values) < 2:
        return None if not values else Estimate(values[0], values[0], values[0], 1)
    mean = statistics.fmean(values)
    half = _T975.get(len(values) - 1, 1.96) * statistics.stdev(values) / math.sqrt(len(values))
    return Estimate(round(mean, 6), round(mean - half, 6), round(mean + half, 6), len(values))


def change(lines: Sequence[dict[str, float]], key: str) -> float:
    """Mean of `key` over the last tenth of batches minus the first tenth."""
    k = max(1, len(lines) // 10)
    first = [float(x[key]) for x in lines[:k]]
    last = [float(x[key]) for x in lines[-k:]]
    return statistics.fmean(last) - statistics.fmean(first)


def seed_variance(curves: Sequence[Sequence[dict[str, float]]]) -> dict[Cell, float]:
    """Per batch of the second half of training: the variance of the batch reward across
    training seeds (keyed as cells so that `measure.cluster_bootstrap` redraws batches)."""
    n = min(len(c) for c in curves)
    return {
        (0, f"batch-{b:05d}", 0): statistics.variance([float(c[b]["reward"]) for c in curves])
        for b in range(n // 2, n)
    }


def mean_of(cells: dict[Cell, float]) -> float:
    return statistics.fmean(cells.values()) if cells else float("nan")


def same_policies(
    dirs: dict[tuple[str, int], Path], arm: Arm, full: Arm, seeds: Sequence[int]
) -> str:
    """What a row says when an ablation's policies equal the full recipe's, seed by seed
    (its change never altered a reward, so training took the same steps)."""
    same = all(
        policy(dirs[(arm.name, s)])["params"] == policy(dirs[(full.name, s)])["params"]
        for s in seeds
    )
    return (
        "the penalty never fired in training (the policies equal the full recipe's); "
        if same
        else ""
    )


def mean_bias(dirs: Sequence[Path], decision: str) -> float:
    got = [policy(d)["params"][decision]["bias"] for d in dirs]
    vals = [float(b) for b in got if b is not None]
    return statistics.fmean(vals) if vals else float("nan")
