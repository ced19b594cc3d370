"""Where training episodes run: this process, worker processes, or Ray.

Why the result cannot depend on it: a batch is split into contiguous chunks of episode
indices, each chunk runs wherever it is sent, and the per-episode outputs come back in
index order; the trainer sums gradients in that order. The batch size is the config's,
never the worker count's, so 1 worker, N workers and Ray make the same policy bit for bit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from harness.errors import ConfigError
from harness.training.config import TrainConfig
from harness.training.policy import Policy, policy_from_json
from harness.training.rollout import EpisodeOut, Rollout


class Runner(Protocol):
    def run(self, theta: Sequence[float], indices: Sequence[int]) -> list[EpisodeOut]: ...

    def close(self) -> None: ...


_LOCAL: dict[str, Rollout] = {}  # in a worker process: the config's rollout


def _build(payload: str) -> Rollout:
    hit = _LOCAL.get(payload)
    if hit is None:
        data = json.loads(payload)
        cfg = TrainConfig.from_json(data["config"])
        hit = Rollout(cfg, policy_from_json(data["template"], "policy template"))
        _LOCAL.clear()
        _LOCAL[payload] = hit
    return hit


def _init(payload: str) -> None:
    _build(payload)


def _chunk(payload: str, theta: list[float], indices: list[int]) -> list[EpisodeOut]:
    return _build(payload).run(theta, indices)


def _pool_chunk(args: tuple[str, list[float], list[int]]) -> list[EpisodeOut]:
    return _chunk(*args)


def chunks(indices: Sequence[int], parts: int) -> list[list[int]]:
    """Contiguous, nearly equal slices, in order."""
    n = len(indices)
    parts = max(1, min(parts, n))
    out, start = [], 0
    for k in range(parts):
        size = n // parts + (1 if k < n % parts else 0)
        out.append(list(indices[start : start + size]))
        start += size
    return out


class ProcessRunner:
    """A persistent pool of `workers` processes, each with its own `Rollout`."""

    def __init__(self, cfg: TrainConfig, template: Policy, workers: int) -> None:
        from harness.execution.processes import mp_context

        self.payload = json.dumps({"config": cfg.to_json(), "template": template.to_json()})
        self.workers = workers
        self.pool = mp_context().Pool(workers, initializer=_init, initargs=(self.payload,))

    def run(self, theta: Sequence[float], indices: Sequence[int]) -> list[EpisodeOut]:
        jobs = [(self.payload, list(theta), c) for c in chunks(indices, self.workers * 2)]
        return [out for part in self.pool.map(_pool_chunk, jobs) for out in part]

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


class RayRunner:
    """Chunks as Ray tasks (a local Ray instance with `workers` CPUs, or RAY_ADDRESS)."""

    def __init__(self, cfg: TrainConfig, template: Policy, workers: int) -> None:
        from harness.execution.ray_exec import import_ray

        ray = import_ray()
        if not ray.is_initialized():
            ray.init(
                num_cpus=workers,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
        self.ray = ray
        self.workers = workers
        self.payload = json.dumps({"config": cfg.to_json(), "template": template.to_json()})
        self.remote: Any = ray.remote(num_cpus=1, max_retries=3)(_chunk)

    def run(self, theta: Sequence[float], indices: Sequence[int]) -> list[EpisodeOut]:
        refs = [
            self.remote.remote(self.payload, list(theta), c)
            for c in chunks(indices, self.workers * 2)
        ]
        return [out for part in self.ray.get(refs) for out in part]

    def close(self) -> None:
        pass


def check_execution(workers: int, executor: str) -> None:
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    if executor not in ("process", "processes", "local", "ray"):
        raise ConfigError(f"--executor: unknown executor {executor!r} (known: process, ray)")


def make_runner(cfg: TrainConfig, template: Policy, workers: int, executor: str) -> Runner:
    check_execution(workers, executor)
    if executor == "ray":
        return RayRunner(cfg, template, workers)
    if workers == 1:
        return Rollout(cfg, template)
    return ProcessRunner(cfg, template, workers)
