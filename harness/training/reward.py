"""The reward of one episode, as Kimi-Researcher's report describes it.

- correctness as the harness scores it (`harness.scoring`): 1 for a correct answer;
- gamma decay: a correct answer earns `gamma ** (steps - 1)`, so of two correct
  trajectories the shorter earns more (the report decays the reward per step from the
  end; at the trajectory's first step that is the same factor);
- format penalties: `format_penalty` per invalid tool call, per answer the iteration limit
  forced (the loop's last step), and once for an episode its token budget or context
  window ended;
- an optional cost: `token_cost` per 1,000 tokens used.

Steps and tokens are the whole episode's (every role's): in a workflow the trained role is
rewarded for the pipeline's end result and pays for what the pipeline spent.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.trace import EpisodeResult
from harness.training.config import TrainConfig


@dataclass(frozen=True, slots=True)
class EpisodeScore:
    reward: float
    correct: bool
    steps: int
    tokens: int


def score(cfg: TrainConfig, result: EpisodeResult, forced: int) -> EpisodeScore:
    steps = result.totals.steps
    tokens = result.totals.input_tokens + result.totals.output_tokens
    reward = cfg.gamma ** max(0, steps - 1) if result.correct else 0.0
    faults = result.tool_errors + forced
    if result.outcome in ("budget_exhausted", "context_overflow"):
        faults += 1
    reward -= cfg.format_penalty * faults
    reward -= cfg.token_cost * tokens / 1000.0
    return EpisodeScore(reward, result.correct, steps, tokens)
