"""Report scaling: seconds and peak RSS of `archbench report RUN_DIR` as the run grows.

Writes a run of about each requested episode count with the CLI (`archbench compare
--seeds K --out DIR --no-report -q`; the default suite gives 240 episodes per seed: 4
architectures x 60 tasks), then times `archbench report DIR` in its own process and
samples its resident memory every 20 ms with psutil (the `bench` extra). The report should
grow linearly in time with the episodes and its memory should stay well below the size
of the run's files (traces are folded as they are read; only the paged ones are kept).
Reports, per run: episodes, run-directory size, report seconds, peak RSS, trace pages.

    python bench/report_scale.py                            # 2,400 and 24,000 episodes
    python bench/report_scale.py --episodes 2400 --traces all
    python bench/report_scale.py --keep /tmp/runs            # keep (and reuse) the runs
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
CLI = [sys.executable, "-c", "from harness.cli import main; main()"]


def make_run(seeds: int, out: Path) -> None:
    """A finished run of `seeds` seeds in `out` (reused when `out` already holds one)."""
    if (out / "summary.json").exists():
        return
    if out.exists():
        shutil.rmtree(out)
    cmd = [*CLI, "compare", "--seeds", str(seeds), "--out", str(out), "--no-report", "-q"]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")


def time_report(run: Path, traces: str) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes) of `archbench report RUN --traces N`."""
    cmd = [*CLI, "report", str(run), "--traces", traces]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()}")
    return wall, peak


def measure(episodes: int, traces: str, keep: Path | None) -> dict[str, Any]:
    seeds = max(1, math.ceil(episodes / PER_SEED))
    base = keep if keep is not None else Path(tempfile.mkdtemp(prefix="archbench-report-"))
    run = base / f"episodes-{seeds * PER_SEED}"
    try:
        make_run(seeds, run)
        wall, peak = time_report(run, traces)
        pages = len(list((run / "report" / "traces").glob("*.html")))
        size = sum(p.stat().st_size for p in run.iterdir() if p.is_file())
    finally:
        if keep is None:
            shutil.rmtree(base)
    mb = 1024 * 1024
    return {
        "episodes": seeds * PER_SEED,
        "seeds": seeds,
        "run_dir_mb": round(size / mb, 1),
        "report_seconds": round(wall, 1),
        "peak_rss_mb": round(peak / mb, 1),
        "trace_pages": pages,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--episodes", type=int, nargs="+", default=[2_400, 24_000])
    ap.add_argument("--traces", default="300", help="the report's --traces (N or 'all')")
    ap.add_argument("--keep", type=Path, help="keep the runs in this directory (and reuse them)")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    rows = [measure(n, args.traces, args.keep) for n in args.episodes]
    print(f"{'episodes':>9} {'run dir MB':>10} {'report s':>9} {'peak RSS MB':>11} {'pages':>6}")
    for r in rows:
        print(
            f"{r['episodes']:>9,} {r['run_dir_mb']:>10.1f} {r['report_seconds']:>9.1f} "
            f"{r['peak_rss_mb']:>11.1f} {r['trace_pages']:>6}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
