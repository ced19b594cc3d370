"""How the cost of a simulated run grows: with tasks, with steps per task, with agents.

    tasks       episodes/s of one architecture over 1, 3 and 10 seeds of the default suite
                (60, 180, 600 episodes): constant, so time is linear in episodes
    steps       kimi-researcher with max_steps 4 / 8 / 16 / 30 and a small context threshold:
                time per episode against model calls per episode
    agents      each built-in architecture (1 to 1 + N agents per episode): time per
                episode against model calls, and microseconds per call

One process (no workers), best of `--repeat`. The simulated models' own work (policy,
search over the corpus) is included: it is what a user's run costs.

    python bench/scaling.py --json scaling.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from harness import compare


def timed(repeat: int, **kwargs: Any) -> tuple[float, int, int]:
    best = float("inf")
    episodes = steps = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = compare(keep_results=False, **kwargs)
        best = min(best, time.perf_counter() - t0)
        episodes = sum(s.episodes for s in result.summaries)
        steps = round(sum(s.mean_steps * s.episodes for s in result.summaries))
    return best, episodes, steps


def row(kind: str, label: str, wall: float, episodes: int, steps: int) -> dict[str, Any]:
    return {
        "axis": kind,
        "setting": label,
        "episodes": episodes,
        "seconds": round(wall, 3),
        "ms_per_episode": round(wall / episodes * 1000, 3),
        "steps_per_episode": round(steps / episodes, 2),
        "us_per_step": round(wall / steps * 1e6, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    compare(["kimi-researcher"], seeds=1)  # warm imports
    rows = []
    for seeds in (1, 3, 10):
        wall, n, steps = timed(args.repeat, architectures=["kimi-researcher"], seeds=seeds)
        rows.append(row("tasks", f"{n} episodes", wall, n, steps))
    for max_steps in (4, 8, 16, 30):
        params = {"max_steps": str(max_steps), "context_threshold": "2000"}
        wall, n, steps = timed(args.repeat, architectures=["kimi-researcher"], params=params)
        rows.append(row("steps", f"max_steps={max_steps}", wall, n, steps))
    for arch in ("kimi-researcher", "minimax-hybrid", "manus-workflow", "orchestrator-workers"):
        wall, n, steps = timed(args.repeat, architectures=[arch])
        rows.append(row("agents", arch, wall, n, steps))
    print(f"{'axis':<7} {'setting':<22} {'episodes':>8} {'ms/episode':>10} {'steps/ep':>8}", end="")
    print(f" {'us/step':>8}")
    for r in rows:
        print(
            f"{r['axis']:<7} {r['setting']:<22} {r['episodes']:>8} {r['ms_per_episode']:>10.2f} "
            f"{r['steps_per_episode']:>8.1f} {r['us_per_step']:>8.0f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
