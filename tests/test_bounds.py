"""Bounds on what a run may ask for: each is one line on stderr, exit code 2 and nothing
written, before anything runs — not memory filling up, a thousand processes, or a value
silently replaced by another."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness import bounds
from harness.cli import main
from harness.compare import compare
from harness.errors import ConfigError, ValidationError
from harness.graph import coerce_param
from harness.sweep_plan import plan_sweep
from harness.usage import UsageLimits

BIG = "99999999999999999999"


def refused(args: list[str], capsys: pytest.CaptureFixture[str], cwd: Path, match: str) -> str:
    """Run the CLI in `cwd`; it must refuse `args` in one line naming `match`, with
    nothing written."""
    before = sorted(cwd.rglob("*"))
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    assert exited.value.code == 2, err
    assert err.count("\n") == 1 and err.startswith("archbench: error: "), err
    assert match in err, err
    assert "Traceback" not in err and out == ""
    assert sorted(cwd.rglob("*")) == before  # nothing written
    return err


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["compare", "--seeds", BIG], "more than the 10,000 seeds per task allowed"),
        (["compare", "--seed", BIG], "seeds are 0 to 2,147,483,647"),
        (["compare", "--seed", "-1"], "seeds are 0 to 2,147,483,647"),
        (["compare", "--seed", str(2**31 - 2), "--seeds", "3"], "out of range"),
        (["compare", "-j", "100000000"], "--concurrency must be 1 to 1,024"),
        (["compare", "--worlds", "100000"], "--worlds 100,000 is more than the 200 allowed"),
        (["compare", "--max-cost", "nan"], "--max-cost"),
        (["compare", "--max-cost", "inf"], "--max-cost must be a finite number"),
        (["compare", "--max-cost", "-1"], "--max-cost"),
        (["compare", "-t", "default-lookup-01", "-t", "default-lookup-01"], "given twice"),
        (["compare", "--resume", "no-such-run"], "--resume 'no-such-run' does not exist"),
        (["compare", "--log-level", "loud"], "--log-level must be one of"),
        (["run", "kimi-researcher", "-t", "default-lookup-01", "--seed", BIG], "out of range"),
        (["run", "kimi-researcher", "-t", "default-lookup-01", "--max-cost", "nan"], "--max"),
        (["sweep", "--seeds", BIG], "more than the 10,000 seeds"),
        (["sweep", "-j", "5000"], "--concurrency must be 1 to 1,024"),
        (["sweep", "--budget-usd", "nan"], "a budget must be a finite number, got nan"),
        (["sweep", "--budget-usd", "inf"], "a budget must be a finite number, got inf"),
        (["sweep", "--budget-tokens", "-5"], "a budget must be positive"),
        (["sweep", "--worlds", "100000"], "--worlds 100,000"),
    ],
)
def test_counts_and_budgets_beyond_their_bounds_are_refused_in_one_line(
    args: list[str],
    match: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    refused(args, capsys, tmp_path, match)


def test_seeds_are_counted_before_they_are_made() -> None:
    """The count alone once filled the memory: it is refused before any list exists."""
    with pytest.raises(ConfigError, match="10,000"):
        compare(["kimi-researcher"], seeds=10**20)
    with pytest.raises(ConfigError, match="given twice"):
        compare(["kimi-researcher"], seeds=[1, 1])
    with pytest.raises(ConfigError, match="given twice"):
        compare(["kimi-researcher"], tasks=["default-lookup-01", "default-lookup-01"])
    assert bounds.seed_range(5, 3) == range(5, 8)


def test_a_budget_that_is_nan_or_infinite_is_no_budget_and_is_refused() -> None:
    for bad in (float("nan"), float("inf"), -1.0):
        with pytest.raises(ConfigError, match="max_cost_usd"):
            UsageLimits(max_cost_usd=bad)
    assert UsageLimits(max_steps=3, max_tokens=10, max_cost_usd=0.5).max_steps == 3


def test_workers_beyond_the_cpus_need_force_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(bounds, "cpu_count", lambda: 2)
    err = refused(["compare", "-w", "1000"], capsys, tmp_path, "--force-workers")
    assert "2 CPUs" in err
    refused(["sweep", "-w", "3"], capsys, tmp_path, "more than this machine's 2 CPUs")
    refused(["compare", "-w", "2000", "--force-workers"], capsys, tmp_path, "1,024 allowed")
    bounds.check_workers(3, "processes", force=True)  # forced: allowed
    bounds.check_workers(5000, "ray", force=False)  # a cluster's size is not this machine's
    bounds.check_workers(2, None, force=False)


def test_an_unwritable_json_path_is_refused_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("x")
    refused(["compare", "--json", "missing/s.json"], capsys, tmp_path, "does not exist")
    refused(["compare", "--json", "a-file/s.json"], capsys, tmp_path, "is not a directory")
    refused(["compare", "--json", "."], capsys, tmp_path, "is a directory")
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        refused(["compare", "--json", "locked/s.json"], capsys, tmp_path, "permission denied")


def test_sweep_resume_of_a_missing_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to start a new sweep, silently, under the mistyped name."""
    monkeypatch.chdir(tmp_path)
    refused(["sweep", "--resume", "-o", "runs/typo"], capsys, tmp_path, "does not exist")
    (tmp_path / "empty").mkdir()
    refused(["sweep", "--resume", "-o", "empty"], capsys, tmp_path, "holds no sweep")


@pytest.mark.parametrize(
    ("grid", "match"),
    [
        ("hops=1000000", "hops must be within 2 to 4, got 1,000,000"),
        ("hops=1", "hops must be within 2 to 4, got 1"),
        ("hops=2-9", "hops must be within 2 to 4, got 9"),
        ("breadth=20", "breadth must be within 2 to 10"),
        ("per_family=100000", "per_family must be within 1 to 100"),
        ("distractors=-1", "distractors must be within 0 to 10"),
        ("alias_rate=nan", "alias_rate must be within 0 to 1, got nan"),
        ("alias_rate=2", "alias_rate must be within 0 to 1"),
        ("budget_usd=nan", "finite"),
    ],
)
def test_sweep_values_outside_what_the_generator_honours_are_refused(grid: str, match: str) -> None:
    """`hops=1000000` was silently generated as 4-hop chains."""
    with pytest.raises(ConfigError, match=match):
        plan_sweep([grid], architectures=["kimi-researcher"], seeds=1)


def test_a_breadth_too_wide_for_a_small_world_is_one_line() -> None:
    with pytest.raises(ConfigError, match="raise per_family"):
        plan_sweep(["breadth=10", "per_family=1"], architectures=["kimi-researcher"], seeds=1)


def test_sweep_grid_cells_are_counted_before_any_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    steps = ",".join(str(i) for i in range(1, 101))
    skill = ",".join(f"0.{i:02d}" for i in range(1, 12))
    err = refused(
        ["sweep", f"max_steps={steps}", f"skill={skill}"], capsys, tmp_path, "1,000 allowed"
    )
    assert "100 x 11 = 1,100 cells" in err


def test_task_axes_refuse_a_suite_they_would_replace(mini_file: Path) -> None:
    with pytest.raises(ConfigError, match="would replace --suite"):
        plan_sweep(["hops=2,3"], architectures=["kimi-researcher"], suite=str(mini_file))
    plan = plan_sweep(["hops=2,3"], architectures=["kimi-researcher"], seeds=1)  # default
    assert len(plan.cells) == 2


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf"])
def test_a_non_finite_architecture_parameter_is_refused(raw: str) -> None:
    """NaN compares false with every threshold: a parameter set to it would do nothing."""
    with pytest.raises(ValidationError, match="must be finite"):
        coerce_param("a-design", "brief", 0.5, raw)
    assert coerce_param("a-design", "brief", 0.5, "0.25") == 0.25


def test_a_sweep_is_refused_before_its_directory_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real model without its key, or with worker processes, in any cell: the sweep
    directory used to be made (sweep.json written) before compare said so."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    monkeypatch.setattr(bounds, "cpu_count", lambda: 2)
    grid = ["sweep", "model.agent=mock/kimi-k2,openai/gpt-4o", "-a", "kimi-researcher"]
    refused([*grid, "-o", "s"], capsys, tmp_path, "needs an API key")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    refused([*grid, "-o", "s", "-w", "2"], capsys, tmp_path, "real models (openai/gpt-4o)")
