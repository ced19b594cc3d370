"""Wall time of the full `archbench study run scaling-laws` (issue 14: under 15 minutes on
2 cores with workers).

Runs the study as the CLI does (a fresh output directory, so every episode of the grid is
simulated: 7 capability levels x 5 designs x 16 deep tasks x 10 seeds), with `--workers`
worker processes, and reports the wall time, the CPU time of this process and its
children, the episodes, and how long the statistics (the bootstraps and the
leave-one-level-out predictor) took on their own: a second `run` into the same directory
reuses every finished run, so its time is reading the runs back plus the table.

The machine may be shared: the CPU times and the load average (printed) say how much of
the wall time was this run's.

    python bench/study_scaling.py --workers 2 --json study_scaling.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.studies import get_study


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(workers: int, quick: bool, out: Path) -> dict[str, Any]:
    study = get_study("scaling-laws")
    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), cpu_seconds()
    result = study.run(quick, out, workers)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    result.write(out)
    t1 = time.perf_counter()
    again = study.run(quick, out, workers)
    table = time.perf_counter() - t1
    assert again.as_dict()["rows"] == result.as_dict()["rows"]  # reused, not recomputed
    episodes = sum(
        sum(1 for _ in (run / "results.jsonl").open(encoding="utf-8"))
        for run in sorted((out / "runs").iterdir())
    )
    return {
        "workers": workers,
        "quick": quick,
        "episodes": episodes,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "statistics_s": round(table, 1),
        "episodes_per_s": round(episodes / wall, 1),
        "load_avg_1min_before": round(load_before, 2),
        "load_avg_1min_after": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="the quick grid instead")
    parser.add_argument("--out", type=Path, help="keep the study here (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "scaling-laws"
        row = measure(args.workers, args.quick, out)
    print(json.dumps(row, indent=2))
    if args.json:
        args.json.write_text(json.dumps(row, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
