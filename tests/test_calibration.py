"""Calibration (harness/studies/calibration.py): the committed plan, the selection rule,
and the frozen values checked against their targets on a few calibration tasks.

The full grid search is scripts/calibrate.py (minutes); here each calibration runs once,
at its current values (grid point 0, which are the frozen ones), on a handful of deep
world-1 tasks: the targets the search met are met, the ones it did not are still missed
(docs/studies.md, "Calibration").
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from harness.loader import load_architecture
from harness.sim.profiles import PRESETS
from harness.studies.calibration import (
    CALIBRATIONS,
    EFFORT,
    KIMI,
    Calibration,
    Target,
    calibration_tasks,
    evaluate,
)


@pytest.mark.parametrize("cal", list(CALIBRATIONS.values()), ids=list(CALIBRATIONS))
def test_the_plan_is_complete_and_point_0_is_the_frozen_values(cal: Calibration) -> None:
    assert cal.targets and cal.knobs
    for t in cal.targets:
        assert t.lo < t.hi and t.source and t.published
    spec = load_architecture(cal.design)
    first = cal.grid()[0]
    for k in cal.knobs:
        assert len(k.why) > 40 and len(set(k.values)) == len(k.values)
        if k.kind == "model":
            assert spec.roles[cal.role] == f"mock/{cal.preset}"
            current = getattr(PRESETS[cal.preset], k.name)
        else:
            current = spec.params[k.name].default
        assert first[f"{k.kind}:{k.name}"] == current  # the frozen value heads the grid
    assert len(cal.grid()) == math.prod(len(k.values) for k in cal.knobs)


def test_calibration_tasks_are_not_the_studies_tasks() -> None:
    tasks = calibration_tasks()
    assert len(tasks) == 40 and all(t.startswith("deep~w1-") for t in tasks)


def test_bindings_set_only_the_calibrated_systems_parameters() -> None:
    point = {"model:skill": 0.81, "model:hallucination": 0.0, "param:max_steps": 60}
    models, params = KIMI.bindings(point)
    assert models == {"kimi-researcher:agent": "mock/kimi-researcher?skill=0.81&hallucination=0"}
    assert params == {"kimi-researcher:max_steps": "60"}
    models, params = EFFORT.bindings({"param:max_workers": 4, "param:min_reads": 5})
    assert models == {}
    assert params == {
        "orchestrator-workers:max_workers": "4",
        "orchestrator-workers:min_reads": "5",
    }


def _cal(targets: tuple[Target, ...]) -> Calibration:
    return Calibration(
        "t", "kimi-researcher", "agent", "kimi-researcher", targets, (), KIMI.measure
    )


def test_the_current_values_stay_unless_the_best_point_meets_a_target_they_miss() -> None:
    t = Target("x", "x", "s", "10", 9.0, 11.0)
    cal = _cal((t,))
    # every point misses: the nearer miss gains no target, the current values stay
    assert cal.choose([({}, {"x": 5.0}), ({}, {"x": 7.0})]) == 0
    # a point meets it: chosen; of two that meet it (loss 0) the earlier one
    assert cal.choose([({}, {"x": 5.0}), ({}, {"x": 9.5}), ({}, {"x": 10.0})]) == 1
    assert t.miss(8.0) == pytest.approx(0.5) and t.miss(10.0) == 0.0


def test_kimi_steps_at_the_frozen_values_stay_below_the_band(tmp_path: Path) -> None:
    """The search found no point in 17.25-28.75 steps (best 8.8): not reached."""
    tasks = [f"deep~w1-{f}-01" for f in ("lookup", "multi_hop", "breadth", "dead_end")]
    values = evaluate(KIMI, KIMI.grid()[0], tmp_path / "k", tasks=tasks, seeds=(0,))
    target = KIMI.targets[0]
    assert 1.0 < values["kimi_steps"] < target.lo
    assert not target.met(values["kimi_steps"])


def test_effort_at_the_frozen_values(tmp_path: Path) -> None:
    """Simple fact-finding is met at the frozen values; comparisons are not (one
    sub-agent per entity of a 6-10-entity comparison, and a one-fact budget)."""
    tasks = [*(f"deep~w1-lookup-{i:02d}" for i in range(1, 9)), "deep~w1-breadth-01"]
    values = evaluate(EFFORT, EFFORT.grid()[0], tmp_path / "e", tasks=tasks, seeds=(0,))
    met = {t.id: t.met(values[t.id]) for t in EFFORT.targets}
    assert met == {
        "simple_subagents": True,
        "simple_calls": True,
        "comparison_subagents": False,
        "comparison_calls_each": False,
    }
    assert values["comparison_subagents"] > 4 and values["comparison_calls_each"] < 10
