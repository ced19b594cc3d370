"""Paired differences against a baseline: in the Python API, the CLI's table and --json,
from kept results or streamed ones, and the same numbers as the report's comparisons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import cli

from harness import compare
from harness.errors import ConfigError
from harness.stats import paired_comparisons
from harness.task import TaskSuite

ARCHS = ["kimi-researcher", "manus-workflow", "minimax-hybrid"]


def test_paired_differences_against_the_first_architecture(mini: TaskSuite) -> None:
    kept = compare(ARCHS, suite=mini, seeds=3)
    streamed = compare(ARCHS, suite=mini, seeds=3, keep_results=False, workers=2)
    diffs = kept.paired_differences()
    assert diffs == streamed.paired_differences()  # no results kept: the cells suffice
    assert [(d.a, d.b, d.pairs) for d in diffs] == [
        ("manus-workflow", "kimi-researcher", 15),
        ("minimax-hybrid", "kimi-researcher", 15),
    ]
    # the report's comparisons (every pair, first minus second) from the list of results:
    # the same replicates, so exactly the negation
    report = {(p.a, p.b): p for p in paired_comparisons(kept.results, ARCHS)}
    for d in diffs:
        mirror = report[(d.b, d.a)]
        for metric in ("accuracy", "cost", "tokens", "latency"):
            mine, theirs = d.metric(metric), mirror.metric(metric)
            assert mine is not None and theirs is not None
            assert mine.mean == pytest.approx(-theirs.mean, abs=1e-6)
            assert (mine.lo, mine.hi) == pytest.approx((-theirs.hi, -theirs.lo), abs=1e-6)
            assert mine.within_noise == (mine.lo <= 0.0 <= mine.hi)
    other = kept.paired_differences(baseline="minimax-hybrid")
    assert [(d.a, d.b) for d in other] == [
        ("kimi-researcher", "minimax-hybrid"),
        ("manus-workflow", "minimax-hybrid"),
    ]
    with pytest.raises(ConfigError, match="--baseline 'nosuch' is not an architecture"):
        kept.paired_differences(baseline="nosuch")
    document = kept.to_json()
    assert document["format_version"] == 2 and document["baseline"] == "kimi-researcher"
    assert document["architectures"] == kept.summary_json()
    first = document["paired_differences"][0]
    assert first["architecture"] == "manus-workflow" and first["pairs"] == 15
    assert set(first["accuracy"]) == {"mean", "lo", "hi", "n", "within_noise"}


def test_cli_prints_the_paired_table_and_writes_it_to_json(
    mini_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    args = ["compare", "--suite", str(mini_file), "--seeds", "2", "-q"]
    arch = ["--arch", ARCHS[0], "--arch", ARCHS[1]]
    code, out, err = cli([*args, *arch, "--json", str(path)], capsys)
    assert code == 0, err
    assert "paired differences against kimi-researcher" in out
    for word in ("accuracy", "cost", "tokens", "latency", "pts"):
        assert word in out
    assert "within noise" in out or "lower" in out or "higher" in out
    document = json.loads(path.read_text())
    (diff,) = document["paired_differences"]
    assert (diff["architecture"], diff["baseline"], diff["pairs"]) == (ARCHS[1], ARCHS[0], 10)
    code, out, err = cli([*args, *arch, "--baseline", ARCHS[1], "--json", "-"], capsys)
    assert code == 0, err
    (diff,) = json.loads(out)["paired_differences"]
    assert (diff["architecture"], diff["baseline"]) == (ARCHS[0], ARCHS[1])
    code, out, err = cli([*args, "--arch", ARCHS[0]], capsys)  # one architecture: no table
    assert code == 0 and "paired differences" not in out


def test_unknown_baseline_is_one_line_exit_2_before_anything_runs(
    mini_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    args = ["compare", "--suite", str(mini_file), "--baseline", "nosuch", "--out", str(run)]
    code, _, err = cli(args, capsys)
    assert code == 2
    assert err.startswith("archbench: error: --baseline 'nosuch'")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not run.exists()


def test_a_comparison_made_from_results_alone(mini: TaskSuite) -> None:
    from harness.compare import Comparison

    kept = compare(ARCHS[:2], suite=mini, seeds=2)
    by_hand = Comparison(kept.config, kept.results, kept.summaries)
    assert by_hand.paired_differences() == kept.paired_differences()
