"""The one interval archbench puts on a mean: a clustered bootstrap over worlds, tasks and
seeds, with a Jeffreys interval for a proportion of 0% or 100%.

Every interval archbench prints goes through `interval` here: the accuracy of the CLI's
table, of `--json`, of `harness.compare(...).summaries` and of sweeps; the report's
accuracy, cost and per-family intervals; and paired differences everywhere. So one run
never shows two intervals for the same number.

Why clustered: episodes are not independent draws. A hard task fails under every seed, so
60 tasks x 3 seeds carry far less information than 180 episodes; and tasks generated from
one world (one generator seed) share its entities and pages. The bootstrap resamples the
way the data were made:

1. worlds: with at least `WORLD_CLUSTERS` (10) worlds, the worlds themselves are resampled
   with replacement (a replicate can draw world 3 twice and world 5 not at all). With fewer,
   there are too few to resample and each world is a stratum: every replicate keeps every
   world with its own number of tasks, and only the tasks within it are resampled (the
   classic stratified bootstrap);
2. tasks within each (drawn) world, with replacement;
3. seeds within each drawn task, with replacement. (Seeds are not a crossed factor: seed 0
   is not harder on every task, so they are resampled within tasks, not as columns.)

Each replicate's mean is over the episodes it drew (tasks may have different numbers of
seeds, worlds different numbers of tasks); the interval is the 2.5%-97.5% percentiles of
`DEFAULT_REPS` replicates. With one world this is exactly the two-stage bootstrap archbench
used before worlds existed, replicate for replicate. (With many seeds per task and few
distinct values, as accuracy over 400 seeds, the seeds of a drawn task are drawn as
counts per value, the same resampling in distribution at a fraction of the cost; see
`_SeedCounts`.)

Why Jeffreys at 0% and 100%: when every outcome is the same, every replicate is that value
and the bootstrap returns a point, claiming a certainty no finite sample gives. The
interval is then the Jeffreys interval (`harness.beta.jeffreys_interval`) with n = the
number of distinct tasks (world, task), not episodes: seeds of one task agree, so they
count once.

Deterministic: each interval draws from a NumPy generator seeded by the caller's seed and a
CRC of the interval's label (`accuracy_label`, `paired_label`), so the same values give the
same interval, byte for byte, whatever order intervals are computed in, and the summary,
the report and the CLI, which use the same labels, give the same numbers.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from harness.beta import jeffreys_interval

DEFAULT_REPS = 2000
"""Bootstrap replicates: enough for stable 2.5%/97.5% percentiles at two decimals."""
WORLD_CLUSTERS = 10
"""From this many worlds on, worlds are resampled; below it they are strata."""

Cell = tuple[int, str, int]
"""(world, task_id, seed): one episode of one architecture."""
TaskCell = tuple[str, int]
"""(task_id, seed): the key before worlds, still taken (as world 0)."""

_CHUNK = 250  # replicates per vectorised batch
_LEVELS_PER_SEED = 4  # seeds per distinct value from which seeds are drawn as counts
_BUDGET = 1_000_000  # drawn cells per batch at most: bounds memory for large runs (~8 MB an array)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Estimate:
    """A mean over (world, task, seed) cells with its 95% interval."""

    mean: float
    lo: float
    hi: float
    n: int
    """Cells (episodes, or pairs of episodes) behind the estimate."""

    @property
    def excludes_zero(self) -> bool:
        """The interval lies on one side of zero: a difference the data can tell apart."""
        return self.lo > 0.0 or self.hi < 0.0

    @property
    def within_noise(self) -> bool:
        """The interval includes zero: these tasks cannot tell the difference from none."""
        return not self.excludes_zero

    def as_dict(self) -> dict[str, float | int]:
        return {"mean": self.mean, "lo": self.lo, "hi": self.hi, "n": self.n}


def accuracy_label(architecture: str, family: str | None = None) -> str:
    """The label an architecture's accuracy interval (overall, or in one task family) is
    drawn under, wherever it is computed: the summary and the report then agree."""
    return architecture if family is None else f"|{family}|{architecture}"


def paired_label(metric: str, first: str, second: str, scope: str = "") -> str:
    """The label of a paired difference between two architectures, `first` being the one
    run first: A - B and B - A draw the same replicates (one is the other's negation)."""
    return f"{scope}|{metric}|{first}|{second}"


@dataclass(frozen=True)
class CellArrays:
    """Values sorted by (world, task id, seed), one per cell: what `interval` resamples.

    `task` is the rank of the task id among the ids present (their sorted order), so two
    callers holding the same cells build the same arrays, whether they kept results in a
    list or folded them into columns as they streamed in."""

    world: IntArray
    task: IntArray
    value: FloatArray

    def __len__(self) -> int:
        return len(self.value)

    @classmethod
    def build(
        cls,
        world: npt.ArrayLike,
        task_codes: npt.ArrayLike,
        task_names: Sequence[str],
        seed: npt.ArrayLike,
        value: npt.ArrayLike,
    ) -> CellArrays:
        """From per-episode columns in any order; task_codes index task_names. A cell given
        twice keeps its last value (as a dict would)."""
        w = np.asarray(world, dtype=np.int64)
        codes = np.asarray(task_codes, dtype=np.int64)
        s = np.asarray(seed, dtype=np.int64)
        v = np.asarray(value, dtype=np.float64)
        rank = np.empty(len(task_names), dtype=np.int64)
        rank[sorted(range(len(task_names)), key=task_names.__getitem__)] = np.arange(
            len(task_names)
        )
        t = rank[codes] if len(codes) else codes
        order = np.lexsort((s, t, w))  # stable: equal cells keep their order
        w, t, s, v = w[order], t[order], s[order], v[order]
        last = np.ones(len(v), dtype=bool)
        last[:-1] = (w[1:] != w[:-1]) | (t[1:] != t[:-1]) | (s[1:] != s[:-1])
        return cls(w[last], t[last], v[last])

    @classmethod
    def of(cls, values: Mapping[Cell, float] | Mapping[TaskCell, float]) -> CellArrays:
        """From values keyed (world, task, seed), or (task, seed) for one world."""
        keys: list[Cell] = [k if len(k) == 3 else (0, *k) for k in values]
        names: dict[str, int] = {}
        codes = [names.setdefault(t, len(names)) for _, t, _ in keys]
        return cls.build(
            [w for w, _, _ in keys],
            codes,
            list(names),
            [s for _, _, s in keys],
            list(values.values()),
        )


def bootstrap(
    values: Mapping[Cell, float] | Mapping[TaskCell, float],
    *,
    binary: bool = False,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    label: str = "",
) -> Estimate | None:
    """`interval` of values keyed by (world, task, seed); None when there are none."""
    return interval(CellArrays.of(values), binary=binary, reps=reps, seed=seed, label=label)


def interval(
    cells: CellArrays,
    *,
    binary: bool = False,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    label: str = "",
) -> Estimate | None:
    """The mean of `cells` with its 95% interval: the clustered bootstrap of the module
    docstring, or, for `binary` (0/1) values that are all the same, the Jeffreys interval
    over distinct tasks. None when there are no cells."""
    n = len(cells)
    if n == 0:
        return None
    values = cells.value
    mean = math.fsum(values.tolist()) / n  # exactly rounded: independent of order
    starts = _task_starts(cells)
    if binary and bool(np.all(values == values[0])) and values[0] in (0.0, 1.0):
        tasks = len(starts)
        lo, hi = jeffreys_interval(int(values[0]) * tasks, tasks)
        return Estimate(_r(mean), _r(lo), _r(hi), n)
    if n == 1 or reps < 1:
        return Estimate(_r(mean), _r(mean), _r(mean), n)
    boot = _replicates(cells, starts, reps, _rng(seed, label))
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return Estimate(_r(mean), _r(min(float(lo), mean)), _r(max(float(hi), mean)), n)


def _rng(seed: int, label: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(label.encode("utf-8"))])


def _r(x: float) -> float:
    return round(x, 6) + 0.0  # + 0.0 turns -0.0 into 0.0, for stable JSON


def _task_starts(cells: CellArrays) -> IntArray:
    """Index of the first cell of each (world, task)."""
    w, t = cells.world, cells.task
    new = np.ones(len(t), dtype=bool)
    new[1:] = (w[1:] != w[:-1]) | (t[1:] != t[:-1])
    return np.flatnonzero(new).astype(np.int64)


def _replicates(
    cells: CellArrays, starts: IntArray, reps: int, rng: np.random.Generator
) -> FloatArray:
    """`reps` bootstrap means, drawn in batches."""
    sizes = np.diff(np.append(starts, len(cells))).astype(np.int64)  # seeds per task
    n_tasks = len(starts)
    task_world = cells.world[starts]
    world_start = np.flatnonzero(np.append(True, task_world[1:] != task_world[:-1]))
    per_world = np.diff(np.append(world_start, n_tasks)).astype(np.int64)  # tasks per world
    clustered = len(per_world) >= WORLD_CLUSTERS
    slots = len(per_world) * int(per_world.max()) if clustered else n_tasks
    seeds = _seed_stage(cells, starts, sizes)
    chunk = max(1, min(_CHUNK, _BUDGET // (slots * seeds.width)))
    means: list[FloatArray] = []
    for begin in range(0, reps, chunk):
        k = min(chunk, reps - begin)
        if clustered:
            rows, drawn = _draw_worlds(rng, k, world_start, per_world)
        else:
            rows = np.concatenate(
                [
                    start + rng.integers(0, count, size=(k, count))
                    for start, count in zip(world_start, per_world, strict=True)
                ],
                axis=1,
            )
            drawn = None
        means.append(seeds.draw(rng, rows, drawn))
    return np.concatenate(means)


def _draw_worlds(
    rng: np.random.Generator, k: int, world_start: IntArray, per_world: IntArray
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """k replicates' tasks: worlds drawn with replacement, then tasks within each. Worlds
    have different numbers of tasks, so each drawn world gets the widest world's slots and
    a mask of the ones it uses."""
    n_worlds, most = len(per_world), int(per_world.max())
    picked = rng.integers(0, n_worlds, size=(k, n_worlds))
    count = per_world[picked][:, :, None]
    pos = (rng.random((k, n_worlds, most)) * count).astype(np.int64)
    used = np.arange(most)[None, None, :] < count
    rows = np.where(used, world_start[picked][:, :, None] + pos, 0)
    return rows.reshape(k, n_worlds * most), used.reshape(k, n_worlds * most)


class _Seeds(Protocol):
    width: int
    """Numbers drawn per task and replicate (bounds the batch size)."""

    def draw(
        self, rng: np.random.Generator, rows: IntArray, drawn: npt.NDArray[np.bool_] | None
    ) -> FloatArray:
        """The replicates' means: within each drawn task (row), its seeds resampled."""
        ...


def _seed_stage(cells: CellArrays, starts: IntArray, sizes: IntArray) -> _Seeds:
    """How seeds are resampled within tasks: seed by seed, or, when the values take far
    fewer distinct levels than tasks have seeds (accuracy over many seeds), as counts."""
    width = int(sizes.max())
    levels, codes = np.unique(cells.value, return_inverse=True)
    task_of = np.repeat(np.arange(len(starts)), sizes)
    if len(levels) * _LEVELS_PER_SEED <= width:
        return _SeedCounts(levels, codes.astype(np.int64), task_of, sizes)
    table = np.zeros((len(starts), width))
    table[task_of, np.arange(len(cells)) - np.repeat(starts, sizes)] = cells.value
    return _SeedDraws(table, sizes)


class _SeedDraws:
    """Each seed drawn with replacement: S draws for a task with S seeds."""

    def __init__(self, table: FloatArray, sizes: IntArray) -> None:
        self.table, self.sizes = table, sizes
        self.width = table.shape[1]

    def draw(
        self, rng: np.random.Generator, rows: IntArray, drawn: npt.NDArray[np.bool_] | None
    ) -> FloatArray:
        k, slots = rows.shape
        table, sizes, width = self.table, self.sizes, self.width
        if drawn is None and bool(np.all(sizes == width)):
            # every task has every seed (a finished run): no mask, the same draws and sums
            cols = (rng.random((k, slots, width)) * width).astype(np.int64)
            full: FloatArray = table[rows[:, :, None], cols].sum(axis=(1, 2)) / (slots * width)
            return full
        count = sizes[rows] if drawn is None else np.where(drawn, sizes[rows], 0)
        count = count[:, :, None]
        cols = (rng.random((k, slots, width)) * count).astype(np.int64)
        used = np.arange(width)[None, None, :] < count  # draw as many seeds as the task has
        values = np.where(used, table[rows[:, :, None], cols], 0.0)
        total: FloatArray = values.sum(axis=(1, 2)) / used.sum(axis=(1, 2))
        return total


class _SeedCounts:
    """The same resampling drawn as counts: S draws with replacement from a task's seeds
    put a multinomial number of them on each of its distinct values, drawn here as one
    binomial per value (each conditional on the ones before). Equal in distribution to
    `_SeedDraws`, at a cost per distinct value instead of per seed: an accuracy (two values)
    over 400 seeds a task costs what one over two seeds does."""

    def __init__(
        self, levels: FloatArray, codes: IntArray, task_of: IntArray, sizes: IntArray
    ) -> None:
        counts = np.zeros((len(sizes), len(levels)))
        np.add.at(counts, (task_of, codes), 1.0)
        left = sizes[:, None] - (np.cumsum(counts, axis=1) - counts)  # not yet placed
        self.odds = np.divide(counts, left, out=np.zeros_like(counts), where=left > 0)
        self.levels, self.sizes = levels, sizes
        self.width = len(levels)

    def draw(
        self, rng: np.random.Generator, rows: IntArray, drawn: npt.NDArray[np.bool_] | None
    ) -> FloatArray:
        n = self.sizes[rows] if drawn is None else np.where(drawn, self.sizes[rows], 0)
        left = n.copy()
        total = np.zeros(rows.shape)
        for level in range(len(self.levels) - 1):
            got = rng.binomial(left, self.odds[rows, level])
            total += got * self.levels[level]
            left -= got
        total += left * self.levels[-1]
        means: FloatArray = total.sum(axis=1) / n.sum(axis=1)
        return means
