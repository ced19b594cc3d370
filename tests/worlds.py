"""Paired experiments over several generated worlds and seeds, for tests that check a
mechanism's effect as a paired difference with its interval (not as an exact value).

A run is one setting (architecture, bindings, parameters, episode caps, families) over
`worlds` generated worlds x `seeds` seeds; its cells are keyed by (task id, seed), and task
ids differ per world ("w3-breadth-02"), so the bootstrap's task unit is the (world, task).
Runs are memoised per process: tests that share a setting share its episodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from harness.compare import compare
from harness.runtime import Episode
from harness.stats import Estimate, bootstrap
from harness.task import TaskSuite
from harness.taxonomy import diagnose, loop_budgets
from harness.usage import UsageLimits
from tasks import generate_suite

Cell = tuple[str, int]
Cells = dict[Cell, float]

METRICS = ("accuracy", "latency", "tokens", "cost")


@cache
def world(w: int, per_family: int) -> TaskSuite:
    return generate_suite(seed=w, per_family=per_family, name=f"w{w}")


@dataclass(frozen=True)
class WorldRun:
    """Per metric, the value of every (task, seed) cell; and the failure modes each failed
    episode's trace shows (MAST tags, `harness.taxonomy`)."""

    metrics: dict[str, Cells]
    family: dict[Cell, str]
    tags: dict[Cell, tuple[str, ...]]


@cache
def _run(
    arch: str,
    worlds: int,
    per_family: int,
    seeds: int,
    models: tuple[tuple[str, str], ...],
    params: tuple[tuple[str, str], ...],
    families: tuple[str, ...],
    max_tokens: int | None,
) -> WorldRun:
    metrics: dict[str, Cells] = {m: {} for m in METRICS}
    family: dict[Cell, str] = {}
    tags: dict[Cell, tuple[str, ...]] = {}
    budgets, dynamic = loop_budgets(
        {"params": {arch: dict(params)}, "roles": {arch: dict(models)}}, arch
    )

    def diagnosed(ep: Episode, _done: int, _total: int) -> None:
        r = ep.result
        if not r.correct:
            steps = [s.as_dict() for s in ep.steps]
            tags[(r.task_id, r.seed)] = diagnose(r, steps, budgets, dynamic).tags

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
            limits=UsageLimits(max_tokens=max_tokens),
            on_episode=diagnosed,
        )
        for r in result.results:
            key = (r.task_id, r.seed)
            t = r.totals
            metrics["accuracy"][key] = float(r.correct)
            metrics["latency"][key] = r.latency_s
            metrics["tokens"][key] = float(t.input_tokens + t.output_tokens)
            metrics["cost"][key] = t.cost_usd or 0.0
            family[key] = r.family
    return WorldRun(metrics, family, tags)


def run(
    arch: str,
    *,
    worlds: int = 5,
    per_family: int = 4,
    seeds: int = 10,
    models: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    families: Sequence[str] = (),
    max_tokens: int | None = None,
) -> WorldRun:
    """`arch` over `worlds` generated worlds x `seeds` seeds (memoised)."""
    return _run(
        arch,
        worlds,
        per_family,
        seeds,
        tuple(sorted((models or {}).items())),
        tuple(sorted((params or {}).items())),
        tuple(families),
        max_tokens,
    )


def cells(arch: str, metric: str = "accuracy", *, family: str | None = None, **kw: object) -> Cells:
    """`metric` per (task, seed) of `run(arch, **kw)`, of one family or all."""
    r = run(arch, **kw)  # type: ignore[arg-type]
    values = r.metrics[metric]
    return {k: v for k, v in values.items() if family is None or r.family[k] == family}


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
    return run(
        arch,
        worlds=worlds,
        per_family=per_family,
        seeds=seeds,
        models=models,
        params=params,
        families=families,
    ).metrics["accuracy"]


def paired_difference(a: Cells, b: Cells) -> Estimate:
    """Mean of a - b over shared cells, with the two-stage bootstrap interval (tasks, then
    seeds within tasks)."""
    common = sorted(set(a) & set(b))
    assert common, "no shared cells"
    est = bootstrap({k: a[k] - b[k] for k in common}, label="paired")
    assert est is not None
    return est
