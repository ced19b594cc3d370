"""Paired experiments over several generated worlds and seeds, for tests that check a
mechanism's effect as a paired difference with its interval (not as an exact value)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from harness.compare import compare
from harness.stats import Estimate, bootstrap
from harness.task import TaskSuite
from tasks import generate_suite

Cells = dict[tuple[str, int], float]


@cache
def world(w: int, per_family: int) -> TaskSuite:
    return generate_suite(seed=w, per_family=per_family, name=f"w{w}")


@cache
def _cells(
    arch: str,
    worlds: int,
    per_family: int,
    seeds: int,
    models: tuple[tuple[str, str], ...],
    params: tuple[tuple[str, str], ...],
    families: tuple[str, ...],
) -> dict[tuple[str, int], float]:
    out: dict[tuple[str, int], float] = {}
    for w in range(worlds):
        suite = world(w, per_family)
        ids = [t.id for t in suite.tasks if not families or t.family in families]
        result = compare(
            [arch],
            suite=suite,
            seeds=seeds,
            models=dict(models),
            params=dict(params),
            tasks=ids,
        )
        for r in result.results:
            out[(r.task_id, r.seed)] = float(r.correct)
    return out


def accuracy_cells(
    arch: str,
    *,
    worlds: int = 5,
    per_family: int = 4,
    seeds: int = 10,
    models: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    families: Sequence[str] = (),
) -> Cells:
    """Correct (1.0) or not per (task, seed), over `worlds` generated worlds."""
    return _cells(
        arch,
        worlds,
        per_family,
        seeds,
        tuple(sorted((models or {}).items())),
        tuple(sorted((params or {}).items())),
        tuple(families),
    )


def paired_difference(a: Cells, b: Cells) -> Estimate:
    """Mean of a - b over shared cells, with the two-stage bootstrap interval (tasks, then
    seeds within tasks)."""
    common = sorted(set(a) & set(b))
    assert common, "no shared cells"
    est = bootstrap({k: a[k] - b[k] for k in common}, label="paired")
    assert est is not None
    return est
