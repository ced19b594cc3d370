"""The numbers studies read from runs: means, paired differences, ratios, shares, R².

Means and differences go through `harness.stats` (the harness's own clustered bootstrap,
so a study's interval equals the one `archbench compare` prints for the same cells).
Published figures are often ratios ("4x the tokens", "+90.2%") or fits (R²), which the
harness does not bootstrap; `cluster_bootstrap` resamples whole (world, task) clusters
with every seed of a drawn task, and recomputes the statistic on the drawn episodes:
the ratio of two means is not the mean of per-episode ratios, so cells cannot simply be
averaged.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from harness.bootstrap import DEFAULT_REPS, Cell, Estimate
from harness.stats import bootstrap, paired
from harness.trace import EpisodeResult

Array = npt.NDArray[np.float64]
Traces = Mapping[tuple[str, str, int], list[dict[str, Any]]]
"""Steps of every episode of a run, keyed (architecture, task, seed) (framework.Run.traces)."""
Value = Callable[[EpisodeResult], float]


def tokens(r: EpisodeResult) -> float:
    return float(r.totals.input_tokens + r.totals.output_tokens)


def cells(results: Sequence[EpisodeResult], value: Value) -> dict[Cell, float]:
    return {(r.world, r.task_id, r.seed): value(r) for r in results}


def mean(
    results: Sequence[EpisodeResult], value: Value, label: str, binary: bool = False
) -> Estimate | None:
    return bootstrap(cells(results, value), binary=binary, label=label)


def difference(
    a: Sequence[EpisodeResult], b: Sequence[EpisodeResult], value: Value, label: str
) -> Estimate | None:
    """Mean of a - b, paired cell by cell."""
    return paired(cells(a, value), cells(b, value), label=label)


def cluster_bootstrap(
    columns: Mapping[str, Mapping[Cell, float]],
    stat: Callable[[Mapping[str, Array]], float],
    label: str,
    reps: int = DEFAULT_REPS,
) -> Estimate | None:
    """`stat` of the cells every column has, with a 95% percentile interval over
    replicates that draw (world, task) clusters with replacement. Deterministic: the
    generator is seeded by a CRC of `label`. None when there are no common cells or the
    statistic is undefined on the full sample (a ratio over zero)."""
    common = sorted(set.intersection(*(set(c) for c in columns.values())))
    if not common:
        return None
    data = {k: np.array([c[x] for x in common], dtype=np.float64) for k, c in columns.items()}
    point = stat(data)
    if not np.isfinite(point):
        return None
    groups: dict[tuple[int, str], list[int]] = {}
    for i, (w, t, _s) in enumerate(common):
        groups.setdefault((w, t), []).append(i)
    members = [np.array(g, dtype=np.int64) for g in groups.values()]
    rng = np.random.default_rng([0, zlib.crc32(label.encode("utf-8"))])
    boot: list[float] = []
    for _ in range(reps):
        drawn = rng.integers(0, len(members), len(members))
        idx = np.concatenate([members[j] for j in drawn])
        value = stat({k: v[idx] for k, v in data.items()})
        if np.isfinite(value):
            boot.append(value)
    if not boot:
        return Estimate(round(point, 6), round(point, 6), round(point, 6), len(common))
    lo, hi = np.quantile(np.array(boot), [0.025, 0.975])
    return Estimate(
        round(point, 6), round(min(lo, point), 6), round(max(hi, point), 6), len(common)
    )


def ratio(
    a: Sequence[EpisodeResult],
    b: Sequence[EpisodeResult],
    value: Value,
    label: str,
    minus_one: bool = False,
) -> Estimate | None:
    """mean(a) / mean(b) on the cells both have (minus 1: a relative change)."""
    shift = 1.0 if minus_one else 0.0

    def stat(d: Mapping[str, Array]) -> float:
        den = float(d["b"].sum())
        return float(d["a"].sum()) / den - shift if den else float("nan")

    return cluster_bootstrap({"a": cells(a, value), "b": cells(b, value)}, stat, label)


def r_squared(x: Array, y: Array) -> float:
    """Share of the variance of y that a least-squares fit on the columns of x (plus an
    intercept) explains; nan when y has no spread."""
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    total = float(((y - y.mean()) ** 2).sum())
    return 1.0 - float((resid**2).sum()) / total if total > 0 else float("nan")


def fmt(
    est: Estimate | None,
    unit: str = "",
    scale: float = 1.0,
    digits: int = 1,
    label: str = "predicted",
) -> str:
    """`predicted 7.9 [7.5, 8.3] steps`; a "%" or "x" unit follows every number. `label`:
    "calibrated" for a figure a committed calibration fitted (framework.CALIBRATED)."""
    if est is None:
        return f"{label}: n/a (no episodes)"
    each = unit if unit in ("%", "x") else ""
    tail = "" if each else unit

    def one(x: float) -> str:
        return f"{x * scale:,.{digits}f}{each}".replace("-", "\u2212")

    return f"{label} {one(est.mean)} [{one(est.lo)}, {one(est.hi)}]{tail}"
