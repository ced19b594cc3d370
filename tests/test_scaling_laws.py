"""Study `scaling-laws` (Kim et al. 2025): its grid is the recipe's, its quick verdicts are
the committed ones, its statistics do what docs/studies.md says, and `--executor ray`
gives the local results."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.studies import STUDIES
from harness.studies import scaling_fit as fit
from harness.studies.framework import executing
from harness.studies.scaling_laws import (
    ARCHS,
    BASE_MODEL,
    GRID,
    QUICK_GRID,
    QUICK_VERDICTS,
    ROLES,
    STRUCTURES,
    grid_tasks,
    plans,
    run,
    structure,
)
from tasks import load_builtin_suite

HAVE_RAY = importlib.util.find_spec("ray") is not None


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scaling") / "quick"
    run(True, out, None).write(out)
    return out


def test_registered() -> None:
    assert STUDIES["scaling-laws"].quick_verdicts == QUICK_VERDICTS


def test_quick_verdicts_are_the_committed_ones(quick: Path) -> None:
    data = json.loads((quick / "study.json").read_text(encoding="utf-8"))
    assert data["study"] == "scaling-laws" and data["quick"] is True
    assert {r["id"]: r["verdict"] for r in data["rows"]} == QUICK_VERDICTS
    assert all(r["archbench"].startswith("predicted") for r in data["rows"])


def test_structure_comes_from_the_recorded_solution() -> None:
    """Several chains: parallel; one chain of 4+ hops: sequential; the rest is neither.
    On the deep suite that is exactly its breadth and its multi-hop families."""
    for task in load_builtin_suite("deep").tasks:
        want = {"breadth": "parallel", "multi_hop": "sequential"}.get(task.family)
        assert structure(task) == want, task.id


def test_the_full_grid_is_the_recipe() -> None:
    assert GRID.levels == (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9) and GRID.seeds == 10
    tasks = grid_tasks(GRID)
    assert [len(tasks[s]) for s in STRUCTURES] == [8, 8]
    full = plans(False)
    assert [p.name for p in full] == [f"skill-{lv:g}" for lv in GRID.levels]
    for p, lv in zip(full, GRID.levels, strict=True):
        assert p.archs == ARCHS and p.seeds == 10
        assert p.tasks == tasks["parallel"] + tasks["sequential"]
        assert dict(p.models) == {r: f"{BASE_MODEL}?skill={lv:g}" for r in ROLES}
    episodes = len(GRID.levels) * len(ARCHS) * 16 * GRID.seeds
    assert episodes == 5600


def test_the_quick_runs_are_the_quick_grid(quick: Path) -> None:
    """What ran is what the recipe says: designs, tasks, seeds, and every role of every
    design bound to the base model at the run's level."""
    tasks = grid_tasks(QUICK_GRID)
    for lv in QUICK_GRID.levels:
        run_dir = quick / "runs" / f"skill-{lv:g}"
        config = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
        assert config["architectures"] == list(ARCHS)
        assert config["tasks"] == tasks["parallel"] + tasks["sequential"]
        assert len(config["seeds"]) == QUICK_GRID.seeds
        assert list(config["roles"]) == list(ARCHS)
        bound = {m for roles in config["roles"].values() for m in roles.values()}
        assert bound == {f"{BASE_MODEL}?skill={lv:g}"}
        assert {r for roles in config["roles"].values() for r in roles} == set(ROLES)
        lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(ARCHS) * 4 * QUICK_GRID.seeds


def _columns(acc: np.ndarray, levels: tuple[float, ...]) -> dict[str, np.ndarray]:
    """Cells for a grid whose configuration accuracies are `acc` (archs, structures,
    levels): 10 tasks per structure, task k of a configuration right when k < 10 * acc."""
    par = np.array([1.0] * 10 + [0.0] * 10)
    cols: dict[str, np.ndarray] = {fit.PARALLEL: par}
    for ai, a in enumerate(ARCHS):
        for li, lv in enumerate(levels):
            right = [float(k < round(10 * acc[ai, s, li])) for s in (0, 1) for k in range(10)]
            cols[fit.column(a, lv)] = np.array(right)
    return cols


def test_the_statistics_on_a_known_grid() -> None:
    levels = (0.2, 0.4, 0.6, 0.8)
    lv = np.array(levels)
    acc = np.zeros((len(ARCHS), 2, len(levels)))
    acc[0] = np.stack([lv, lv])  # single: accuracy = skill on both structures
    acc[1] = np.stack([lv, lv]) * 0.5  # independent: half the single agent's
    acc[2] = np.stack([np.minimum(lv + 0.2, 1.0), lv * 0.5])  # centralized: + parallel only
    acc[3] = np.stack([lv, lv])
    acc[4] = np.stack([lv, lv]) * 0.5
    d = _columns(acc, levels)
    assert np.allclose(fit.config_means(d, ARCHS, levels, STRUCTURES), acc)
    gain = fit.relative_gain(ARCHS[2], ARCHS[0], levels, "parallel")(d)
    assert gain == pytest.approx(0.8 / 2.0)  # (2.0 + 0.8) / 2.0 - 1
    failures = sum(1 - x for x in levels)
    amp = fit.amplification(ARCHS[1], ARCHS[0], levels)(d)
    assert amp == pytest.approx(sum(1 - x / 2 for x in levels) / failures)
    # gains: independent and hybrid lose half the skill (slope -0.5), decentralized 0,
    # centralized +0.2 on parallel (slope 0) and half the skill on sequential
    assert fit.saturation_slope(ARCHS, levels, STRUCTURES)(d) < 0
    hits, base = fit.held_out_hits(acc, levels)
    assert hits.shape == base.shape == (len(levels) * 2,)
    # parallel: centralized best at every level; sequential: single and decentralized tie
    # (the single agent, first, wins the tie) -- a linear fit gets every one right
    assert hits.tolist() == [1.0] * 8
    assert fit.predictor_score(ARCHS, levels, STRUCTURES, baseline=False)(d) == 1.0


def test_saturation_sign_follows_the_gain() -> None:
    """A gain that grows with skill gives a positive slope: the sign is measured, not
    built in."""
    levels = (0.2, 0.4, 0.6, 0.8)
    lv = np.array(levels)
    acc = np.stack([np.stack([lv * 0.5, lv * 0.5])] + [np.stack([lv, lv])] * 4)
    assert fit.saturation_slope(ARCHS, levels, STRUCTURES)(_columns(acc, levels)) > 0


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[Any]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="error")
    yield ray
    ray.shutdown()


@pytest.mark.skipif(not HAVE_RAY, reason="Ray is not installed (pip install 'archbench[ray]')")
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")
def test_ray_gives_the_local_study(ray_instance: Any, quick: Path, tmp_path: Path) -> None:
    """`archbench study run --executor ray` (on the running local instance): the same
    table and the same run files as the local quick run."""
    from harness.cli import main

    out = tmp_path / "ray"
    try:
        main(["study", "run", "scaling-laws", "--quick", "--executor", "ray", "-o", str(out)])
    except SystemExit as exc:
        assert not exc.code
    got = json.loads((out / "study.json").read_text(encoding="utf-8"))
    local = json.loads((quick / "study.json").read_text(encoding="utf-8"))
    assert [r["estimate"] for r in got["rows"]] == [r["estimate"] for r in local["rows"]]
    assert {r["id"]: r["verdict"] for r in got["rows"]} == QUICK_VERDICTS
    for lv in QUICK_GRID.levels:
        name = f"skill-{lv:g}"
        for f in ("results.jsonl", "traces.jsonl"):
            assert (out / "runs" / name / f).read_bytes() == (
                quick / "runs" / name / f
            ).read_bytes()
        config = json.loads((out / "runs" / name / "config.json").read_text(encoding="utf-8"))
        assert config["execution"]["executor"] == "ray"


def test_executing_sets_the_executor_only_inside() -> None:
    from harness.studies import framework

    assert framework._EXECUTOR.get() is None
    with executing("ray"):
        assert framework._EXECUTOR.get() == "ray"
    assert framework._EXECUTOR.get() is None


def test_cli_refuses_an_unknown_executor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["study", "run", "scaling-laws", "--quick", "--executor", "nope", "-o", str(tmp_path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--executor must be one of" in err[0]
