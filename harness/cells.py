"""What the intervals read of every episode, kept compactly as a run streams in.

The summaries' accuracy interval and the paired differences resample episodes by (world,
task, seed), so a summary needs more than running sums: it needs every episode's key and
values. A run of any size may stream through a worker pool with no results kept
(`keep_results=False`, the CLI's default), so `EpisodeCells` keeps them in typed arrays —
about 40 bytes an episode (4 MB for 100,000 episodes) instead of a result object each —
and hands the bootstrap (`harness.bootstrap`) the same cells a list of results would give.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from harness.bootstrap import DEFAULT_REPS, Cell, CellArrays, Estimate, interval

if TYPE_CHECKING:
    from harness.trace import EpisodeResult


class TaskNames:
    """Task ids interned to small integers; shared by a run's architectures, so that each
    distinct id is held once however many episodes name it."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._codes: dict[str, int] = {}

    def code(self, task_id: str) -> int:
        found = self._codes.get(task_id)
        if found is None:
            found = self._codes[task_id] = len(self.names)
            self.names.append(task_id)
        return found


class EpisodeCells:
    """One architecture's episodes as columns: key (world, task, seed), family, and the
    values of the paired metrics (accuracy, cost, tokens, latency)."""

    def __init__(self, names: TaskNames | None = None) -> None:
        self.names = names or TaskNames()
        self.families: dict[str, int] = {}
        self.world = array("i")
        self.task = array("i")
        self.seed = array("q")
        self.family = array("i")
        self.correct = array("b")
        self.cost = array("d")
        self.cost_known = True
        """False once any episode's cost is unknown (a real model without a price)."""
        self.tokens = array("q")
        self.latency = array("d")

    def __len__(self) -> int:
        return len(self.correct)

    def add(
        self,
        world: int,
        task_id: str,
        seed: int,
        family: str,
        correct: bool,
        cost_usd: float | None,
        tokens: int,
        latency_s: float,
    ) -> None:
        self.world.append(world)
        self.task.append(self.names.code(task_id))
        self.seed.append(seed)
        code = self.families.get(family)
        if code is None:
            code = self.families[family] = len(self.families)
        self.family.append(code)
        self.correct.append(correct)
        self.cost_known = self.cost_known and cost_usd is not None
        self.cost.append(math.nan if cost_usd is None else cost_usd)
        self.tokens.append(tokens)
        self.latency.append(latency_s)

    def _column(self, metric: str) -> array[int] | array[float] | None:
        if metric == "accuracy":
            return self.correct
        if metric == "cost":
            return self.cost if self.cost_known else None
        if metric == "tokens":
            return self.tokens
        if metric == "latency":
            return self.latency
        raise KeyError(f"no metric {metric!r} in episode cells")

    def _rows(self, family: str | None) -> list[int] | None:
        """Positions of the family's episodes (None: every episode)."""
        if family is None:
            return None
        code = self.families.get(family)
        if code is None:
            return []
        return [i for i, f in enumerate(self.family) if f == code]

    def arrays(self, metric: str, family: str | None = None) -> CellArrays | None:
        """The cells of `metric` (of one family's episodes) as the bootstrap takes them;
        None when the metric is unknown."""
        column = self._column(metric)
        if column is None:
            return None
        rows = self._rows(family)

        def pick(col: array[int] | array[float]) -> list[int] | list[float]:
            return col.tolist() if rows is None else [col[i] for i in rows]

        return CellArrays.build(
            pick(self.world),
            pick(self.task),
            self.names.names,
            pick(self.seed),
            pick(column),
        )

    def estimate(
        self,
        metric: str,
        family: str | None = None,
        *,
        label: str,
        reps: int = DEFAULT_REPS,
        seed: int = 0,
    ) -> Estimate | None:
        """`metric`'s mean and interval, as `harness.stats.estimate` gives it for the same
        episodes in a list."""
        cells = self.arrays(metric, family)
        if cells is None:
            return None
        return interval(cells, binary=metric == "accuracy", reps=reps, seed=seed, label=label)

    def mapping(self, metric: str) -> Mapping[Cell, float] | None:
        """`metric` per (world, task, seed), for pairing with another architecture's
        cells (a transient dict: built when a paired difference is asked for)."""
        column = self._column(metric)
        if column is None:
            return None
        names = self.names.names
        return {
            (w, names[t], s): float(v)
            for w, t, s, v in zip(self.world, self.task, self.seed, column, strict=True)
        }


def cells_of(results: Iterable[EpisodeResult]) -> dict[str, EpisodeCells]:
    """Each architecture's cells from a list of results (in the order architectures first
    appear)."""
    names = TaskNames()
    out: dict[str, EpisodeCells] = {}
    for r in results:
        cells = out.get(r.architecture)
        if cells is None:
            cells = out[r.architecture] = EpisodeCells(names)
        t = r.totals
        cells.add(
            r.world,
            r.task_id,
            r.seed,
            r.family,
            r.correct,
            t.cost_usd,
            t.input_tokens + t.output_tokens,
            r.latency_s,
        )
    return out
