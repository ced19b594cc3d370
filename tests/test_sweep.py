"""Sweeps: grid parsing and validation before anything runs, cells written as they finish,
byte-identical reruns, resuming an interrupted sweep, and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_runner import cli

from harness.errors import ConfigError
from harness.sweep import plan_sweep, run_sweep

ONE = ["kimi-researcher"]
TWO = ["kimi-researcher", "manus-workflow"]


def test_keys_resolve_to_five_kinds_of_setting() -> None:
    plan = plan_sweep(
        [
            "max_steps=4,8",
            "model.worker=mock/kimi-k2",
            "worker.skill=0.5",
            "hops=2,3-4",
            "budget_tokens=30000",
        ],
        architectures=TWO,
        seeds=1,
    )
    kinds = {a.key: a.kind for a in plan.axes}
    assert kinds == {
        "max_steps": "param",
        "model.worker": "model",
        "worker.skill": "sim",
        "hops": "task",
        "budget_tokens": "budget",
    }
    assert len(plan.cells) == 4
    first = plan.cells[0]
    assert first.labels == {
        "max_steps": "4",
        "model.worker": "mock/kimi-k2",
        "worker.skill": "0.5",
        "hops": "2",
        "budget_tokens": "30000",
    }
    assert first.params == {"max_steps": "4"}
    assert first.models["manus-workflow:worker"] == "mock/kimi-k2?skill=0.5"
    assert first.models["kimi-researcher:agent"] == "mock/kimi-researcher"  # not a worker
    assert first.limits.max_tokens == 30000
    assert first.suite == "suites/alias_rate0.5_breadth3-5_distractors2_hops2_per_family12.json"
    assert len(plan.suites) == 2  # hops=2 and hops=3-4


def test_model_parameters_merge_into_existing_options() -> None:
    plan = plan_sweep(
        ["skill=0.6"], architectures=ONE, seeds=1, models={"agent": "mock/kimi-k2?persistence=0.1"}
    )
    assert plan.cells[0].models == {
        "kimi-researcher:agent": "mock/kimi-k2?persistence=0.1&skill=0.6"
    }


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (["foo=1,2"], "unknown parameter 'foo'"),
        (["max_steps"], "must look like KEY=V1,V2"),
        (["max_steps=4,4"], "given twice"),
        (["max_steps=x"], "parameter 'max_steps' must be int"),
        (["skill=1.5"], "skill must be between 0 and 1"),
        (["model.nobody=mock/kimi-k2"], "unknown role 'nobody'"),
        (["model.agent=mock/nope"], "unknown simulated model"),
        (["hops=two"], "not a number or a range"),
        (["budget_usd=0"], "a budget must be positive"),
        (["manus-workflow:max_steps=4"], "architecture 'manus-workflow' is not selected"),
        (["kimi-researcher:hops=2"], "budgets and tasks are the same for every design"),
    ],
)
def test_bad_grids_fail_with_one_line_before_anything_runs(
    grid: list[str], message: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        plan_sweep(grid, architectures=ONE, seeds=1)


def test_cli_unknown_parameter_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    code, stdout, err = cli(["sweep", "max_step=5,10", "--out", str(out)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("archbench: error: sweep grid 'max_step'")
    assert "Traceback" not in err and not out.exists()


def small(grid: list[str], **kw: object) -> object:
    return plan_sweep(grid, architectures=ONE, seeds=1, families=["lookup", "dead_end"], **kw)  # type: ignore[arg-type]


def test_cells_stream_to_the_run_directory_and_rerun_byte_identically(tmp_path: Path) -> None:
    plan = plan_sweep(["max_steps=2,12"], architectures=ONE, seeds=1, families=["dead_end"])
    seen: list[str] = []
    result = run_sweep(plan, tmp_path / "a", on_cell=lambda cell, _c: seen.append(cell.id))
    assert seen == ["c001", "c002"]
    d = tmp_path / "a"
    assert (d / "sweep.json").exists()
    lines = [json.loads(x) for x in (d / "cells.jsonl").read_text().splitlines()]
    assert [(x["id"], x["labels"]) for x in lines] == [
        ("c001", {"max_steps": "2"}),
        ("c002", {"max_steps": "12"}),
    ]
    acc = [x["summaries"][0]["accuracy"] for x in lines]
    assert acc[0] < acc[1]  # two steps cannot reach a renamed entity's page
    for cell in ("c001", "c002"):
        assert {p.name for p in (d / "cells" / cell).iterdir()} >= {
            "config.json",
            "results.jsonl",
            "traces.jsonl",
            "summary.json",
        }
    assert result.comparisons["c002"].summaries[0].accuracy == acc[1]
    run_sweep(plan, tmp_path / "b")
    for f in ("sweep.json", "cells.jsonl", "cells/c001/results.jsonl", "cells/c002/traces.jsonl"):
        assert (d / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_task_and_budget_axes(tmp_path: Path) -> None:
    plan = plan_sweep(
        ["hops=2,4", "budget_tokens=2500,200000"],
        architectures=ONE,
        seeds=1,
        families=["multi_hop"],
    )
    run_sweep(plan, tmp_path / "s")
    suites = sorted(p.name for p in (tmp_path / "s" / "suites").iterdir())
    assert len(suites) == 2
    lines = [json.loads(x) for x in (tmp_path / "s" / "cells.jsonl").read_text().splitlines()]
    by = {(x["labels"]["hops"], x["labels"]["budget_tokens"]): x["summaries"][0] for x in lines}
    assert by[("2", "2500")]["outcomes"].get("budget_exhausted", 0) > 0
    assert "budget_exhausted" not in by[("2", "200000")]["outcomes"]
    assert by[("4", "200000")]["mean_steps"] > by[("2", "200000")]["mean_steps"]  # longer chains


def test_resume_finishes_an_interrupted_sweep(tmp_path: Path) -> None:
    plan = plan_sweep(["max_steps=3,6,9"], architectures=ONE, seeds=1, families=["lookup"])
    d = tmp_path / "s"
    run_sweep(plan, d)
    whole = {f: (d / f).read_bytes() for f in ("cells.jsonl", "cells/c003/results.jsonl")}
    # interrupt: the last cell half-written, its cells.jsonl line torn
    text = (d / "cells.jsonl").read_text().splitlines()
    (d / "cells.jsonl").write_text("\n".join(text[:2]) + "\n" + text[2][:40])
    results = d / "cells" / "c003" / "results.jsonl"
    results.write_text(results.read_text().splitlines()[0] + "\n")
    (d / "cells" / "c003" / "summary.json").unlink()
    with pytest.raises(ConfigError, match="already holds a sweep"):
        run_sweep(plan, d)
    done: list[str] = []
    run_sweep(plan, d, resume=True, on_cell=lambda cell, _c: done.append(cell.id))
    assert done == ["c003"]
    assert {f: (d / f).read_bytes() for f in whole} == whole
    other = plan_sweep(["max_steps=3,6"], architectures=ONE, seeds=1, families=["lookup"])
    with pytest.raises(ConfigError, match="planned differently"):
        run_sweep(other, d, resume=True)


def test_cli_sweep_prints_a_table_and_writes_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli"
    args = ["sweep", "max_steps=3,12", "--arch", "kimi-researcher", "--seeds", "1"]
    args += ["--family", "lookup", "--budget-usd", "1", "--out", str(out), "--no-report", "-q"]
    code, stdout, err = cli(args, capsys)
    assert code == 0, err
    assert "max_steps" in stdout and "budget_usd" not in stdout  # one value: fixed, not swept
    assert "kimi-researcher" in stdout and "%" in stdout
    assert f"archbench report {out}" in err
    assert json.loads((out / "sweep.json").read_text())["cells"][0]["limits"]["max_cost"] == 1.0
    shutil.rmtree(out)
    code, _, err = cli(["sweep", "--family", "nope", "--out", str(out)], capsys)
    assert code == 2 and "--family 'nope'" in err


def test_worker_processes_give_the_same_cells(tmp_path: Path) -> None:
    plan = plan_sweep(["max_steps=4,8"], architectures=["kimi-researcher"], seeds=1)
    run_sweep(plan, tmp_path / "local")
    run_sweep(plan, tmp_path / "workers", workers=2)
    for cell in ("c001", "c002"):
        for name in ("results.jsonl", "traces.jsonl", "summary.json"):
            local = (tmp_path / "local" / "cells" / cell / name).read_bytes()
            assert local == (tmp_path / "workers" / "cells" / cell / name).read_bytes()
    config = json.loads((tmp_path / "workers/cells/c001/config.json").read_text())
    assert config["execution"]["workers"] == 2
