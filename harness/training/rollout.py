"""Run training episodes: episode index -> (world, task, draws), and its score and gradient.

Why its own module: the same `Rollout` runs in the training process, in each worker
process and in each Ray worker, so every episode is computed the same way wherever it
runs. An episode is a pure function of (config, policy parameters, index): its training
world and task come from the index, its draws from the runtime's paired streams, and
nothing a previous episode did in that process is kept (models are made per episode).
Episodes run through the full runtime (`harness.runtime.run_episode`), the same one a
comparison runs; the fast path is only that no result or trace line is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from harness.corpus import Corpus
from harness.errors import ConfigError
from harness.graph import CompiledArchitecture
from harness.registry import ModelBackend, get_model, parse_model_id
from harness.runtime import run_episode
from harness.selection import prepare
from harness.sim.model import SimulatedModel
from harness.sim.strategy import DECISIONS, DecisionLog
from harness.task import TaskSuite
from harness.training.config import TRAIN_SEED_BASE, TrainConfig
from harness.training.policy import Policy
from harness.training.reward import EpisodeScore, score


@dataclass(frozen=True, slots=True)
class EpisodeOut:
    """What a worker ships back per episode: its score and its score-function gradient
    (sum over the trained role's decisions of d log pi / d theta)."""

    index: int
    score: EpisodeScore
    grad: tuple[float, ...]
    decisions: int


def compile_for(cfg: TrainConfig) -> tuple[CompiledArchitecture, str]:
    """The design with its `--model` bindings, and the trained role's base model id."""
    arch = prepare([cfg.arch], dict(cfg.models) or None, dict(cfg.params) or None)[0]
    if cfg.role not in arch.roles:
        known = ", ".join(sorted(arch.roles))
        raise ConfigError(
            f"--role: architecture '{arch.name}' has no role '{cfg.role}' (known: {known})"
        )
    for role, model_id in arch.roles.items():
        mid = parse_model_id(model_id)
        if mid.provider != "mock":
            raise ConfigError(
                f"--model {role}={model_id}: training runs simulated models only (mock/...)"
            )
        if role == cfg.role and any(k == "policy" for k, _ in mid.options):
            raise ConfigError(
                f"--model {role}={model_id}: the trained role's base model cannot carry a policy"
            )
    base = arch.roles[cfg.role]
    get_model(base)  # refuses an unknown preset or a bad option now, with one line
    return arch, base


def train_world(cfg: TrainConfig, world: int) -> TaskSuite:
    """Training world `world`: a generated suite from the reserved seed range."""
    from tasks import generate_suite

    return generate_suite(
        seed=TRAIN_SEED_BASE + 100_000 * cfg.seed + world,
        per_family=cfg.per_family,
        name=f"train{cfg.seed}~t{world}",
    )


class Rollout:
    """Runs a config's training episodes in one process (design compiled, the event loop
    and the last training worlds kept between calls)."""

    def __init__(self, cfg: TrainConfig, template: Policy) -> None:
        self.cfg = cfg
        self.template = template
        self.arch, self.base = compile_for(cfg)
        self.loop = asyncio.new_event_loop()
        self._worlds: dict[int, tuple[TaskSuite, Corpus]] = {}
        self.tasks_per_world = len(self._world(0)[0].tasks)

    def _world(self, w: int) -> tuple[TaskSuite, Corpus]:
        hit = self._worlds.get(w)
        if hit is None:
            if len(self._worlds) >= 2:
                self._worlds.pop(min(self._worlds))
            suite = train_world(self.cfg, w)
            hit = self._worlds[w] = (suite, Corpus.of_suite(suite))
        return hit

    def place(self, index: int) -> tuple[int, int, int]:
        """Episode `index` -> (world, task, run seed): every task of a world with one
        seed, then the next seed, `world_repeats` times, then the next world."""
        n = self.tasks_per_world
        per_world = n * self.cfg.world_repeats
        w, within = divmod(index, per_world)
        rep, task = divmod(within, n)
        return w, task, rep

    def run(self, theta: Sequence[float], indices: Sequence[int]) -> list[EpisodeOut]:
        policy = self.template.with_vector(list(theta))
        return [self.loop.run_until_complete(self._one(policy, i)) for i in indices]

    async def _one(self, policy: Policy, index: int) -> EpisodeOut:
        w, t, rep = self.place(index)
        suite, corpus = self._world(w)
        log = DecisionLog()
        backends: dict[str, ModelBackend] = {}
        for role, model_id in self.arch.roles.items():
            model = get_model(model_id)
            if role == self.cfg.role:
                assert isinstance(model, SimulatedModel)
                model.policy, model.log = policy, log
            backends[role] = model
        episode = await run_episode(
            self.arch, suite.tasks[t], corpus, seed=1000 * self.cfg.seed + rep, backends=backends
        )
        return EpisodeOut(
            index,
            score(self.cfg, episode.result, log.forced),
            gradient(policy, log),
            len(log.records),
        )

    def close(self) -> None:
        self.loop.close()


def gradient(policy: Policy, log: DecisionLog) -> tuple[float, ...]:
    """Sum of d log pi / d theta over the decisions, in a fixed order (branch, step,
    decision) whatever order concurrent branches made them in."""
    k = 1 + len(policy.feature_names)
    g = [0.0] * (k * len(DECISIONS))
    for _where, _step, d, coeff, phi in sorted(log.records, key=lambda r: (r[0], r[1], r[2])):
        base = d * k
        g[base] += coeff
        for j, x in enumerate(phi):
            if x:
                g[base + 1 + j] += coeff * x
    return tuple(g)
