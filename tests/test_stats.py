"""Bootstrap intervals over tasks and seeds, paired differences, winners and the Pareto front."""

from __future__ import annotations

import json
import random
from dataclasses import asdict

from harness.stats import (
    Cell,
    bootstrap,
    estimate,
    family_breakdown,
    paired,
    paired_comparisons,
    pareto_front,
    r_squared,
)
from harness.trace import EpisodeResult, UsageTotals


def result(
    arch: str, task: str, seed: int, correct: bool, cost: float = 0.01, family: str = "lookup"
) -> EpisodeResult:
    return EpisodeResult(
        architecture=arch,
        task_id=task,
        family=family,
        seed=seed,
        outcome="answered",
        correct=correct,
        totals=UsageTotals(steps=3, input_tokens=1000, output_tokens=100, cost_usd=cost),
    )


def test_bootstrap_is_deterministic_and_brackets_the_mean() -> None:
    rng = random.Random(1)
    values: dict[Cell, float] = {
        (0, f"t{t}", s): float(rng.random() < 0.7) for t in range(30) for s in range(3)
    }
    a = bootstrap(values, label="x")
    b = bootstrap(dict(reversed(list(values.items()))), label="x")
    assert a == b  # the order values come in does not matter
    assert a is not None and a.lo < a.mean < a.hi
    assert a.n == 90
    assert 0.0 <= a.lo and a.hi <= 1.0
    assert json.dumps(asdict(a)) == json.dumps(asdict(bootstrap(values, label="x")))  # type: ignore[arg-type]


def test_bootstrap_edge_cases() -> None:
    assert bootstrap({}) is None
    one = bootstrap({(0, "t", 0): 1.0})
    assert one is not None and (one.mean, one.lo, one.hi) == (1.0, 1.0, 1.0)
    same = bootstrap({(0, f"t{i}", 0): 0.5 for i in range(10)})
    assert same is not None and same.lo == same.hi == 0.5


def test_resampling_whole_tasks_widens_the_interval_when_seeds_agree() -> None:
    """A task that fails under every seed is one observation, not three: the interval
    must be wider than for the same accuracy with independent episodes."""
    rng = random.Random(7)
    clustered: dict[Cell, float] = {}
    independent: dict[Cell, float] = {}
    for t in range(40):
        hard = rng.random() < 0.5
        for s in range(5):
            clustered[(0, f"t{t}", s)] = 0.0 if hard else 1.0
            independent[(0, f"t{t}", s)] = float(rng.random() < 0.5)
    c = bootstrap(clustered, label="c")
    i = bootstrap(independent, label="i")
    assert c is not None and i is not None
    assert (c.hi - c.lo) > 1.5 * (i.hi - i.lo)


def test_paired_difference_cancels_task_difficulty() -> None:
    base = {(0, f"t{t}", s): float(t % 3 != 0) for t in range(30) for s in range(2)}
    better = {k: 1.0 for k in base}
    d = paired(better, base, label="d")
    assert d is not None
    assert round(d.mean, 6) == round(1 - sum(base.values()) / len(base), 6)
    assert d.excludes_zero and d.lo > 0
    zero = paired(base, base)
    assert zero is not None and zero.mean == zero.lo == zero.hi == 0.0
    assert not zero.excludes_zero
    partial = paired(better, {k: v for k, v in list(base.items())[:10]})
    assert partial is not None and partial.n == 10  # only the cells both have


def test_paired_comparisons_of_episode_results() -> None:
    rs = []
    for t in range(20):
        for s in range(2):
            rs.append(result("cheap", f"t{t}", s, correct=t < 10, cost=0.01))
            rs.append(result("dear", f"t{t}", s, correct=True, cost=0.05))
    (pc,) = paired_comparisons(rs, ["cheap", "dear"])
    assert (pc.a, pc.b, pc.pairs) == ("cheap", "dear", 40)
    assert pc.accuracy is not None and pc.accuracy.mean == -0.5 and pc.accuracy.hi < 0
    assert pc.cost is not None and round(pc.cost.mean, 6) == -0.04
    assert pc.cost.lo == pc.cost.hi  # the cost difference is the same in every cell
    assert pc.tokens is not None and pc.tokens.mean == 0.0
    unknown = [r.model_copy(update={"totals": UsageTotals(cost_usd=None)}) for r in rs]
    (pu,) = paired_comparisons(unknown, ["cheap", "dear"])
    assert pu.cost is None and pu.accuracy is not None


def test_family_winner_and_tie_goes_to_the_cheaper_design() -> None:
    rs = []
    for t in range(12):
        rs.append(result("a", f"m{t}", 0, correct=True, cost=0.05, family="multi_hop"))
        rs.append(result("b", f"m{t}", 0, correct=t < 3, cost=0.01, family="multi_hop"))
        rs.append(result("a", f"l{t}", 0, correct=True, cost=0.05, family="lookup"))
        rs.append(result("b", f"l{t}", 0, correct=True, cost=0.01, family="lookup"))
    fams = {f.family: f for f in family_breakdown(rs, ["a", "b"])}
    assert fams["multi_hop"].winner == "a" and fams["multi_hop"].decisive
    assert fams["lookup"].winner == "b" and not fams["lookup"].decisive  # tie: cheaper wins


def test_estimate_metrics() -> None:
    rs = [result("a", f"t{t}", 0, correct=True, cost=0.02) for t in range(5)]
    acc = estimate(rs, "accuracy")
    cost = estimate(rs, "cost")
    tokens = estimate(rs, "tokens")
    assert acc is not None and acc.mean == 1.0
    assert cost is not None and cost.mean == 0.02
    assert tokens is not None and tokens.mean == 1100.0


def test_pareto_front_and_r_squared() -> None:
    pts = [(0.01, 0.9), (0.02, 0.5), (0.2, 0.97), (0.03, 0.8), (0.1, 0.95)]
    assert pareto_front(pts) == [0, 4, 2]
    assert r_squared([1, 2, 3, 4], [2, 4, 6, 8]) == 1.0
    assert r_squared([1, 2], [1, 2]) is None
    assert r_squared([1, 1, 1], [1, 2, 3]) is None
