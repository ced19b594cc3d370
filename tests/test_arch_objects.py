"""Architectures given as files or `ArchitectureSpec` objects work wherever a built-in's
name does (issue 12): `sweep` over a file's parameter, `compare` with spec objects in
process, in worker processes and into run directories, and `resume` of such a run, which
needs neither the file nor the object again. Nothing is looked up by name alone."""

from __future__ import annotations

import json
import multiprocessing
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_runner import cli

import harness.execution.processes as processes
from architectures import BUILTINS
from harness import ArchitectureSpec, compare
from harness.errors import ConfigError, UnknownNameError
from harness.rerun import resume
from harness.runtime import Episode
from harness.sweep import plan_sweep, run_sweep
from harness.task import TaskSuite
from harness.taxonomy import loop_budgets

TOML = """
name = "file-agent"
roles = { agent = "mock/kimi-k2" }
entry = "loop"
edges = [{ source = "loop", target = "end" }]
[params.max_steps]
default = 7
[[nodes]]
name = "loop"
kind = "agent"
role = "agent"
max_steps = "${max_steps}"
"""
FILES = ("results.jsonl", "traces.jsonl", "summary.json", "architectures.json")


def write_arch(directory: Path, suffix: str) -> Path:
    """The same one-agent design as a .toml, .yaml or .json file."""
    path = directory / f"mine{suffix}"
    if suffix == ".toml":
        path.write_text(TOML, encoding="utf-8")
    elif suffix == ".yaml":
        path.write_text(yaml.safe_dump(tomllib.loads(TOML)), encoding="utf-8")
    else:
        path.write_text(json.dumps(tomllib.loads(TOML)), encoding="utf-8")
    return path


def own_spec(
    name: str = "my-kimi", base: str = "kimi-researcher", **params: int
) -> ArchitectureSpec:
    """A spec object made in Python: a built-in's design under another name (and, with
    `params`, other parameter defaults)."""
    spec = BUILTINS[base]
    new = {
        k: p.model_copy(update={"default": params.get(k, p.default)})
        for k, p in spec.params.items()
    }
    return spec.model_copy(update={"name": name, "params": new})


def files(run: Path) -> dict[str, bytes]:
    return {n: (run / n).read_bytes() for n in FILES}


def cells(out: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (out / "cells.jsonl").read_text().splitlines()]


# --- sweep ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "workers"), [(".yaml", None), (".toml", None), (".json", None), (".yaml", "2")]
)
def test_cli_sweeps_a_parameter_of_an_architecture_file(
    tmp_path: Path,
    mini_file: Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    workers: str | None,
) -> None:
    path = write_arch(tmp_path, suffix)
    out = tmp_path / "sweep"
    args = ["sweep", "max_steps=2,9", "--arch", str(path), "--arch", "manus-workflow"]
    args += ["--suite", str(mini_file), "--seeds", "1", "--out", str(out), "--no-report", "-q"]
    args += ["--workers", workers] if workers else []
    code, stdout, err = cli(args, capsys)
    assert code == 0, err
    lines = cells(out)
    assert [(x["id"], x["labels"]) for x in lines] == [
        ("c001", {"max_steps": "2"}),
        ("c002", {"max_steps": "9"}),
    ]
    for x in lines:
        names = [s["architecture"] for s in x["summaries"]]
        assert names == ["file-agent", "manus-workflow"]
        assert all(s["episodes"] == 5 for s in x["summaries"])
    steps = [x["summaries"][0]["mean_steps"] for x in lines]
    assert steps[0] < steps[1]  # the swept value reached the file's design
    for cell in ("c001", "c002"):
        config = json.loads((out / "cells" / cell / "config.json").read_text())
        assert config["architectures"] == ["file-agent", "manus-workflow"]
        saved = json.loads((out / "cells" / cell / "architectures.json").read_text())
        assert saved["file-agent"] == tomllib.loads(TOML) | saved["file-agent"]
    assert "file-agent" in stdout
    plan = json.loads((out / "sweep.json").read_text())
    assert plan["architectures"] == [str(path), "manus-workflow"]
    assert list(plan["specs"]) == ["file-agent"]  # what a resumed sweep must still run


def test_resumed_sweep_of_a_file_refuses_the_file_edited(tmp_path: Path, mini: TaskSuite) -> None:
    path = write_arch(tmp_path, ".yaml")
    kw: dict[str, Any] = {"architectures": [str(path)], "suite": "default", "seeds": 1}
    plan = plan_sweep(["max_steps=2,9"], families=["lookup"], **kw)
    d = tmp_path / "s"
    run_sweep(plan, d)
    whole = (d / "cells.jsonl").read_bytes()
    (d / "cells.jsonl").write_text(whole.decode().splitlines()[0] + "\n")
    again = plan_sweep(["max_steps=2,9"], families=["lookup"], **kw)
    done: list[str] = []
    run_sweep(again, d, resume=True, on_cell=lambda cell, _c: done.append(cell.id))
    assert done == ["c002"] and (d / "cells.jsonl").read_bytes() == whole
    path.write_text(path.read_text().replace("mock/kimi-k2", "mock/qwen-plus"))
    edited = plan_sweep(["max_steps=2,9"], families=["lookup"], **kw)
    with pytest.raises(ConfigError, match="planned differently"):
        run_sweep(edited, d, resume=True)


def test_sweep_api_takes_spec_objects_and_mixed_lists(tmp_path: Path) -> None:
    spec = own_spec()
    path = write_arch(tmp_path, ".json")
    plan = plan_sweep(
        ["my-kimi:max_steps=3,12"], architectures=[spec, str(path)], seeds=1, families=["lookup"]
    )
    assert plan.architectures == ["my-kimi", str(path)]
    run_sweep(plan, tmp_path / "a", workers=2)
    lines = cells(tmp_path / "a")
    assert [x["labels"] for x in lines] == [{"my-kimi:max_steps": "3"}, {"my-kimi:max_steps": "12"}]
    acc = [x["summaries"][0]["accuracy"] for x in lines]
    assert acc[0] < acc[1]
    assert [x["summaries"][1]["architecture"] for x in lines] == ["file-agent"] * 2
    single = plan_sweep(["max_steps=3"], architectures=spec, seeds=1, families=["lookup"])
    assert single.architectures == ["my-kimi"]  # one spec alone: a selection of one
    run_sweep(single, tmp_path / "b")
    same = tmp_path / "a" / "cells" / "c001" / "results.jsonl"
    mine = [x for x in same.read_text().splitlines() if '"my-kimi"' in x]
    assert (tmp_path / "b" / "cells" / "c001" / "results.jsonl").read_text().splitlines() == mine


# --- compare ----------------------------------------------------------------------------


def test_compare_takes_a_spec_object_alone_or_mixed(tmp_path: Path, mini: TaskSuite) -> None:
    spec = own_spec()
    path = write_arch(tmp_path, ".toml")
    alone = compare(spec, suite=mini, seeds=1)  # was: TypeError: unhashable type: 'dict'
    assert [s.architecture for s in alone.summaries] == ["my-kimi"]
    mixed = compare(["manus-workflow", path, spec], suite=mini, seeds=1)
    assert [s.architecture for s in mixed.summaries] == ["manus-workflow", "file-agent", "my-kimi"]
    # the object runs the design it holds, exactly as the built-in it copies
    builtin = compare(["kimi-researcher"], suite=mini, seeds=1)
    assert alone.summaries[0].accuracy == builtin.summaries[0].accuracy
    assert compare("kimi-researcher", suite=mini, seeds=1).summary_json() == builtin.summary_json()


def test_every_execution_path_gives_the_same_files(tmp_path: Path, mini: TaskSuite) -> None:
    archs: list[Any] = [own_spec(max_steps=4), write_arch(tmp_path, ".yaml"), "manus-workflow"]
    local = compare(archs, suite=mini, seeds=2, out=tmp_path / "local")
    workers = compare(archs, suite=mini, seeds=2, out=tmp_path / "workers", workers=2)
    memory = compare(archs, suite=mini, seeds=2, workers=2)
    assert files(tmp_path / "local") == files(tmp_path / "workers")
    assert local.results_jsonl() == memory.results_jsonl()
    assert workers.summary_json() == local.summary_json()
    saved = json.loads((tmp_path / "local" / "architectures.json").read_text())
    assert saved["my-kimi"] == own_spec(max_steps=4).model_dump(mode="json")


def test_spec_objects_reach_spawned_workers(
    tmp_path: Path, mini: TaskSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job is shipped as data (the spec pickled), not re-loaded by name: a worker
    started afresh, importing nothing of the parent's, runs the same design."""
    spec = own_spec(max_steps=5)
    local = compare([spec], suite=mini, seeds=1)
    monkeypatch.setattr(processes, "mp_context", lambda: multiprocessing.get_context("spawn"))
    spawned = compare([spec], suite=mini, seeds=1, workers=2)
    assert spawned.results_jsonl() == local.results_jsonl()


@pytest.mark.parametrize("workers", [None, 2])
def test_a_run_from_spec_objects_resumes(
    tmp_path: Path, mini: TaskSuite, workers: int | None
) -> None:
    """Interrupted, then resumed with neither the object nor the file at hand; the spec's
    name shadows a built-in's with another design, and the run's own design is the one
    resumed."""
    shadow = own_spec("kimi-researcher", max_steps=3)
    path = write_arch(tmp_path, ".json")
    archs: list[Any] = [shadow, str(path)]
    reference = tmp_path / "reference"
    compare(archs, suite=mini, seeds=2, out=reference)
    run = tmp_path / "run"

    def interrupt(ep: Episode, done: int, total: int) -> None:
        if done == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compare(archs, suite=mini, seeds=2, out=run, on_episode=interrupt)
    assert not (run / "summary.json").exists()
    path.unlink()  # the file is gone: the run saved its spec
    resume(run, workers=workers)
    assert files(run) == files(reference)
    builtin = compare(["kimi-researcher"], suite=mini, seeds=2)
    mine = json.loads((run / "summary.json").read_text())["architectures"][0]
    assert mine["mean_steps"] < builtin.summaries[0].mean_steps  # max_steps 3, not the built-in's


def test_resume_without_the_saved_spec_says_so(tmp_path: Path, mini: TaskSuite) -> None:
    run = tmp_path / "run"

    def interrupt(ep: Episode, done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compare(own_spec(), suite=mini, seeds=1, out=run, on_episode=interrupt)
    (run / "architectures.json").unlink()
    with pytest.raises(ConfigError, match="'my-kimi' is not saved with the run"):
        resume(run)


def test_bad_architectures_are_one_clear_line(
    tmp_path: Path, mini: TaskSuite, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError, match="a name, a file path or an ArchitectureSpec, not a dict"):
        compare([tomllib.loads(TOML)], suite=mini, seeds=1)  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="selected twice"):
        compare([own_spec(), own_spec()], suite=mini, seeds=1)
    with pytest.raises(ConfigError, match="selected twice"):
        plan_sweep(["max_steps=2,3"], architectures=[own_spec(), own_spec()], seeds=1)
    with pytest.raises(UnknownNameError, match="unknown architecture 'kimi'"):
        compare("kimi", suite=mini, seeds=1)
    out = tmp_path / "s"
    missing = str(tmp_path / "nope.yaml")
    code, _, err = cli(["sweep", "max_steps=2,3", "--arch", missing, "--out", str(out)], capsys)
    assert code == 2 and err.count("\n") == 1 and "nope.yaml' does not exist" in err
    assert not out.exists()


# --- what reads a run back --------------------------------------------------------------


def test_report_diagnoses_with_the_saved_spec(tmp_path: Path, mini: TaskSuite) -> None:
    """Step budgets (for the failure taxonomy) come from the spec the run saved: a design
    from a file has no name to be found by."""
    from harness.report.fold import CellFold, TraceKeeper
    from harness.report.load import load_cell

    run = tmp_path / "run"
    compare(write_arch(tmp_path, ".yaml"), suite=mini, seeds=1, out=run)
    config = json.loads((run / "config.json").read_text())
    assert loop_budgets(config, "file-agent") == ({}, False)  # by name: not found
    cell = load_cell(run, "run", {}, TraceKeeper(0))
    fold = CellFold(cell, TraceKeeper(0))
    assert fold.budgets["file-agent"] == ({"loop": 7}, False)
