"""End-to-end RL inside the harness (harness/training, docs/training.md)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.brief import Brief
from harness.compare import compare
from harness.corpus import Corpus
from harness.graph import compile_architecture
from harness.loader import builtin_architectures
from harness.messages import DrawKey, ModelRequest
from harness.registry import get_model
from harness.runtime import run_episode
from harness.sim import strategy
from harness.sim.strategy import DecisionLog
from harness.task import TaskSuite
from harness.training import Policy, TrainConfig, load_policy, train
from harness.training.config import HELDOUT_SEED, TRAIN_SEED_BASE
from harness.training.evaluate import evaluate_model, suite_tasks
from harness.training.rollout import Rollout, gradient, train_world
from harness.training.trainer import batch_step, initial_policy
from tests.cli_runner import cli

SMALL = TrainConfig(
    arch="kimi-researcher",
    role="agent",
    models=(("agent", "mock/kimi-k2"),),
    episodes=96,
    batch_size=32,
    per_family=2,
    world_repeats=2,
    eval_suites=(),
)


# --- the policy gradient ------------------------------------------------------------------


class _Turn:
    """The parts of a `Turn` that `harness.sim.strategy` reads."""

    def __init__(self, policy: Policy, phi: tuple[float, ...], step: int) -> None:
        from harness.sim.streams import Streams

        key = DrawKey("bandit", "b", step)
        self.request = ModelRequest((), draws=key)
        self.draws = Streams(key)
        self.policy = policy
        self.log = DecisionLog()
        self.phi = phi


def test_score_function_matches_finite_differences() -> None:
    """d log pi / d theta from the logged coefficient equals the numerical derivative, for
    a move only a policy makes and for persistence bent by a brief (follow the plan)."""
    policy = Policy.default()
    policy.biases["stop"] = -0.3
    policy.weights["persist"][0] = 0.7
    phi = tuple(0.1 * (i + 1) for i in range(len(policy.feature_names)))
    k = 1 + len(phi)
    for step in range(30):
        t = _Turn(policy, phi, step)
        taken = strategy.new_move(t, "stop", "site")  # type: ignore[arg-type]
        g = gradient(policy, t.log)
        theta = policy.to_vector()

        def logp(th: list[float], taken: bool = taken) -> float:
            p, _ = policy.with_vector(th).prob("stop", None, phi)
            return math.log(p if taken else 1 - p)

        for j in (k, k + 1, k + 5):  # the stop bias and two of its weights
            up, down = list(theta), list(theta)
            up[j] += 1e-6
            down[j] -= 1e-6
            assert g[j] == pytest.approx((logp(up) - logp(down)) / 2e-6, rel=1e-4, abs=1e-7)

    # persistence, shifted by the policy, then bent by "follow the plan" (compliance 0.9)
    from harness.sim.research import persistence_grad

    class _Brief(_Turn):
        p = get_model("mock/kimi-k2").profile  # type: ignore[attr-defined]
        brief = Brief(follow_plan=True)

    def p_of(th: list[float]) -> float:
        t = _Brief(policy.with_vector(th), phi, 0)
        return persistence_grad(t)[0]  # type: ignore[arg-type]

    t = _Brief(policy, phi, 0)
    p, dp = persistence_grad(t)  # type: ignore[arg-type]
    up, down = policy.to_vector(), policy.to_vector()
    up[0] += 1e-6
    down[0] -= 1e-6
    assert dp == pytest.approx((p_of(up) - p_of(down)) / 2e-6, rel=1e-4)
    # the plan's prohibition holds whatever the policy learnt: re-planning at most
    # 1 - compliance x strength of the time, even when the policy wants it always
    eager = policy.with_vector([50.0, *policy.to_vector()[1:]])
    assert eager.prob("persist", 0.75, phi)[0] > 0.999
    t = _Brief(eager, phi, 0)
    assert persistence_grad(t)[0] <= 1 - 0.9 * Brief(follow_plan=True).strength + 1e-12  # type: ignore[arg-type]


def test_reinforce_finds_the_optimum_of_a_bandit() -> None:
    """A one-decision problem with a known optimum: taking the move pays 1 when feature 0
    is high and costs 1 when it is low. REINFORCE with the trainer's baseline (and a
    normalised gradient step) learns to take it exactly when it pays."""
    policy = Policy.default()
    policy.biases["stop"] = 0.0
    cfg = TrainConfig(batch_size=64, learning_rate=0.1, negative_weight=1.0)
    from harness.training.reward import EpisodeScore
    from harness.training.rollout import EpisodeOut
    from harness.training.trainer import _mask

    mask = _mask(policy)
    theta = np.asarray(policy.to_vector())
    n_feat = len(policy.feature_names)
    rng = np.random.default_rng(0)
    for batch in range(150):
        pol = policy.with_vector(theta.tolist())
        outs = []
        for i in range(cfg.batch_size):
            high = bool(rng.random() < 0.5)
            phi = (1.0 if high else 0.0,) + (0.0,) * (n_feat - 1)
            t = _Turn(pol, phi, batch * 1000 + i)
            taken = strategy.new_move(t, "stop", "bandit")  # type: ignore[arg-type]
            r = (1.0 if high else -1.0) if taken else 0.0
            outs.append(
                EpisodeOut(
                    i, EpisodeScore(r, r > 0, 1, 0), gradient(pol, t.log), len(t.log.records)
                )
            )
        g, _ = batch_step(cfg, outs, mask)
        theta = theta + cfg.learning_rate * g / (np.abs(g).max() + 1e-12) * mask
    pol = policy.with_vector(theta.tolist())
    low = (0.0,) * n_feat
    high = (1.0,) + (0.0,) * (n_feat - 1)
    assert pol.prob("stop", None, high)[0] > 0.9
    assert pol.prob("stop", None, low)[0] < 0.1


# --- the default policy is the preset ---------------------------------------------------


def test_the_default_policy_reproduces_the_preset_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "default.json"
    Policy.default("mock/kimi-k2", "agent").save(path)
    archs = ["kimi-researcher", "manus-workflow", "orchestrator-workers"]
    a = compare(archs, suite="default", seeds=1, models={"*": "mock/kimi-k2"}, cache=False)
    b = compare(
        archs, suite="default", seeds=1, models={"*": f"mock/kimi-k2?policy={path}"}, cache=False
    )
    suffix = f"?policy={path}"
    assert [r.model_dump_json() for r in a.results] == [
        r.model_dump_json().replace(suffix, "") for r in b.results
    ]


# --- features come from what the agent saw ------------------------------------------------


def test_policy_features_and_choices_do_not_depend_on_the_hidden_solution(
    mini: TaskSuite,
) -> None:
    """Swap the hidden solution of every request an agent with a (non-trivial) policy
    received: its feature vector and every decision probability stay the same."""
    policy = initial_policy(SMALL, "mock/kimi-k2").with_vector(
        [0.3 * math.sin(i) for i in range(len(Policy.default().to_vector()))]
    )
    seen: list[ModelRequest] = []

    class Spy:
        def __init__(self, model_id: str) -> None:
            self.inner = get_model(model_id)
            self.inner.policy = policy  # type: ignore[attr-defined]
            self.id = self.inner.id

        async def generate(self, request: ModelRequest) -> Any:
            seen.append(request)
            return await self.inner.generate(request)

    corpus = Corpus(mini.documents)
    for arch in ("kimi-researcher", "manus-workflow"):
        compiled = compile_architecture(builtin_architectures()[arch], {}, {})
        for task in mini.tasks:
            asyncio.run(run_episode(compiled, task, corpus, seed=2, model_factory=Spy))
    other = mini.tasks[-1].solution
    assert len(seen) > 20
    for request in seen:
        swapped = replace(request, oracle=other)
        phi = policy.request_vector(request)
        assert phi == policy.request_vector(swapped)
        for d in strategy.DECISIONS:
            assert policy.prob(d, 0.7, phi) == policy.prob(d, 0.7, policy.request_vector(swapped))


# --- training worlds are not evaluation tasks ---------------------------------------------


def test_no_training_task_appears_in_any_evaluation_suite() -> None:
    cfg = TrainConfig(heldout_worlds=2)
    train_q: set[str] = set()
    train_sol: set[str] = set()
    for w in range(3):
        for t in train_world(cfg, w).tasks:
            train_q.add(t.question)
            train_sol.add(t.solution.model_dump_json())
    assert len(train_q) > 100
    for name in cfg.eval_suites:
        for suite in suite_tasks(cfg, name):
            assert suite.tasks
            for t in suite.tasks:
                assert t.question not in train_q, (name, t.id)
                assert t.solution.model_dump_json() not in train_sol, (name, t.id)
    assert HELDOUT_SEED + cfg.heldout_worlds < TRAIN_SEED_BASE  # the ranges are disjoint


# --- training ------------------------------------------------------------------------------


def test_training_improves_reward_on_a_fixed_seed(tmp_path: Path) -> None:
    """Trained for 1,280 episodes, the policy earns more on the same 512 training
    episodes (same tasks, same draws) than the policy it started from."""
    cfg = replace(SMALL, episodes=1280, batch_size=64, per_family=4, world_repeats=4)
    result = train(cfg, tmp_path / "t")
    start = initial_policy(cfg, "mock/kimi-k2")
    rollout = Rollout(cfg, start)
    try:
        idx = list(range(512))
        before = [o.score.reward for o in rollout.run(start.to_vector(), idx)]
        after = [o.score.reward for o in rollout.run(result.policy.to_vector(), idx)]
    finally:
        rollout.close()
    assert np.mean(after) > np.mean(before) + 0.01
    assert len(result.curve) == cfg.batches


def test_one_and_two_workers_train_the_same_policy(tmp_path: Path) -> None:
    one = train(SMALL, tmp_path / "one", workers=1)
    two = train(SMALL, tmp_path / "two", workers=2)
    assert (tmp_path / "one" / "policy.json").read_bytes() == (
        tmp_path / "two" / "policy.json"
    ).read_bytes()
    assert one.curve == two.curve
    assert one.policy.to_vector() != initial_policy(SMALL, "mock/kimi-k2").to_vector()


@pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="Ray is not installed (archbench[ray])"
)
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")
def test_ray_trains_the_same_policy_as_one_process(tmp_path: Path) -> None:
    import ray

    cfg = replace(SMALL, episodes=64)
    local = train(cfg, tmp_path / "local")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="error")
    try:
        remote = train(cfg, tmp_path / "ray", workers=2, executor="ray")
    finally:
        ray.shutdown()
    assert remote.curve == local.curve
    assert (tmp_path / "ray" / "policy.json").read_bytes() == (
        tmp_path / "local" / "policy.json"
    ).read_bytes()


def test_an_interrupted_run_resumes_to_the_same_policy(tmp_path: Path) -> None:
    whole = train(SMALL, tmp_path / "whole")

    def stop_after_one(done: int, total: int, reward: float) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(SMALL, tmp_path / "cut", progress=stop_after_one)
    assert len((tmp_path / "cut" / "curve.jsonl").read_text().splitlines()) == 1
    resumed = train(SMALL, tmp_path / "cut")
    assert resumed.curve == whole.curve
    assert (tmp_path / "cut" / "policy.json").read_bytes() == (
        tmp_path / "whole" / "policy.json"
    ).read_bytes()
    other = replace(SMALL, gamma=0.9)
    with pytest.raises(Exception, match="other settings"):
        train(other, tmp_path / "cut")


def test_a_saved_policy_reproduces_its_evaluation_byte_for_byte(tmp_path: Path) -> None:
    cfg = replace(SMALL, episodes=64, eval_suites=("default",), eval_seeds=1)
    result = train(cfg, tmp_path / "t")
    saved = json.loads((tmp_path / "t" / "eval.json").read_text())
    assert result.evaluation == saved
    again = evaluate_model(cfg, saved["after"]["model"])
    assert json.dumps(again) == json.dumps(saved["after"]["suites"])
    policy = load_policy(tmp_path / "t" / "policy.json")
    assert policy.to_vector() == result.policy.to_vector()
    assert saved["before"]["suites"]["default"]["episodes"] == 60


def test_training_a_worker_inside_a_workflow(tmp_path: Path) -> None:
    """The trainer trains one role of a multi-agent design, on the pipeline's end reward."""
    cfg = replace(SMALL, arch="manus-workflow", role="worker", models=(("*", "mock/kimi-k2"),))
    result = train(cfg, tmp_path / "w")
    assert result.policy.role == "worker"
    assert result.policy.to_vector() != initial_policy(cfg, "mock/kimi-k2").to_vector()


# --- bad input ----------------------------------------------------------------------------


def _policy_json(**changes: Any) -> dict[str, Any]:
    data = Policy.default("mock/kimi-k2", "agent").to_json()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        (json.dumps(_policy_json(format="other")), "'format'"),
        (json.dumps(_policy_json(version=9)), "'version'"),
        (json.dumps(_policy_json(features=["steps_used", "telepathy"])), "telepathy"),
        (json.dumps(_policy_json(params={"persist": {"bias": "high"}})), "params.persist.bias"),
        (json.dumps(_policy_json(params={"persist": {"bias": 0, "weights": [1]}})), "weights"),
        (json.dumps(_policy_json(params={"fly": {"bias": 0}})), "unknown decision"),
        (json.dumps([1, 2]), "JSON object"),
    ],
)
def test_a_bad_policy_file_gets_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, field: str
) -> None:
    path = tmp_path / "p.json"
    if content is not None:
        path.write_text(content)
    code, out, err = cli(
        ["compare", "--arch", "kimi-researcher", "--model", f"agent=mock/kimi-k2?policy={path}"],
        capsys,
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert str(path) in err and field in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--role", "agent", "--episodes", "0"], "--episodes"),
        (["--role", "pilot"], "--role"),
        (["--role", "agent", "--gamma", "1.5"], "--gamma"),
        (["--role", "agent", "--negative-weight", "2"], "--negative-weight"),
        (["--role", "agent", "--executor", "slurm"], "--executor"),
        (["--role", "agent", "--workers", "0"], "--workers"),
        (["--role", "agent", "--eval", "hle"], "--eval"),
        (["--role", "agent", "--model", "agent=openai/gpt-4o"], "mock"),
        (["--role", "agent", "--model", "agent=mock/kimi-k3"], "kimi-k3"),
    ],
)
def test_bad_train_flags_get_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    code, out, err = cli(["train", "kimi-researcher", *args, "--out", str(tmp_path / "o")], capsys)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1
    assert needle in err
    assert not (tmp_path / "o" / "policy.json").exists()


def test_train_refuses_an_out_that_is_not_its_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "f"
    afile.write_text("x")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "results.jsonl").write_text("")
    for out, needle in ((afile, "is a file"), (busy, "not a training run")):
        code, _, err = cli(
            ["train", "kimi-researcher", "--role", "agent", "--out", str(out)], capsys
        )
        assert code == 2 and needle in err and len(err.strip().splitlines()) == 1
