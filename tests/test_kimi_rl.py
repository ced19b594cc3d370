"""Study `kimi-rl`: its quick run, its committed verdicts, its reuse, and its arithmetic.

The quick run trains every arm for real (4 batches of 8 episodes, 2 seeds) and evaluates
on 10 deep tasks: a smoke test of the whole recipe whose verdicts are committed in
`harness.studies.kimi_rl.QUICK_VERDICTS`.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from cli_runner import cli

from harness.studies import STUDIES
from harness.studies.framework import VERDICTS
from harness.studies.kimi_rl import (
    ABLATIONS,
    COMPONENT,
    E2E,
    QUICK_EPISODES,
    QUICK_SEEDS,
    QUICK_VERDICTS,
)
from harness.studies.kimi_rl_measure import change, over_seeds, pooled, seed_variance
from harness.studies.kimi_rl_runs import REWARD, bindings, train_command, train_dir
from harness.trace import EpisodeResult

ROWS = [
    "a_curve_accuracy",
    "a_curve_steps",
    "a_eval_accuracy",
    "a_eval_steps",
    "a_steps_23",
    "b_vs_workflow",
    "b_vs_orchestrator",
    "c_gain",
    "c_final",
    "d_gamma_steps",
    "d_format_faults",
    "d_negative_variance",
]


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kimi-rl") / "q"
    from harness.cli import main

    try:
        main(["study", "run", "kimi-rl", "--quick", "--out", str(out)])
    except SystemExit as exc:
        assert not exc.code
    return out


def test_registered() -> None:
    assert STUDIES["kimi-rl"].quick_verdicts == QUICK_VERDICTS
    assert set(QUICK_VERDICTS) == set(ROWS)


def test_quick_verdicts_are_the_committed_ones(quick: Path) -> None:
    data = json.loads((quick / "study.json").read_text(encoding="utf-8"))
    assert data["study"] == "kimi-rl" and data["quick"] is True
    assert [r["id"] for r in data["rows"]] == ROWS
    assert all(r["verdict"] in VERDICTS for r in data["rows"])
    assert {r["id"]: r["verdict"] for r in data["rows"]} == QUICK_VERDICTS
    assert all(r["estimate"] is not None for r in data["rows"])  # every row measured
    assert (quick / "study.md").read_text(encoding="utf-8").startswith("### kimi-rl (v1, quick)")


def test_every_arm_was_trained_at_every_seed(quick: Path) -> None:
    for arm in (E2E, COMPONENT, *ABLATIONS):
        for s in QUICK_SEEDS:
            d = train_dir(quick, arm, s)
            saved = json.loads((d / "train.json").read_text(encoding="utf-8"))["config"]
            assert saved["arch"] == arm.arch and saved["role"] == arm.role
            assert saved["seed"] == s and saved["episodes"] == QUICK_EPISODES
            for key, value in {**dict(REWARD), **dict(arm.changes)}.items():
                assert saved[key] == value
            lines = (d / "curve.jsonl").read_text(encoding="utf-8").splitlines()
            assert len(lines) == 4
            policy = json.loads((d / "policy.json").read_text(encoding="utf-8"))
            assert policy["base_model"] == "mock/kimi-k2" and policy["role"] == arm.role


def test_the_evaluation_binds_every_role_to_the_base_model(quick: Path) -> None:
    config = json.loads((quick / "runs" / "kimi-rl-eval" / "config.json").read_text())
    assert len(config["architectures"]) == 2 + 5 * len(QUICK_SEEDS)
    spec = json.loads((quick / "specs" / "manus-workflow-component-s1.json").read_text())
    assert spec["roles"]["planner"] == spec["roles"]["writer"] == "mock/kimi-k2"
    assert spec["roles"]["worker"].startswith("mock/kimi-k2?policy=")
    assert spec["roles"]["worker"].endswith("component-s1/policy.json")
    capped = json.loads((quick / "runs" / "kimi-rl-matched" / "config.json").read_text())
    assert capped["limits"]["max_tokens"] == 24_000


def test_a_second_run_reuses_training_and_runs(quick: Path) -> None:
    state = train_dir(quick, E2E, 0) / "state.json"
    results = quick / "runs" / "kimi-rl-eval" / "results.jsonl"
    stamps = (state.stat().st_mtime_ns, results.stat().st_mtime_ns)
    before = (quick / "study.json").read_bytes()
    from harness.cli import main

    main(["study", "run", "kimi-rl", "--quick", "--out", str(quick)])
    assert (state.stat().st_mtime_ns, results.stat().st_mtime_ns) == stamps
    assert (quick / "study.json").read_bytes() == before


def test_a_full_run_refuses_a_quick_directory(
    quick: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(["study", "run", "kimi-rl", "--out", str(quick)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "train.json differs" in err


def test_over_seeds_is_a_t_interval() -> None:
    est = over_seeds([1.0, 2.0, 3.0])
    assert est is not None and est.mean == 2.0 and est.n == 3
    half = 4.303 * statistics.stdev([1.0, 2.0, 3.0]) / 3**0.5
    assert est.lo == pytest.approx(2.0 - half) and est.hi == pytest.approx(2.0 + half)
    one = over_seeds([0.5])
    assert one is not None and (one.lo, one.hi) == (0.5, 0.5)
    assert over_seeds([]) is None


def test_change_compares_the_last_tenth_with_the_first() -> None:
    lines = [{"accuracy": 0.0}] * 10 + [{"accuracy": 1.0}] * 10
    assert change(lines, "accuracy") == 1.0  # tenths of 2 batches: 0 vs 1
    assert change([{"accuracy": 0.2}, {"accuracy": 0.6}], "accuracy") == pytest.approx(0.4)


def test_seed_variance_reads_the_second_half() -> None:
    a = [{"reward": 0.0}, {"reward": 0.0}, {"reward": 1.0}, {"reward": 1.0}]
    b = [{"reward": 5.0}, {"reward": 5.0}, {"reward": 1.0}, {"reward": 3.0}]
    got = seed_variance([a, b])
    assert list(got.values()) == [0.0, 2.0]


def _r(task: str, seed: int, correct: bool) -> EpisodeResult:
    return EpisodeResult(
        architecture="x",
        task_id=task,
        family="lookup",
        seed=seed,
        outcome="answered",
        correct=correct,
    )


def test_pooled_averages_training_seeds_per_cell() -> None:
    got = pooled(
        [[_r("t", 0, True)], [_r("t", 0, False)], [_r("t", 0, True)]], lambda r: float(r.correct)
    )
    assert got == {(0, "t", 0): pytest.approx(2 / 3)}


def test_every_role_gets_the_base_model_and_the_command_says_so() -> None:
    assert bindings("manus-workflow", "mock/kimi-k2") == (
        ("planner", "mock/kimi-k2"),
        ("worker", "mock/kimi-k2"),
        ("writer", "mock/kimi-k2"),
    )
    cmd = train_command(ABLATIONS[0], (0, 1), Path("out"), "mock/kimi-k2", 100, 10)
    assert cmd.startswith("for s in 0 1; do archbench train kimi-researcher --role agent")
    assert "--gamma 1 " in cmd and "--gamma 0.98" not in cmd
    assert "--out out/train/no-gamma-s$s; done" in cmd
