"""What a training run is: `TrainConfig`, saved as `train.json` and checked on resume.

Why a frozen dataclass: a run directory resumes only if it is the same run, so the
configuration is compared field by field with what `train.json` holds; every field is
plain JSON (no paths, no objects).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from harness.errors import ConfigError

TRAIN_SEED_BASE = 1_000_000
"""Generator seeds reserved for training worlds: world w of a run with seed s is
`generate_suite(TRAIN_SEED_BASE + 100_000 * s + w)`. No evaluation suite draws from this
range (the built-in suites use seeds below 1,000; held-out worlds `HELDOUT_SEED`)."""

HELDOUT_SEED = 500_000
"""The generator seed of the held-out evaluation worlds (world w: HELDOUT_SEED + w)."""

EVAL_SUITES = ("heldout", "default", "article", "deep")


@dataclass(frozen=True)
class TrainConfig:
    """A REINFORCE run: which role of which design learns, from which base model, how."""

    arch: str = "kimi-researcher"
    role: str = "agent"
    models: tuple[tuple[str, str], ...] = ()
    """`--model ROLE=MODEL` bindings; the trained role's is its base model (a `mock/` id)."""
    params: tuple[tuple[str, str], ...] = ()
    """`--set PARAM=VALUE` design parameters (e.g. a step budget), in training and evaluation."""
    episodes: int = 2000
    batch_size: int = 64
    """Episodes per gradient step, whatever the number of workers."""
    learning_rate: float = 0.05
    """Adam's step size on the policy's logit parameters."""
    seed: int = 0
    gamma: float = 0.98
    """A correct answer earns gamma ** (steps - 1): shorter correct trajectories earn more."""
    format_penalty: float = 0.1
    """Subtracted per invalid tool call, per forced answer at the iteration limit, and once
    for an episode ended by its budget or context window."""
    negative_weight: float = 0.5
    """Negative-sample control: trajectories with a negative advantage count this much in
    the gradient (1: no control)."""
    token_cost: float = 0.0
    """Subtracted per 1,000 tokens the episode used (0: tokens are free)."""
    init_new_moves: float = -4.0
    """The starting logit of the moves only a policy makes (stop early, corroborate)."""
    per_family: int = 12
    """Tasks per family in each training world."""
    world_repeats: int = 8
    """Episodes per training task (different draws) before the next world."""
    eval_suites: tuple[str, ...] = EVAL_SUITES
    eval_seeds: int = 2
    heldout_worlds: int = 3

    def check(self) -> None:
        def bad(flag: str, why: str) -> ConfigError:
            return ConfigError(f"{flag}: {why}")

        if self.episodes < 1:
            raise bad("--episodes", f"must be at least 1, got {self.episodes}")
        if self.batch_size < 2:
            raise bad("--batch-size", f"must be at least 2, got {self.batch_size}")
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise bad("--learning-rate", f"must be positive, got {self.learning_rate}")
        if not 0.0 < self.gamma <= 1.0:
            raise bad("--gamma", f"must be in (0, 1], got {self.gamma}")
        if not 0.0 <= self.negative_weight <= 1.0:
            raise bad("--negative-weight", f"must be in [0, 1], got {self.negative_weight}")
        for flag, v in (
            ("--format-penalty", self.format_penalty),
            ("--token-cost", self.token_cost),
        ):
            if not (v >= 0 and math.isfinite(v)):
                raise bad(flag, f"must not be negative, got {v}")
        if not math.isfinite(self.init_new_moves):
            raise bad("--init-new-moves", "must be a number")
        if self.seed < 0 or self.seed >= 1000:
            raise bad(
                "--seed",
                f"must be in 0..999 (training worlds are reserved per seed), got {self.seed}",
            )
        if self.per_family < 1 or self.world_repeats < 1:
            raise bad("--per-family", "per_family and world_repeats must be at least 1")
        for s in self.eval_suites:
            if s not in EVAL_SUITES:
                raise bad(
                    "--eval", f"unknown evaluation suite {s!r} (known: {', '.join(EVAL_SUITES)})"
                )
        if self.eval_seeds < 1 or self.heldout_worlds < 1:
            raise bad("--eval-seeds", "eval_seeds and heldout_worlds must be at least 1")

    @property
    def batches(self) -> int:
        return -(-self.episodes // self.batch_size)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["models"] = [list(m) for m in self.models]
        out["params"] = [list(m) for m in self.params]
        out["eval_suites"] = list(self.eval_suites)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"train.json: unknown field {unknown[0]!r}")
        data = dict(data)
        data["models"] = tuple((str(a), str(b)) for a, b in data.get("models", ()))
        data["params"] = tuple((str(a), str(b)) for a, b in data.get("params", ()))
        data["eval_suites"] = tuple(data.get("eval_suites", EVAL_SUITES))
        return cls(**data)
