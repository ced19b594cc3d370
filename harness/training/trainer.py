"""On-policy REINFORCE with a baseline, numpy only, resumable batch by batch.

Each batch of `batch_size` episodes runs with the current policy; an episode's advantage
is its reward minus the mean reward of the *other* episodes of its batch (a leave-one-out
baseline, unbiased); negative-sample control multiplies the gradient of every trajectory
with a negative advantage by `negative_weight` (Kimi-Researcher's report discards a share
of negative samples to keep the policy from collapsing; down-weighting is the same in
expectation, with less variance and no extra draw). The step is Adam's on the mean of
`weight x advantage x grad log pi` over the batch, summed in episode order.

The run directory (`DIR`):
- `train.json`: the config and SIM_VERSION (a resume must match it);
- `state.json`: parameters and Adam's moments after the last completed batch;
- `curve.jsonl`: one line per batch {batch, episodes, reward, accuracy, mean_steps, tokens};
- `policy.json`: the policy (harness/training/policy.py), rewritten after every batch;
- `eval.json`: before/after evaluation per suite (harness/training/evaluate.py).
An interrupted run continues from its last completed batch to the same final policy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from harness.errors import ConfigError
from harness.sim.strategy import DECISIONS
from harness.sim.version import SIM_VERSION
from harness.training.config import TrainConfig
from harness.training.policy import Policy
from harness.training.rollout import EpisodeOut, compile_for
from harness.training.workers import check_execution, make_runner

Progress = Callable[[int, int, float], None]
"""progress(batches done, batches in all, mean reward of the last batch)."""

_BETA1, _BETA2, _EPS = 0.9, 0.999, 1e-8


@dataclass(frozen=True)
class TrainResult:
    out: Path
    policy: Policy
    curve: list[dict[str, Any]]
    evaluation: dict[str, Any] | None

    @property
    def policy_path(self) -> Path:
        return self.out / "policy.json"


def initial_policy(cfg: TrainConfig, base: str, auto_context: bool = False) -> Policy:
    """Where training starts: the base preset (persistence at offset 0), with the moves
    only a policy makes switched on at a small probability so that they can be found.
    `summarise` is on only when the design has a node with context policy `auto` (the only
    place its tool is offered); elsewhere it stays off and out of the policy file."""
    p = Policy.default(base_model=base, role=cfg.role)
    p.biases["stop"] = cfg.init_new_moves
    p.biases["corroborate"] = cfg.init_new_moves
    if auto_context:
        p.biases["summarise"] = cfg.init_new_moves
    return p


def batch_step(
    cfg: TrainConfig, outs: list[EpisodeOut], mask: np.ndarray
) -> tuple[np.ndarray, dict[str, Any]]:
    """The policy-gradient estimate of one batch, and its curve line's numbers."""
    rewards = np.array([o.score.reward for o in outs], dtype=np.float64)
    n = len(outs)
    baseline = (rewards.sum() - rewards) / max(1, n - 1)
    adv = rewards - baseline
    weights = np.where(adv < 0, cfg.negative_weight, 1.0)
    g = np.zeros(len(outs[0].grad), dtype=np.float64)
    for o, a, w in zip(outs, adv, weights, strict=True):
        if a != 0.0 and o.decisions:
            g += (w * a) * np.asarray(o.grad, dtype=np.float64)
    g = g / n * mask
    line = {
        "episodes": n,
        "reward": round(float(rewards.mean()), 6),
        "accuracy": round(sum(o.score.correct for o in outs) / n, 6),
        "mean_steps": round(sum(o.score.steps for o in outs) / n, 4),
        "tokens": round(sum(o.score.tokens for o in outs) / n, 1),
    }
    return g, line


def _mask(policy: Policy) -> np.ndarray:
    k = 1 + len(policy.feature_names)
    m = np.zeros(k * len(DECISIONS))
    for i, d in enumerate(DECISIONS):
        if policy.biases[d] is not None:
            m[i * k : (i + 1) * k] = 1.0
    return m


def train(
    config: TrainConfig,
    out: Path,
    *,
    workers: int = 1,
    executor: str = "process",
    progress: Progress | None = None,
    evaluate: bool = True,
) -> TrainResult:
    """Train `config.role` of `config.arch` into `out` (resuming what is there)."""
    config.check()
    check_execution(workers, executor)
    out = Path(out)
    arch, base = compile_for(config)
    auto = any(n.context.policy == "auto" for n in arch.nodes.values())
    template = initial_policy(config, base, auto)
    state = _start(config, out, template)
    theta = np.asarray(state["theta"], dtype=np.float64)
    m = np.asarray(state["m"], dtype=np.float64)
    v = np.asarray(state["v"], dtype=np.float64)
    done = int(state["batches"])
    curve = _read_curve(out, done)
    mask = _mask(template)
    if progress:
        progress(done, config.batches, curve[-1]["reward"] if curve else 0.0)
    if done < config.batches:
        runner = make_runner(config, template, workers, executor)
        try:
            for b in range(done, config.batches):
                lo = b * config.batch_size
                indices = list(range(lo, min(lo + config.batch_size, config.episodes)))
                outs = runner.run(theta.tolist(), indices)
                g, line = batch_step(config, outs, mask)
                t = b + 1
                m = _BETA1 * m + (1 - _BETA1) * g
                v = _BETA2 * v + (1 - _BETA2) * g * g
                m_hat = m / (1 - _BETA1**t)
                v_hat = v / (1 - _BETA2**t)
                theta = theta + config.learning_rate * m_hat / (np.sqrt(v_hat) + _EPS) * mask
                line = {"batch": t, **line}
                curve.append(line)
                _checkpoint(config, out, template, theta, m, v, t, line)
                if progress:
                    progress(t, config.batches, line["reward"])
        finally:
            runner.close()
    policy = _final(config, template, theta)
    policy.save(out / "policy.json")
    evaluation = None
    if evaluate and config.eval_suites:
        from harness.training.evaluate import evaluate_run

        evaluation = evaluate_run(config, out, workers=workers, executor=executor)
    return TrainResult(out, policy, curve, evaluation)


def _final(cfg: TrainConfig, template: Policy, theta: np.ndarray) -> Policy:
    trained = {
        "architecture": cfg.arch,
        "episodes": cfg.episodes,
        "batch_size": cfg.batch_size,
        "seed": cfg.seed,
        "gamma": cfg.gamma,
        "format_penalty": cfg.format_penalty,
        "negative_weight": cfg.negative_weight,
        "token_cost": cfg.token_cost,
        "learning_rate": cfg.learning_rate,
    }
    return template.with_vector([float(x) for x in theta], trained)


def _start(cfg: TrainConfig, out: Path, template: Policy) -> dict[str, Any]:
    """A fresh run's state, or the saved one of the same run (anything else is refused)."""
    meta = {"config": cfg.to_json(), "sim_version": SIM_VERSION}
    cfg_path, state_path = out / "train.json", out / "state.json"
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: is a file, not a directory")
    if cfg_path.exists():
        try:
            saved = json.loads(cfg_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            raise ConfigError(f"{cfg_path}: not a readable training config") from None
        if saved != meta:
            raise ConfigError(
                f"--out {out}: holds a training run with other settings (train.json differs); "
                "use another directory"
            )
        if state_path.exists():
            try:
                state: dict[str, Any] = json.loads(state_path.read_text(encoding="utf-8"))
                return _pad(state, template)
            except (OSError, json.JSONDecodeError):
                raise ConfigError(f"{state_path}: not a readable training state") from None
    elif out.exists() and any(out.iterdir()):
        raise ConfigError(f"--out {out}: exists and is not a training run directory")
    out.mkdir(parents=True, exist_ok=True)
    cfg_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    zeros = [0.0] * len(template.to_vector())
    return {"batches": 0, "theta": template.to_vector(), "m": zeros, "v": zeros}


def _pad(state: dict[str, Any], template: Policy) -> dict[str, Any]:
    """A state saved before a decision was appended to DECISIONS: the appended decisions
    start at the template's values (their Adam moments at 0)."""
    full = template.to_vector()
    have = len(state["theta"])
    if have < len(full):
        state["theta"] = [*state["theta"], *full[have:]]
        state["m"] = [*state["m"], *[0.0] * (len(full) - have)]
        state["v"] = [*state["v"], *[0.0] * (len(full) - have)]
    return state


def _read_curve(out: Path, batches: int) -> list[dict[str, Any]]:
    """The curve's first `batches` lines (a crash after the curve line but before the
    state was saved leaves one more, which the resumed batch rewrites)."""
    path = out / "curve.jsonl"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[:batches]
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return [json.loads(x) for x in lines]


def _checkpoint(
    cfg: TrainConfig,
    out: Path,
    template: Policy,
    theta: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    batches: int,
    line: dict[str, Any],
) -> None:
    with (out / "curve.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")
    _final(cfg, template, theta).save(out / "policy.json")
    state = {"batches": batches, "theta": theta.tolist(), "m": m.tolist(), "v": v.tolist()}
    tmp = out / "state.json.tmp"
    tmp.write_text(json.dumps(state) + "\n", encoding="utf-8")
    tmp.replace(out / "state.json")
