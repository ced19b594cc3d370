"""`archbench report DIR` on a training run: learning curves, before/after, traces.

The training run is a real one (`harness.training.train`, a few batches), so the page is
tested on what the trainer writes, not on a hand-made copy of its files.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from cli_runner import cli

from harness.report.training import (
    TrainingRun,
    curve_plot,
    eval_rows,
    is_training_dir,
    load_training,
    running_mean,
    trained_so_far,
    write_training_report,
)
from harness.report.training_pair import PAIR_DIR, choose, pair_params, pair_specs
from harness.training import TrainConfig, train


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("training") / "run"
    cfg = TrainConfig(
        arch="kimi-researcher",
        role="agent",
        models=(("agent", "mock/kimi-k2"),),
        episodes=24,
        batch_size=8,
        eval_suites=("deep",),
        eval_seeds=1,
    )
    train(cfg, out)
    return out


@pytest.fixture(scope="module")
def report(trained: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_training_report(trained, tmp_path_factory.mktemp("report"))


def test_a_training_directory_is_recognised(trained: Path, tmp_path: Path) -> None:
    assert is_training_dir(trained)
    assert not is_training_dir(tmp_path)
    run = load_training(trained)
    assert run.config["arch"] == "kimi-researcher" and run.config["role"] == "agent"
    assert [r["batch"] for r in run.curve] == [1, 2, 3]
    assert run.episodes == 24  # the sum of the batches (a line holds its own batch's)
    assert run.policy is not None and run.policy["format"] == "archbench-policy"
    assert run.notes == []


def test_the_page_draws_the_four_curves(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    svg = (report.parent / "img" / "training_curves.svg").read_text(encoding="utf-8")
    assert "data:image/svg+xml;base64," in html and "Learning curves" in html
    assert sorted(set(re.findall(r'id="(axes_\d+)"', svg))) == [f"axes_{i}" for i in range(1, 5)]
    assert (report.parent / "img" / "training_curves.png").read_bytes()[:4] == b"\x89PNG"
    assert "<script" not in html  # self-contained, static


def test_the_curves_are_the_same_bytes_for_the_same_numbers(trained: Path) -> None:
    run = load_training(trained)
    a, b = curve_plot(run.curve), curve_plot(run.curve)
    assert a is not None and b is not None and a.svg == b.svg
    moved = [{**r, "reward": r["reward"] + 0.5} for r in run.curve]
    c = curve_plot(moved)
    assert c is not None and c.svg != a.svg  # the figure is drawn from the numbers
    assert curve_plot([]) is None


def test_running_mean() -> None:
    assert running_mean([1.0, 2.0, 3.0, 4.0], 2) == [1.0, 1.5, 2.5, 3.5]
    assert running_mean([5.0], 3) == [5.0]


def test_the_x_axis_is_the_episodes_trained_so_far() -> None:
    assert trained_so_far([{"episodes": 64}, {"episodes": 64}, {"episodes": 16}]) == [
        64.0,
        128.0,
        144.0,
    ]
    assert trained_so_far([{"episodes": 8}, {}, {"episodes": 8}]) == [8.0, None, None]


def test_the_evaluation_table_is_the_trainers(trained: Path, report: Path) -> None:
    data = json.loads((trained / "eval.json").read_text(encoding="utf-8"))
    rows = eval_rows(data)
    metrics = {(s, m) for s, m, _, _ in rows}
    assert ("deep", "accuracy") in metrics and ("deep", "mean_steps") in metrics
    before = data["before"]["suites"]["deep"]["accuracy"]
    assert ("deep", "accuracy", before, data["after"]["suites"]["deep"]["accuracy"]) in rows
    html = report.read_text(encoding="utf-8")
    assert "Before and after training" in html and f"{before:.4g}" in html


def test_before_and_after_are_played_on_the_same_task(trained: Path, report: Path) -> None:
    before, after, suite = pair_specs(load_training(trained))
    assert suite == "deep"
    assert before.roles["agent"] == "mock/kimi-k2"
    assert after.roles["agent"].startswith("mock/kimi-k2?policy=")
    assert after.roles["agent"].endswith("policy.json")
    pair = trained / PAIR_DIR
    config = json.loads((pair / "config.json").read_text(encoding="utf-8"))
    assert config["architectures"] == [before.name, after.name]
    html = report.read_text(encoding="utf-8")
    assert "before training" in html and "after training" in html
    pages = re.findall(r'href="(traces/[^"]+\.html)"', html)
    assert len(set(pages)) == 2
    for p in pages:
        assert (report.parent / p).is_file()


def test_the_task_shown_follows_the_rule(trained: Path) -> None:
    from harness.report.load import load_run

    before, after, _ = pair_specs(load_training(trained))
    cell = load_run(trained / PAIR_DIR, traces=None).cells[0]
    task, why = choose(cell, before.name, after.name)
    res = {(r.architecture, r.task_id): r for r in cell.results}
    fixed = [
        t
        for t in dict.fromkeys(r.task_id for r in cell.results)
        if res[(after.name, t)].correct and not res[(before.name, t)].correct
    ]
    if fixed:
        assert task == fixed[0] and "gets right" in why
    else:
        assert "gets right" not in why


def test_a_second_report_reuses_the_pair_run(trained: Path, report: Path, tmp_path: Path) -> None:
    results = trained / PAIR_DIR / "results.jsonl"
    stamp = results.stat().st_mtime_ns
    again = write_training_report(trained, tmp_path / "again")
    assert results.stat().st_mtime_ns == stamp
    assert again.read_text(encoding="utf-8") == report.read_text(encoding="utf-8")


def test_an_interrupted_run_still_gets_a_page(trained: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(trained / "train.json", broken / "train.json")
    lines = (trained / "curve.jsonl").read_text(encoding="utf-8").splitlines()
    (broken / "curve.jsonl").write_text("\n".join([*lines[:2], '{"batch": 3, "epi']) + "\n")
    index = write_training_report(broken)
    html = index.read_text(encoding="utf-8")
    assert "1 unreadable line(s) skipped" in html
    assert "policy.json is missing" in html and "eval.json is missing" in html
    assert "no before/after traces" in html
    assert (broken / "report" / "img" / "training_curves.svg").is_file()


def test_the_cli_reports_a_training_run(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(["report", str(trained), "--out", str(tmp_path / "r")], capsys)
    assert code == 0 and out == ""
    assert "report written to" in err
    assert "Learning curves" in (tmp_path / "r" / "index.html").read_text(encoding="utf-8")


def test_a_directory_that_is_no_run_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(["report", str(tmp_path)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1


def test_the_pair_runs_with_the_design_parameters_it_trained_with(tmp_path: Path) -> None:
    run = TrainingRun(
        tmp_path,
        {"params": [["kimi-researcher:max_steps", "12"], ["context_threshold", "9000"]]},
    )
    assert pair_params(run, "kimi-researcher") == {
        "max_steps": "12",
        "context_threshold": "9000",
    }
    assert pair_params(TrainingRun(tmp_path, {"params": []}), "kimi-researcher") is None
