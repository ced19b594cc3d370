"""Memory: peak RSS of `archbench compare --out` (or `archbench sweep`) as the run grows.

Runs the CLI (the default suite's 4 architectures x 60 tasks, `--seeds` chosen to give
about the requested episode counts) with results and traces written to a run directory,
and samples the resident memory of the whole process tree (the parent and its workers)
every 20 ms with psutil (the `bench` extra). The run only (`--no-report`): the HTML report
is a separate step, measured by bench/report_scale.py. Reports, per run: episodes, seconds, the
parent's peak RSS, the largest worker's, the tree's peak total, and the ratio to the
smallest run's. Target: 100,000 episodes at most 1.5x the memory of 1,000.

    python bench/memory.py                          # 1,000 and 100,000 episodes, 2 workers
    python bench/memory.py --episodes 1000 10000 --workers 1
    python bench/memory.py --sweep 4                # a sweep of 4 cells (max_steps=8..11)
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

PER_SEED = 240  # 4 architectures x 60 tasks of the default suite


def measure(episodes: int, workers: int, keep: Path | None, cells: int = 0) -> dict[str, Any]:
    per_seed = PER_SEED * max(1, cells)
    seeds = max(1, math.ceil(episodes / per_seed))
    out = Path(tempfile.mkdtemp(prefix="archbench-memory-")) / "run"
    cmd = [sys.executable, "-c", "from harness.cli import main; main()"]
    if cells:
        axis = ",".join(str(8 + i) for i in range(cells))
        cmd += ["sweep", f"max_steps={axis}", "-q", "--no-report", "--seeds", str(seeds)]
        cmd += ["--workers", str(workers), "--out", str(out)]
    else:
        cmd += ["compare", "-q", "--no-report", "--seeds", str(seeds), "--workers", str(workers)]
        cmd += ["--out", str(out), "--json", str(out.parent / "s.json")]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    peak_parent = peak_worker = peak_total = 0
    while proc.poll() is None:
        try:
            rss_parent = parent.memory_info().rss
            workers_rss = [c.memory_info().rss for c in parent.children(recursive=True)]
        except psutil.Error:
            continue
        peak_parent = max(peak_parent, rss_parent)
        peak_worker = max([peak_worker, *workers_rss])
        peak_total = max(peak_total, rss_parent + sum(workers_rss))
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode})")
    sizes = {p: p.stat().st_size for p in out.rglob("*") if p.is_file()}
    if keep is not None and not cells:
        shutil.copy(out / "summary.json", keep / f"summary-{episodes}.json")
    shutil.rmtree(out.parent)
    mb = 1024 * 1024
    return {
        "episodes": seeds * per_seed,
        "cells": cells,
        "seeds": seeds,
        "workers": workers,
        "seconds": round(wall, 1),
        "episodes_per_s": round(seeds * per_seed / wall),
        "peak_parent_mb": round(peak_parent / mb, 1),
        "peak_worker_mb": round(peak_worker / mb, 1),
        "peak_total_mb": round(peak_total / mb, 1),
        "run_dir_mb": round(sum(sizes.values()) / mb),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--episodes", type=int, nargs="+", default=[1_000, 100_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--sweep", type=int, default=0, metavar="CELLS", help="measure a sweep of CELLS cells"
    )
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    rows = [measure(n, args.workers, None, args.sweep) for n in args.episodes]
    base = rows[0]
    print(
        f"{'episodes':>9} {'wkrs':>4} {'seconds':>8} {'eps/s':>6} {'parent MB':>9} "
        f"{'worker MB':>9} {'total MB':>8} {'vs first':>8} {'run dir MB':>10}"
    )
    for r in rows:
        r["ratio_total"] = round(r["peak_total_mb"] / base["peak_total_mb"], 2)
        print(
            f"{r['episodes']:>9,} {r['workers']:>4} {r['seconds']:>8.1f} {r['episodes_per_s']:>6} "
            f"{r['peak_parent_mb']:>9.1f} {r['peak_worker_mb']:>9.1f} {r['peak_total_mb']:>8.1f} "
            f"{r['ratio_total']:>7.2f}x {r['run_dir_mb']:>10}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
