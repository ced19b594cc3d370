"""The statistics of the `scaling-laws` study, over a grid of configurations.

A configuration is (architecture, task structure, capability level). Its accuracy is the
mean over the episodes of its tasks and seeds; the grid's episodes are columns keyed by
(world, task, seed) cells, one column per (architecture, level), so that
`measure.cluster_bootstrap` can redraw whole tasks and recompute every statistic below on
the drawn tasks (a task's episodes at every level and in every design move together:
they share the task's difficulty).

Why the regressor of the capability interaction is the designed skill level and not the
single agent's measured accuracy: the gain (multi − single) and the single agent's accuracy
share the single agent's sampling noise with opposite signs, which biases a slope of one on
the other towards negative, i.e. towards the published finding. The skill level is fixed
by the recipe and carries no such noise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from harness.studies.measure import Array

Columns = Mapping[str, Array]
Stat = Callable[[Columns], float]
PARALLEL = "__parallel__"
"""The column holding 1.0 for a cell of a parallelizable task, 0.0 for a sequential one."""


def column(arch: str, level: float) -> str:
    return f"{arch}@{level:g}"


def mask(d: Columns, structure: str | None) -> npt.NDArray[np.bool_]:
    """Cells of one structure ("parallel", "sequential") or of both (None)."""
    par = d[PARALLEL] > 0.5
    if structure is None:
        return np.ones_like(par, dtype=bool)
    return par if structure == "parallel" else ~par


def relative_gain(arch: str, single: str, levels: Sequence[float], structure: str | None) -> Stat:
    """acc(arch) / acc(single) − 1 over every level's cells of `structure`: a ratio of
    means, as the published relative changes are."""

    def stat(d: Columns) -> float:
        sel = mask(d, structure)
        num = sum(float(d[column(arch, lv)][sel].sum()) for lv in levels)
        den = sum(float(d[column(single, lv)][sel].sum()) for lv in levels)
        return num / den - 1.0 if den else float("nan")

    return stat


def amplification(arch: str, single: str, levels: Sequence[float]) -> Stat:
    """The error amplification this study adopts (docs/studies.md#scaling-laws): the
    failure rate of `arch` over the single agent's, on the same cells of every level."""

    def stat(d: Columns) -> float:
        fail = sum(float((1.0 - d[column(arch, lv)]).sum()) for lv in levels)
        base = sum(float((1.0 - d[column(single, lv)]).sum()) for lv in levels)
        return fail / base if base else float("nan")

    return stat


def amplification_ratio(a: str, b: str, single: str, levels: Sequence[float]) -> Stat:
    """A_e(a) / A_e(b): the single agent's failures cancel out."""
    amp_a, amp_b = amplification(a, single, levels), amplification(b, single, levels)

    def stat(d: Columns) -> float:
        den = amp_b(d)
        return amp_a(d) / den if den else float("nan")

    return stat


def config_means(
    d: Columns, archs: Sequence[str], levels: Sequence[float], structures: Sequence[str]
) -> Array:
    """Accuracy of every configuration: shape (archs, structures, levels)."""
    values = np.stack([d[column(a, lv)] for a in archs for lv in levels])
    weights = np.stack([mask(d, s) for s in structures]).T.astype(np.float64)
    means = (values @ weights) / np.maximum(weights.sum(axis=0), 1.0)
    shaped = means.reshape(len(archs), len(levels), len(structures)).transpose(0, 2, 1)
    return np.asarray(shaped, dtype=np.float64)


def saturation_slope(
    archs: Sequence[str], levels: Sequence[float], structures: Sequence[str]
) -> Stat:
    """The capability x coordination interaction: the slope of the gain (accuracy of a
    multi-agent design minus the single agent's, same structure and level) on the skill
    level, fitted with one intercept per (design, structure). `archs[0]` is the single
    agent. Negative: coordination gains less (or loses more) as the model gets better."""
    x = np.asarray(levels, dtype=np.float64)

    def stat(d: Columns) -> float:
        acc = config_means(d, archs, levels, structures)
        ys, xs, groups = [], [], []
        for g, (ai, si) in enumerate(
            (ai, si) for ai in range(1, len(archs)) for si in range(len(structures))
        ):
            ys.append(acc[ai, si] - acc[0, si])
            xs.append(x)
            groups.append(np.full(len(x), g))
        y, xv, grp = np.concatenate(ys), np.concatenate(xs), np.concatenate(groups)
        dummies = (grp[:, None] == np.arange(grp.max() + 1)[None, :]).astype(np.float64)
        coef, *_ = np.linalg.lstsq(np.column_stack([dummies, xv]), y, rcond=None)
        return float(coef[-1])

    return stat


def features(structure: Array, level: Array) -> Array:
    """A configuration's features: intercept, parallel (0/1), skill level, and their
    product (the structure may change how capability pays)."""
    return np.column_stack([np.ones_like(level), structure, level, structure * level])


def best(values: Array) -> npt.NDArray[np.intp]:
    """Index of the largest value along the first axis; a tie goes to the first (the
    simpler design: the single agent comes first in the grid)."""
    return np.asarray(np.argmax(values, axis=0), dtype=np.intp)


def held_out_hits(acc: Array, levels: Sequence[float]) -> tuple[Array, Array]:
    """Leave one capability level out: fit each design's accuracy on the other levels'
    configurations (least squares on `features`), predict the held-out level's, and pick
    the best design per structure. Returns (hits of the fitted predictor, hits of the
    baseline that always names the design that was best most often in training), each
    one 0/1 per held-out configuration (structure x level). The fit's matrix depends on
    the levels only, so each fold's pseudo-inverse is computed once."""
    n_arch, n_struct, n_lev = acc.shape
    hits, base = [], []
    winners = best(acc)  # (structures, levels)
    for held, (train, proj) in enumerate(_folds(tuple(levels), n_struct)):
        y = acc[:, :, train].reshape(n_arch, -1)  # rows ordered structure-major
        pred = proj @ y.T  # (structures, archs)
        wins = np.bincount(winners[:, train].reshape(-1), minlength=n_arch)
        common = int(np.argmax(wins))
        truth = winners[:, held]
        hits.append(best(np.round(pred.T, 9)) == truth)  # exact ties: the first design
        base.append(common == truth)
    return np.concatenate(hits).astype(np.float64), np.concatenate(base).astype(np.float64)


@functools.cache
def _folds(levels: tuple[float, ...], n_struct: int) -> list[tuple[list[int], Array]]:
    """Per held-out level: the training levels and the map from training accuracies to
    predictions at the held-out level (x_test @ pinv(x_train))."""
    lv = np.asarray(levels, dtype=np.float64)
    out = []
    for held in range(len(levels)):
        train = [li for li in range(len(levels)) if li != held]
        s_tr = np.repeat(np.arange(n_struct, dtype=np.float64), len(train))
        x_tr = features(s_tr, np.tile(lv[train], n_struct))
        x_te = features(np.arange(n_struct, dtype=np.float64), np.full(n_struct, lv[held]))
        out.append((train, x_te @ np.linalg.pinv(x_tr)))
    return out


def predictor_score(
    archs: Sequence[str], levels: Sequence[float], structures: Sequence[str], baseline: bool
) -> Stat:
    """Share of held-out configurations whose best design the fitted predictor (or, with
    `baseline`, the most-common-winner rule) names."""

    def stat(d: Columns) -> float:
        hits, base = held_out_hits(config_means(d, archs, levels, structures), levels)
        return float((base if baseline else hits).mean())

    return stat
