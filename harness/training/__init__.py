"""End-to-end RL for simulated agents: a trainable strategy policy and its REINFORCE trainer.

    >>> from harness.training import TrainConfig, train
    >>> result = train(TrainConfig(arch="kimi-researcher", role="agent", episodes=2000),
    ...                Path("runs/t"))  # doctest: +SKIP

The trained policy is a model: `mock/kimi-k2?policy=runs/t/policy.json`. See
docs/training.md.
"""

from harness.training.config import TrainConfig
from harness.training.policy import Policy, load_policy
from harness.training.trainer import TrainResult, train

__all__ = ["Policy", "TrainConfig", "TrainResult", "load_policy", "train"]
