"""Speed of `archbench fit` on a 1,000-episode recording (issue 16: under 30 s on 2 cores).

Makes the recording once (kimi-researcher with its agent on mock/qwen-plus, the default
suite, 17 seeds: 1,020 episodes; not timed), then times `fit_profile` on it: classifying
every decision (rebuilding each step's context from the corpus) and the maximum-likelihood
fit with 100 bootstrap refits. Wall time and CPU time (user + system) of the fit, median
of `--repeat` runs; the machine may be shared, so CPU time is the steadier number.

    python bench/fit_speed.py                 # default: 17 seeds, 100 resamples, 3 repeats
    python bench/fit_speed.py --arch manus-workflow --role worker
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import harness
from harness.fitting.classify import classify_run
from harness.fitting.fit import fit_profile
from harness.fitting.runs import load_run


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="kimi-researcher")
    parser.add_argument("--role", default="agent")
    parser.add_argument("--model", default="mock/qwen-plus")
    parser.add_argument("--seeds", type=int, default=17)
    parser.add_argument("--bootstrap", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fit-speed-"))
    try:
        run = tmp / "run"
        harness.compare(
            [args.arch], seeds=args.seeds, models={args.role: args.model}, out=run, cache=False
        )
        walls, cpus, classify = [], [], []
        for _ in range(args.repeat):
            w0, c0 = time.perf_counter(), cpu()
            d = classify_run(load_run(run), args.role)
            classify.append(time.perf_counter() - w0)
            w0, c0 = time.perf_counter(), cpu()
            doc = fit_profile(run, args.role, reps=args.bootstrap)
            walls.append(time.perf_counter() - w0)
            cpus.append(cpu() - c0)
        n = doc["source"]["episodes"]
        print(
            f"{args.arch}/{args.role} ({args.model}): {n} episodes, "
            f"{len(d.act.get('ep', []))} research and {len(d.coord.get('ep', []))} coordination "
            f"decisions, {args.bootstrap} resamples: fit {statistics.median(walls):.1f} s wall, "
            f"{statistics.median(cpus):.1f} s CPU (classification alone "
            f"{statistics.median(classify):.1f} s wall); median of {args.repeat}"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
