"""CPU cost of the default comparison (720 simulated episodes), in this checkout and,
optionally, in another one, interleaved so that both see the same machine load.

CPU seconds (user + system) of the comparison itself, measured inside a fresh process
after a warm-up run: less sensitive than wall time to other work on a shared machine.

    python bench/sim_cost.py                          # this checkout, median of 5
    python bench/sim_cost.py --against /tmp/old-tree  # and another checkout, interleaved
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

_CHILD = """
import resource, sys
sys.path.insert(0, sys.argv[1])
import harness
harness.compare(suite="default", seeds=1)
r0 = resource.getrusage(resource.RUSAGE_SELF)
harness.compare(suite="default", seeds=3)
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
"""


def cpu_seconds(tree: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tree)], check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout to measure beside this")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent
    trees = [here, *([args.against.resolve()] if args.against else [])]
    samples: dict[Path, list[float]] = {t: [] for t in trees}
    for _ in range(args.repeat):
        for tree in trees:
            samples[tree].append(cpu_seconds(tree))
    for tree, values in samples.items():
        values.sort()
        print(
            f"{tree}: median {statistics.median(values):.2f} s CPU "
            f"(min {values[0]:.2f}, max {values[-1]:.2f}, n={len(values)})"
        )


if __name__ == "__main__":
    main()
