"""`archbench study`: the framework, every study's quick run and its verdicts, the studies
page, sensitivity.

Each study's `--quick` verdicts are committed in its module (`QUICK_VERDICTS`): a change
to the simulation, a design or a recipe that flips one fails here until the study's
version and its committed verdicts (and docs/findings.md's "Studies") are updated.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_runner import cli

from harness.bootstrap import Estimate
from harness.errors import ConfigError
from harness.registry import parse_model_id
from harness.sim.profiles import PRESETS
from harness.studies import STUDIES, get_study
from harness.studies.framework import (
    CALIBRATED,
    COLUMNS,
    DIRECTION,
    NOT,
    PREDICTED,
    SIZE,
    VERDICTS,
    Row,
    RunPlan,
    Study,
    StudyResult,
    execute,
    verdict,
    verdict_range,
)
from harness.studies.perturb import Perturbation, shift_model
from harness.studies.sensitivity import run_sensitivity

FIRST = ["kimi-steps", "anthropic-multi-agent", "mast"]
NAMES = list(STUDIES)
"""Every registered study: the quick runs below are CI's check of every study's verdicts."""
CALIBRATED_ROWS = {
    "mast": set(),
    "manus-context": {"input_output_ratio", "tool_calls"},
    "kimi-steps": {"steps"},
    "anthropic-multi-agent": {
        "effort_simple_subagents",
        "effort_simple_calls",
        "effort_comparison_subagents",
        "effort_comparison_calls_each",
    },
}
"""The figures of one system that harness/studies/calibration.py fits; every other row,
and every comparison, is a prediction."""


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every study run once with --quick through the CLI (the first three: about 16 s of
    CPU together, docs/performance.md)."""
    root = tmp_path_factory.mktemp("studies")
    out: dict[str, Path] = {}
    for name in NAMES:
        code = _main(["study", "run", name, "--quick", "--out", str(root / name)])
        assert code == 0
        out[name] = root / name
    return out


def _main(args: list[str]) -> int:
    from harness.cli import main

    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_the_registry_is_the_three_studies() -> None:
    assert list(STUDIES)[: len(FIRST)] == FIRST
    for s in STUDIES.values():
        assert s.version >= 1 and s.claim and s.source and s.published
        assert s.quick_verdicts and set(s.quick_verdicts.values()) <= set(VERDICTS)


@pytest.mark.parametrize("name", NAMES)
def test_quick_verdicts_are_the_committed_ones(name: str, quick_runs: dict[str, Path]) -> None:
    data = json.loads((quick_runs[name] / "study.json").read_text(encoding="utf-8"))
    assert data["study"] == name and data["quick"] is True
    assert data["version"] == STUDIES[name].version
    got = {r["id"]: r["verdict"] for r in data["rows"]}
    assert got == dict(STUDIES[name].quick_verdicts)


@pytest.mark.parametrize("name", NAMES)
def test_the_table_has_its_columns(name: str, quick_runs: dict[str, Path]) -> None:
    data = json.loads((quick_runs[name] / "study.json").read_text(encoding="utf-8"))
    assert data["columns"] == list(COLUMNS)
    assert data["command"].startswith(f"archbench study run {name} --quick --out ")
    for r in data["rows"]:
        assert r["claim"] and r["source"] and r["published"]
        assert r["label"] in (PREDICTED, CALIBRATED) and r["archbench"].startswith(r["label"])
        if name in CALIBRATED_ROWS:  # the studies whose calibrated rows this file knows
            want = CALIBRATED if r["id"] in CALIBRATED_ROWS[name] else PREDICTED
            assert r["label"] == want
        assert r["verdict"] in VERDICTS
        assert (r["why"] == "") == (r["verdict"] == SIZE) or r["verdict"] == DIRECTION
        if r["verdict"] == NOT:
            assert r["why"] and "\n" not in r["why"]
        trains = "archbench train " in r["command"]  # kimi-rl: its figures come from training
        assert r["command"].startswith("archbench compare ") or trains, r["command"]
        assert " --suite deep " in r["command"] or trains
        est = r["estimate"]
        assert est is None or est["lo"] <= est["mean"] <= est["hi"]
    md = (quick_runs[name] / "study.md").read_text(encoding="utf-8")
    assert "| " + " | ".join(COLUMNS) + " |" in md
    assert md.count("\n| ") == len(data["rows"]) + 1
    for r in data["rows"]:
        assert r["command"] in md


@pytest.mark.parametrize("name", NAMES)
def test_out_holds_the_tables_and_ordinary_run_directories(
    name: str, quick_runs: dict[str, Path]
) -> None:
    out = quick_runs[name]
    assert (out / "study.json").is_file() and (out / "study.md").is_file()
    runs = sorted((out / "runs").iterdir())
    assert runs
    for run in runs:
        for f in ("config.json", "results.jsonl", "traces.jsonl", "summary.json"):
            assert (run / f).is_file()


def test_a_second_run_reuses_the_run_directories(
    quick_runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = quick_runs["kimi-steps"]
    before = (out / "study.json").read_text(encoding="utf-8")
    page = (out / "study.html").read_bytes()
    results = out / "runs" / "kimi-context" / "results.jsonl"
    stamp = results.stat().st_mtime_ns
    code, _, _ = cli(["study", "run", "kimi-steps", "--quick", "--out", str(out)], capsys)
    assert code == 0
    assert results.stat().st_mtime_ns == stamp  # nothing ran again
    assert (out / "study.json").read_text(encoding="utf-8") == before
    assert (out / "study.html").read_bytes() == page  # the page, figure included: same bytes


def test_a_full_run_refuses_a_quick_runs_directory(quick_runs: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match="another plan"):
        get_study("kimi-steps").run(False, quick_runs["kimi-steps"], None)


def test_study_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["study", "list"], capsys)
    assert code == 0 and err == ""
    for name in NAMES:
        assert f"{name} (v" in out


def test_bad_study_name_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(["study", "run", "kimi-step", "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown study 'kimi-step'" in err
    assert "did you mean 'kimi-steps'" in err
    assert not (tmp_path / "x").exists()  # refused before anything was written


def test_run_needs_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(["study", "run", "mast"], capsys)
    assert code == 2 and "--out" in err


def test_verdict_rule() -> None:
    est = Estimate(0.3, 0.1, 0.5, 10)
    assert verdict(est, 0.4, null=0.0) == SIZE
    assert verdict(est, 0.9, null=0.0) == DIRECTION
    assert verdict(est, -0.9, null=0.0) == NOT
    assert verdict(est, None, null=0.0, side=1) == DIRECTION
    assert verdict(Estimate(0.3, -0.1, 0.5, 10), 0.9, null=0.0) == NOT
    assert verdict(est, 0.9) == NOT  # an absolute figure: in size or not at all
    assert verdict(None, 0.9, null=0.0) == NOT


@pytest.mark.parametrize("command", [["study"], ["study", "list"], ["study", "run"]])
def test_help_has_readable_placeholders(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli([*command, "--help"], capsys)
    assert code == 0
    options = out.split("Options:", 1)[1]
    assert [ln for ln in options.splitlines() if ln.strip().startswith("-") and "<" in ln] == []


def test_verdict_of_a_published_range() -> None:
    assert verdict_range(Estimate(5.0, 4.0, 6.0, 10), 3.0, 10.0) == SIZE
    assert verdict_range(Estimate(2.5, 2.0, 3.1, 10), 3.0, 10.0) == SIZE  # the ranges meet
    assert verdict_range(Estimate(5.0, 4.7, 5.1, 10), 10.0, 15.0) == NOT
    assert verdict_range(None, 1.0, 2.0) == NOT


@pytest.mark.parametrize("name", NAMES)
def test_study_html_has_every_row_and_its_figure(name: str, quick_runs: dict[str, Path]) -> None:
    html = (quick_runs[name] / "study.html").read_text(encoding="utf-8")
    data = json.loads((quick_runs[name] / "study.json").read_text(encoding="utf-8"))
    assert html.startswith("<!DOCTYPE html>") and f"Study {name} (v" in html
    for r in data["rows"]:
        assert f'id="row-{r["id"]}"' in html
        assert r["verdict"] in html
    assert html.count('<tr id="row-') == len(data["rows"])
    if any(r["estimate"] for r in data["rows"]):
        assert "data:image/svg+xml;base64," in html  # the figure, embedded
    assert "<script" not in html and 'src="http' not in html  # self-contained


# --- sensitivity ----------------------------------------------------------------------


def _skill_probe() -> Study:
    """A study whose one row reads the skill bound to kimi-researcher's agent from its
    run directory: a skill shift must flip it (the published 0.86 leaves the interval),
    a shift of any other parameter cannot."""

    def run(quick: bool, out: Path, workers: int | None) -> StudyResult:
        res = execute(RunPlan("probe", ("kimi-researcher",), True), out, workers)
        mid = parse_model_id(res.config["roles"]["kimi-researcher"]["agent"])
        skill = float(dict(mid.options).get("skill", PRESETS[mid.name].skill))
        est = Estimate(skill, skill, skill, 1)
        row = Row("skill", "skill", "test", "0.86", f"{skill}", est, verdict(est, 0.86), "", "")
        return StudyResult("probe", 1, quick, "probe", (row,))

    return Study("probe", 1, "probe", "test", "0.86", run)


def test_sensitivity_flags_a_flip_and_only_a_flip(tmp_path: Path) -> None:
    study = _skill_probe()
    base = study.run(True, tmp_path, None)
    shifts = (("skill", 0.05), ("conformity", 0.2))
    result = run_sensitivity(study, base, True, tmp_path, None, shifts)
    sens = result.sensitivity
    assert sens is not None
    assert sens.columns == ("skill+0.05", "skill-0.05", "conformity+0.2", "conformity-0.2")
    assert sens.base == {"skill": SIZE}
    assert sens.flips("skill") == ["skill+0.05", "skill-0.05"]  # conformity cannot flip it
    runs = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert runs == ["probe", *(f"probe@{c}" for c in sorted(sens.columns))]
    config = json.loads((tmp_path / "runs" / "probe@skill-0.05" / "config.json").read_text())
    assert config["roles"]["kimi-researcher"]["agent"] == "mock/kimi-researcher?skill=0.81"
    md = result.markdown()
    assert "| skill | size | not | not | = | = | **2 of 4** |" in md
    data = result.as_dict()["sensitivity"]
    assert data["rows"]["skill"]["flips"] == ["skill+0.05", "skill-0.05"]


def test_a_shift_clips_to_a_share_and_leaves_real_models_alone() -> None:
    up = Perturbation("skill", 0.1)
    assert shift_model("mock/claude-opus-4", up) == "mock/claude-opus-4?skill=1"
    assert shift_model("mock/qwen-plus?persistence=0.5&skill=0.5", up) == (
        "mock/qwen-plus?persistence=0.5&skill=0.6"
    )
    assert shift_model("openai/gpt-4o", up) == "openai/gpt-4o"


def test_sensitivity_through_the_cli(
    quick_runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kimi"
    shutil.copytree(quick_runs["kimi-steps"], out)  # the unshifted run is reused
    args = ["study", "run", "kimi-steps", "--quick", "--out", str(out), "--vary", "skill=0.05"]
    code, printed, _ = cli(args, capsys)
    assert code == 0 and "Sensitivity (every bound preset shifted; skill ±0.05)" in printed
    data = json.loads((out / "study.json").read_text(encoding="utf-8"))
    sens = data["sensitivity"]
    assert sens["columns"] == ["skill+0.05", "skill-0.05"]
    for r in data["rows"]:
        got = sens["rows"][r["id"]]
        assert got["verdict"] == r["verdict"] and set(got["shifted"]) == set(sens["columns"])
        assert got["flips"] == [c for c, v in got["shifted"].items() if v != r["verdict"]]
    assert 'id="sensitivity"' in (out / "study.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("foo=0.1", "--vary: unknown model parameter 'foo'"),
        ("skill=lots", "--vary skill: the amount must be a number, got 'lots'"),
        ("skill=0.9", "--vary skill: the amount must be above 0 and at most 0.5, got 0.9"),
        ("skill", "--vary 'skill' must look like NAME=VALUE"),
    ],
)
def test_bad_vary_is_one_line_and_exit_2(
    vary: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["study", "run", "mast", "--quick", "--out", str(tmp_path / "x"), "--vary", vary]
    code, out, err = cli(args, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "x").exists()
