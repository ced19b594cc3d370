"""`sim_version`: every run directory and sweep records which simulated behaviour made it;
resuming or replaying one made by another behaviour is refused in one line, and its report
is written, labelled."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_runner import cli

from harness import compare
from harness.errors import ConfigError
from harness.report import write_report
from harness.rerun import replay, resume
from harness.sim.version import SIM_VERSION, UNSTAMPED_SIM_VERSION
from harness.sweep import plan_sweep, run_sweep
from harness.task import TaskSuite

ARCH = ["kimi-researcher"]
LABEL = f"simulated with sim_version {UNSTAMPED_SIM_VERSION} (this archbench: {SIM_VERSION})"


def _json(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _unstamp(path: Path) -> None:
    """Make `path` (config.json, sweep.json) look written before sim_version existed."""
    data = _json(path)
    del data["sim_version"]
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def run_dir(mini: TaskSuite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("sim") / "run"
    compare(ARCH, suite=mini, seeds=1, out=run, record=True)
    return run


@pytest.fixture
def old_run(run_dir: Path, tmp_path: Path) -> Path:
    d = tmp_path / "old"
    shutil.copytree(run_dir, d)
    _unstamp(d / "config.json")
    return d


def test_run_directories_are_stamped(run_dir: Path) -> None:
    config, summary = _json(run_dir / "config.json"), _json(run_dir / "summary.json")
    assert list(config)[:2] == ["format_version", "sim_version"]
    assert config["sim_version"] == summary["sim_version"] == SIM_VERSION


def test_a_sweep_and_its_cells_are_stamped(tmp_path: Path) -> None:
    plan = plan_sweep(["max_steps=3,6"], architectures=ARCH, seeds=1, families=["lookup"])
    d = tmp_path / "s"
    run_sweep(plan, d)
    assert _json(d / "sweep.json")["sim_version"] == SIM_VERSION
    for cell in ("c001", "c002"):
        assert _json(d / "cells" / cell / "config.json")["sim_version"] == SIM_VERSION
        assert _json(d / "cells" / cell / "summary.json")["sim_version"] == SIM_VERSION
    run_sweep(plan, d, resume=True)  # the same version resumes (and has nothing to do)


def test_resume_and_replay_refuse_another_version(old_run: Path) -> None:
    want = (
        f"{old_run} was simulated with sim_version {UNSTAMPED_SIM_VERSION}; this archbench "
        f"simulates version {SIM_VERSION}: start a new run, or report it as it is"
    )
    for rerun, flag in ((resume, "--resume"), (replay, "--replay")):
        with pytest.raises(ConfigError) as info:
            rerun(old_run)
        assert str(info.value).startswith(f"{flag}: {want}")
    config = _json(old_run / "config.json")
    config["sim_version"] = SIM_VERSION + 1  # a newer archbench's run
    (old_run / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ConfigError, match=f"sim_version {SIM_VERSION + 1}; this archbench"):
        resume(old_run)


def test_cli_resume_and_replay_of_another_version_are_one_line(
    old_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for flag in ("--resume", "--replay"):
        code, out, err = cli(["compare", flag, str(old_run), "-q"], capsys)
        assert code == 2 and out == "" and err.count("\n") == 1, err
        assert err.startswith(f"archbench: error: {flag}: {old_run} was simulated with ")
        assert f"sim_version {UNSTAMPED_SIM_VERSION}; this archbench simulates version" in err


def test_sweep_resume_of_another_version_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "s"
    args = ["sweep", "max_steps=3", "--arch", ARCH[0], "--seeds", "1", "--family", "lookup"]
    args += ["--out", str(d), "--no-report", "-q"]
    code, _, err = cli(args, capsys)
    assert code == 0, err
    _unstamp(d / "sweep.json")
    code, out, err = cli([*args, "--resume"], capsys)
    error = err.splitlines()[-1]  # after the sweep's plan line
    assert code == 2 and err.count("error") == 1 and "Traceback" not in err, err
    assert error.startswith(f"archbench: error: --resume: {d} was simulated with sim_version")
    plan = plan_sweep(["max_steps=3"], architectures=ARCH, seeds=1, families=["lookup"])
    with pytest.raises(ConfigError, match="start a new run"):
        run_sweep(plan, d, resume=True)


def test_report_of_another_version_is_labelled(
    old_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(["report", str(old_run), "--traces", "1"], capsys)
    assert code == 0, err
    assert f"note: {LABEL}" in err
    page = (old_run / "report" / "index.html").read_text(encoding="utf-8")
    assert f'<div class="sim-version" id="sim-version"><strong>{LABEL}.</strong>' in page
    assert "Summary" in page and "Traceback" not in page


def test_report_of_this_version_is_not_labelled(run_dir: Path, tmp_path: Path) -> None:
    page = write_report(run_dir, tmp_path / "r", max_traces=1).read_text(encoding="utf-8")
    assert "sim_version" not in page and 'class="sim-version"' not in page


def test_report_of_an_old_sweep_is_labelled_once(tmp_path: Path) -> None:
    plan = plan_sweep(["max_steps=3,6"], architectures=ARCH, seeds=1, families=["lookup"])
    d = tmp_path / "s"
    run_sweep(plan, d)
    _unstamp(d / "sweep.json")
    for cell in ("c001", "c002"):
        _unstamp(d / "cells" / cell / "config.json")
    page = write_report(d, max_traces=1).read_text(encoding="utf-8")
    assert page.count(LABEL) == 2  # the banner and the note, not one per cell
    cell_page = (d / "report" / "cells" / "c001.html").read_text(encoding="utf-8")
    assert LABEL in cell_page
