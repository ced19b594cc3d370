"""One honest interval: the summaries (CLI, --json, Python API, sweeps) and the report put
the same clustered bootstrap interval on accuracy, whether results were kept in a list or
streamed in as summary rows; 0% and 100% get a Jeffreys interval; worlds cluster."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from harness import compare
from harness.beta import jeffreys_interval
from harness.bootstrap import WORLD_CLUSTERS, accuracy_label, bootstrap
from harness.execution.summary import SummaryBuilder
from harness.metrics import summarise_architecture, summary_row
from harness.report.analysis import arch_row
from harness.report.load import CellRun
from harness.stats import Cell, estimate, family_breakdown
from harness.task import TaskSuite
from harness.trace import EpisodeResult, UsageTotals

ARCHS = ["kimi-researcher", "manus-workflow", "minimax-hybrid"]


def result(
    task: str,
    seed: int,
    correct: bool,
    *,
    world: int = 0,
    family: str = "lookup",
    arch: str = "a",
    cost: float = 0.01,
) -> EpisodeResult:
    return EpisodeResult(
        architecture=arch,
        task_id=task,
        family=family,
        seed=seed,
        world=world,
        outcome="answered",
        correct=correct,
        latency_s=1.0 + seed,
        totals=UsageTotals(steps=2, input_tokens=100, output_tokens=10, cost_usd=cost),
    )


def test_list_and_streaming_summaries_give_the_report_s_interval(mini: TaskSuite) -> None:
    kept = compare(ARCHS, suite=mini, seeds=3)
    streamed = compare(ARCHS, suite=mini, seeds=3, keep_results=False, workers=2)
    assert streamed.results == [] and streamed.summary_json() == kept.summary_json()
    shuffled = list(kept.results)
    random.Random(3).shuffle(shuffled)
    builder = SummaryBuilder(ARCHS)
    for r in shuffled:  # the interval does not depend on the order episodes come in
        builder.add(summary_row(r))
    cell = CellRun("run", {}, Path("."), results=list(kept.results))
    families = {f.family: f for f in family_breakdown(kept.results, ARCHS)}
    for s, arch in zip(kept.summaries, ARCHS, strict=True):
        mine = [r for r in kept.results if r.architecture == arch]
        assert summarise_architecture(arch, mine) == s
        listed = estimate(mine, "accuracy", label=accuracy_label(arch))
        assert listed is not None and (listed.lo, listed.hi) == s.accuracy_ci95
        row = arch_row(cell, arch, mine, reps=2000, seed=0)  # the report's summary table
        assert row.accuracy is not None and (row.accuracy.lo, row.accuracy.hi) == s.accuracy_ci95
        for fam, fs in s.by_family.items():
            e = families[fam].accuracy[arch]  # the report's per-family heat map
            assert (e.lo, e.hi) == fs.accuracy_ci95
    assert [b.accuracy_ci95 for b in builder.summaries()] == [
        s.accuracy_ci95 for s in kept.summaries
    ]


def test_all_right_or_all_wrong_gets_a_jeffreys_interval_over_tasks() -> None:
    rs = [result(f"l{t}", s, True, family="lookup") for t in range(4) for s in range(3)]
    rs += [result(f"d{t}", s, False, family="dead_end") for t in range(6) for s in range(3)]
    rs += [result("x", 0, True, family="lookup", world=1)]  # a second world's task
    s = summarise_architecture("a", rs)
    lookup, dead = s.by_family["lookup"].accuracy_ci95, s.by_family["dead_end"].accuracy_ci95
    assert lookup == pytest.approx(jeffreys_interval(5, 5), abs=1e-6)  # 5 tasks, not 13 episodes
    assert lookup[0] < 1.0 == lookup[1]  # a proper interval, not [100%, 100%]
    assert dead == pytest.approx(jeffreys_interval(0, 6), abs=1e-6)
    assert dead[0] == 0.0 < dead[1]
    assert 0.0 < s.accuracy_ci95[0] < s.accuracy < s.accuracy_ci95[1] < 1.0  # mixed: bootstrap
    e = estimate([r for r in rs if r.family == "lookup"], "accuracy")
    assert e is not None and (e.lo, e.hi) == lookup


def _worlds_data(worlds: int, seed: int) -> dict[Cell, float]:
    """Tasks whose success depends mostly on their world: a good world or a bad one."""
    rng = random.Random(seed)
    values: dict[Cell, float] = {}
    for w in range(worlds):
        p = 0.9 if w % 2 == 0 else 0.3
        for t in range(10):
            for s in range(2):
                values[(w, f"t{t}", s)] = float(rng.random() < p)
    return values


def _flattened(values: dict[Cell, float]) -> dict[Cell, float]:
    """The same episodes with the worlds forgotten: every task in one world."""
    return {(0, f"w{w}-{t}", s): v for (w, t, s), v in values.items()}


def test_many_worlds_are_resampled_and_widen_the_interval() -> None:
    values = _worlds_data(WORLD_CLUSTERS + 2, seed=1)
    clustered = bootstrap(values, label="w")
    flat = bootstrap(_flattened(values), label="w")
    assert clustered is not None and flat is not None
    assert clustered.mean == flat.mean and clustered.n == flat.n == 240
    # worlds are the units: 12 worlds, half of them bad, say less than 120 tasks would
    assert clustered.hi - clustered.lo > 1.5 * (flat.hi - flat.lo)


def test_few_worlds_are_strata_and_narrow_the_interval() -> None:
    values = _worlds_data(4, seed=2)
    stratified = bootstrap(values, label="s")
    flat = bootstrap(_flattened(values), label="s")
    assert stratified is not None and flat is not None and stratified.mean == flat.mean
    # every replicate keeps two good and two bad worlds: the between-world spread is gone
    assert stratified.hi - stratified.lo < flat.hi - flat.lo
    assert stratified.lo < stratified.mean < stratified.hi


def test_one_world_is_the_two_stage_bootstrap_archbench_always_used() -> None:
    """Numbers the two-stage bootstrap (tasks, then seeds) gave before worlds existed."""
    rng = random.Random(1)
    values: dict[Cell, float] = {
        (0, f"t{t}", s): float(rng.random() < 0.7) for t in range(30) for s in range(3)
    }
    del values[(0, "t3", 2)]  # a task short of a seed: the masked path
    e = bootstrap(values, label="x")
    assert e is not None and (e.mean, e.lo, e.hi, e.n) == (0.696629, 0.56969, 0.811111, 89)
    # keys without a world, (task, seed), still read as world 0
    assert bootstrap({(t, s): v for (_, t, s), v in values.items()}, label="x") == e


def test_seeds_drawn_as_counts_are_the_same_resampling(monkeypatch: pytest.MonkeyPatch) -> None:
    """With many seeds per task, seeds are drawn as counts per distinct value instead of
    one by one: the same bootstrap distribution, so the same interval up to Monte Carlo
    error (here 6,000 replicates)."""
    import harness.bootstrap as b

    rng = random.Random(5)
    acc: dict[Cell, float] = {}
    diff: dict[Cell, float] = {}
    for w in range(12):  # 12 worlds: the worlds are resampled too
        for t in range(6 + w % 3):  # worlds of different sizes
            p = rng.random()
            for s in range(40 - (t == 0) * 7):  # a task short of seeds
                acc[(w, f"t{t}", s)] = float(rng.random() < p)
                diff[(w, f"t{t}", s)] = float(rng.choice((-1, 0, 0, 1)))
    counted = [bootstrap(v, reps=6000, label="c") for v in (acc, diff)]
    monkeypatch.setattr(b, "_LEVELS_PER_SEED", 10**9)  # force seed-by-seed draws
    drawn = [bootstrap(v, reps=6000, label="c") for v in (acc, diff)]
    for c, d in zip(counted, drawn, strict=True):
        assert c is not None and d is not None and c.mean == d.mean
        assert c != d  # really two different ways of drawing
        assert c.lo == pytest.approx(d.lo, abs=0.01) and c.hi == pytest.approx(d.hi, abs=0.01)
