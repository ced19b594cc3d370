"""The runs of study `kimi-rl`: training runs, then ordinary comparisons of what they made.

Every training run is `harness.training.train` into its own directory under
`out/train/<arm>-s<seed>/` (train.json, curve.jsonl, policy.json), which the trainer
resumes batch by batch and refuses when its settings differ: a study run again into the
same `out` reuses finished training, finishes interrupted training, and a quick study's
directory cannot be read as a full one's. Each trained policy is then a model
(`mock/kimi-k2?policy=out/train/<arm>-s<seed>/policy.json`) bound in a copy of its design,
and every design is evaluated in one `harness.compare` run on the deep suite (through the
study framework's `execute`, so it resumes and is reused like every study run); the
matched-token comparison is a second run with a per-episode token cap.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harness.loader import load_architecture
from harness.spec import ArchitectureSpec


@dataclass(frozen=True)
class Arm:
    """One training recipe: which role of which design, with which reward settings."""

    name: str
    arch: str
    role: str
    changes: tuple[tuple[str, float], ...] = ()
    """TrainConfig fields that differ from the trainer's defaults (an ablation)."""


REWARD: tuple[tuple[str, float], ...] = (
    ("learning_rate", 0.05),
    ("gamma", 0.98),
    ("format_penalty", 0.1),
    ("negative_weight", 0.5),
    ("token_cost", 0.0),
)
"""The full recipe's reward and step size, pinned (the trainer's defaults when the study
was written), so that a later change of the trainer's defaults cannot move the study."""


def bindings(arch: str, model: str) -> tuple[tuple[str, str], ...]:
    """Every role of `arch` bound to `model`: one base model for the whole design."""
    return tuple((role, model) for role in sorted(load_architecture(arch).roles))


def train_dir(out: Path, arm: Arm, seed: int) -> Path:
    return out / "train" / f"{arm.name}-s{seed}"


def train_arm(
    arm: Arm,
    seed: int,
    out: Path,
    *,
    base: str,
    episodes: int,
    batch_size: int,
    workers: int | None,
) -> Path:
    """Train (or resume, or reuse) one arm at one seed; its run directory."""
    from harness.training import TrainConfig, train

    cfg = TrainConfig(
        arch=arm.arch,
        role=arm.role,
        models=bindings(arm.arch, base),
        episodes=episodes,
        batch_size=batch_size,
        seed=seed,
        **dict(REWARD),  # type: ignore[arg-type]
    )
    cfg = replace(cfg, **dict(arm.changes))  # type: ignore[arg-type]
    d = train_dir(out, arm, seed)
    # the study evaluates every policy itself, paired, in one comparison (below)
    train(cfg, d, workers=workers or 1, evaluate=False)
    return d


def train_command(
    arm: Arm, seeds: tuple[int, ...], out: Path, base: str, episodes: int, batch_size: int
) -> str:
    """The shell loop that trains `arm` at every seed, as the study did."""
    flags = ["archbench", "train", arm.arch, "--role", arm.role]
    for role, model in bindings(arm.arch, base):
        flags += ["--model", f"{role}={model}"]
    flags += ["--episodes", str(episodes), "--batch-size", str(batch_size)]
    for key, value in {**dict(REWARD), **dict(arm.changes)}.items():
        flags += [f"--{key.replace('_', '-')}", f"{value:g}"]
    body = shlex.join(flags) + f" --seed $s --out {shlex.quote(str(out / 'train'))}/{arm.name}-s$s"
    return f"for s in {' '.join(map(str, seeds))}; do {body}; done"


def curve(d: Path) -> list[dict[str, Any]]:
    path = d / "curve.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def policy(d: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((d / "policy.json").read_text(encoding="utf-8"))
    return data


def with_policy(model: str, path: Path) -> str:
    return f"{model}{'&' if '?' in model else '?'}policy={path}"


def design(
    arch: str, name: str, base: str, trained: Mapping[str, Path] | None = None
) -> ArchitectureSpec:
    """`arch` with every role bound to `base`, and the roles in `trained` to `base` acting
    with that policy file; named `name`."""
    spec = load_architecture(arch)
    roles = {r: base for r in spec.roles}
    for role, path in (trained or {}).items():
        roles[role] = with_policy(base, path / "policy.json")
    return spec.model_copy(update={"name": name, "roles": roles})
