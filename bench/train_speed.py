"""Training speed: episodes per second of `harness.training.train`, with 1 and N workers.

Trains the kimi-researcher agent from mock/kimi-k2 (no evaluation) for `--episodes`
episodes per worker count, in a fresh run directory each time, and checks that every
worker count trained the byte-identical policy (the trainer's determinism promise).
The target (issue 15): 20,000 episodes on 2 cores in under 3 minutes.

    python bench/train_speed.py                          # 20,000 episodes, 2 workers
    python bench/train_speed.py --episodes 4000 --workers 1 2
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def cpu_seconds() -> float:
    """CPU time of this process and its reaped workers: on a machine other jobs load, what
    the training itself cost (wall time there measures the neighbours too)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(episodes: int, workers: int, root: Path) -> tuple[float, float, bytes]:
    from harness.training import TrainConfig, train

    cfg = TrainConfig(
        arch="kimi-researcher",
        role="agent",
        models=(("agent", "mock/kimi-k2"),),
        episodes=episodes,
        eval_suites=(),
    )
    out = root / f"w{workers}"
    t0, c0 = time.perf_counter(), cpu_seconds()
    train(cfg, out, workers=workers)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    return wall, cpu, (out / "policy.json").read_bytes()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=20_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[2])
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    policies: list[bytes] = []
    with tempfile.TemporaryDirectory() as tmp:
        for w in args.workers:
            wall, cpu, policy = run(args.episodes, w, Path(tmp))
            policies.append(policy)
            print(
                f"workers {w}: {args.episodes} episodes in {wall:.1f} s wall "
                f"({args.episodes / wall:.0f} episodes/s), {cpu:.1f} CPU-s "
                f"({args.episodes / cpu:.0f} episodes per CPU-second; on {w} idle cores "
                f"about {cpu / w:.0f} s)"
            )
    same = all(p == policies[0] for p in policies)
    print(f"same policy for every worker count: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
