"""`archbench study`: the framework, the three studies' quick runs and their verdicts.

Each study's `--quick` verdicts are committed in its module (`QUICK_VERDICTS`): a change
to the simulation, a design or a recipe that flips one fails here until the study's
version and its committed verdicts (and docs/findings.md's "Studies") are updated.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import cli

from harness.bootstrap import Estimate
from harness.errors import ConfigError
from harness.studies import STUDIES, get_study
from harness.studies.framework import COLUMNS, DIRECTION, NOT, SIZE, VERDICTS, verdict

NAMES = ["kimi-steps", "anthropic-multi-agent", "mast"]


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every study run once with --quick through the CLI (all three: well under a minute)."""
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
    assert list(STUDIES)[: len(NAMES)] == NAMES  # later studies test themselves
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
        assert r["archbench"].startswith("predicted")  # nothing is calibrated
        assert r["verdict"] in VERDICTS
        assert (r["why"] == "") == (r["verdict"] == SIZE) or r["verdict"] == DIRECTION
        if r["verdict"] == NOT:
            assert r["why"] and "\n" not in r["why"]
        assert r["command"].startswith("archbench compare ") and " --suite deep " in r["command"]
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
    results = out / "runs" / "kimi-context" / "results.jsonl"
    stamp = results.stat().st_mtime_ns
    code, _, _ = cli(["study", "run", "kimi-steps", "--quick", "--out", str(out)], capsys)
    assert code == 0
    assert results.stat().st_mtime_ns == stamp  # nothing ran again
    assert (out / "study.json").read_text(encoding="utf-8") == before


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
