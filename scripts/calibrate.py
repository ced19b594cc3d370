"""Run the calibration grid searches committed in harness/studies/calibration.py.

    python scripts/calibrate.py [NAME ...] [--workers N] [--keep DIR]

For each calibration (all of them by default: `kimi-researcher`, `orchestrator-effort`)
every grid point runs the design on the calibration tasks (world 1 of the deep suite, the
same tasks and seeds at every point: paired), and the point with the smallest loss (sum of
the targets' misses, in band widths; ties go to the point listed first, i.e. nearest the
current values) is chosen, unless it meets no target the current values miss: then the
current values stay (`Calibration.choose`). It prints one line per grid point and then
the chosen values with each target's fitted figure and whether it lies in its committed
band. Deterministic: the same code prints the same output. Nothing is written to the
repository: freezing the chosen values in a preset or design is a separate, reviewed
commit.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from harness.studies.calibration import CALIBRATIONS, Calibration, evaluate


def search(cal: Calibration, root: Path, workers: int | None) -> dict[str, float]:
    print(f"== {cal.name}: {cal.design} on deep world 1, {len(cal.grid())} grid points")
    for t in cal.targets:
        print(f"   target {t.id}: {t.published} (band {t.lo:g}-{t.hi:g}) [{t.claim}]")
    scored: list[tuple[dict[str, float], dict[str, float]]] = []
    for i, point in enumerate(cal.grid()):
        values = evaluate(cal, point, root / cal.name / f"p{i:03d}", workers=workers)
        loss = cal.loss(values)
        shown = " ".join(f"{k.split(':', 1)[1]}={v:g}" for k, v in point.items())
        figures = " ".join(f"{k}={v:.2f}" for k, v in values.items())
        print(f"   [{i:3d}] {shown}: {figures} loss={loss:.3f}", flush=True)
        scored.append((point, values))
    i = cal.choose(scored)
    point, values = scored[i]
    print(f"-> chosen [{i}] (loss {cal.loss(values):.3f}):")
    for k, v in point.items():
        print(f"   {k} = {v:g}")
    for t in cal.targets:
        ok = "met" if t.met(values[t.id]) else "NOT met"
        print(f"   {t.id}: {values[t.id]:.2f} vs {t.published} (band {t.lo:g}-{t.hi:g}): {ok}")
    for u in cal.unmatched:
        print(f"   not fitted: {u}")
    return point


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"calibrations (default all: {list(CALIBRATIONS)})")
    ap.add_argument("--workers", type=int, default=None, help="worker processes per run")
    ap.add_argument("--keep", type=Path, default=None, help="keep the run directories here")
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in CALIBRATIONS]
    if unknown:
        print(f"calibrate: unknown calibration '{unknown[0]}' (known: {', '.join(CALIBRATIONS)})")
        return 2
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for name in args.names or list(CALIBRATIONS):
            search(CALIBRATIONS[name], root, args.workers)
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
