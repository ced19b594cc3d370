"""Throughput of the simulated comparison: episodes per second with 1 and N workers.

Runs `harness.compare` as `archbench compare` runs it (no results kept in memory, a
progress hook per episode) on the default suite, once per worker count, best of
`--repeat`, without and with a run directory (`--out` writes every result and trace),
and checks that the summaries (and, with a run directory, every file) of every worker
count are byte-identical to the single-worker run's.

    python bench/throughput.py          # the default comparison: 4 archs x 60 tasks x 3 seeds
    python bench/throughput.py --seeds 30 --workers 1 2 --json throughput.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def run(seeds: int, workers: int, out: Path | None) -> tuple[float, int, str, bytes]:
    from harness import compare

    seen = [0]

    def on_progress(done: int, total: int, key: object) -> None:  # as the CLI's bar
        seen[0] = done

    t0 = time.perf_counter()
    result = compare(
        seeds=seeds, workers=workers, out=out, keep_results=False, on_progress=on_progress
    )
    wall = time.perf_counter() - t0
    n = sum(s.episodes for s in result.summaries)
    assert seen[0] == n
    summary = json.dumps(result.summary_json(), sort_keys=True)
    files = b""
    if out is not None:
        files = (out / "results.jsonl").read_bytes() + (out / "traces.jsonl").read_bytes()
    return wall, n, summary, files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    import harness  # noqa: F401  (imported once, outside the timings)

    rows: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="archbench-throughput-"))
    try:
        for with_dir in (False, True):
            reference: tuple[str, bytes] | None = None
            base = 0.0
            for w in args.workers:
                best = float("inf")
                for k in range(args.repeat):
                    out = tmp / f"w{w}-{k}" if with_dir else None
                    wall, n, summary, files = run(args.seeds, w, out)
                    if out is not None:
                        shutil.rmtree(out)
                    best = min(best, wall)
                    if reference is None:
                        reference = (summary, files)
                    elif (summary, files) != reference:
                        sys.exit(f"workers={w}: results differ from the first run's")
                base = base or best
                rows.append(
                    {
                        "run_dir": with_dir,
                        "workers": w,
                        "episodes": n,
                        "seconds": round(best, 3),
                        "episodes_per_s": round(n / best, 1),
                        "speedup": round(base / best, 2),
                    }
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"default suite, {args.seeds} seeds, {os.cpu_count()} CPUs; identical results: yes")
    print(
        f"{'run dir':<8} {'workers':>7} {'episodes':>8} {'seconds':>8} {'eps/s':>8} {'speedup':>8}"
    )
    for r in rows:
        print(
            f"{'yes' if r['run_dir'] else 'no':<8} {r['workers']:>7} {r['episodes']:>8} "
            f"{r['seconds']:>8.2f} {r['episodes_per_s']:>8.0f} {r['speedup']:>7.2f}x"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
