"""Predictive check of a fitted profile: does the simulation fitted to a model's recorded
run predict that model on tasks and architectures it was not fitted on?

1. Record a training run: kimi-researcher (`--train-arch`) with every role on the true
   model, on the odd-numbered tasks of each family (`--served`: the true model behind
   `archbench serve`, called through the real-backend path with `--record`; default: in
   process).
2. `fit_profile` on it (role `--train-role`, default agent).
3. Held out: the even-numbered tasks, on `--archs` (every role bound to the model), once
   with the true model and once with `mock/profile?file=FITTED`, same seeds.
4. Per architecture and task family: accuracy, steps and tokens of both, and the paired
   difference (fitted - true) with a 95% bootstrap interval over tasks (a task's seeds
   resampled with it). Draws are paired by position, so a difference is the parameters'.

    python scripts/fit_check.py                                   # qwen-plus, in process
    python scripts/fit_check.py --true mock/deepseek-r1 --served --json check.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

import harness
from harness.fitting.fit import fit_profile
from harness.fitting.profile_file import write_profile
from harness.suites import load_suite
from harness.trace import EpisodeResult

FAMILIES = ("lookup", "multi_hop", "breadth", "conflict", "dead_end")


def split_tasks(suite: str) -> tuple[list[str], list[str]]:
    ids = [t.id for t in load_suite(suite).tasks]
    train = [i for i in ids if int(i.rsplit("-", 1)[1]) % 2 == 1]
    return train, [i for i in ids if i not in train]


def run(
    archs: list[str], model: str, tasks: list[str], seeds: int, out: Path | None, record: bool
) -> list[EpisodeResult]:
    result = harness.compare(
        archs,
        seeds=seeds,
        tasks=tasks,
        models={"*": model},
        out=out,
        record=record,
        cache=False,
        concurrency=8 if record else 1,
    )
    return list(result.results)


def paired(
    true: list[EpisodeResult], fit: list[EpisodeResult], reps: int, seed: int
) -> dict[str, Any]:
    """Means of both and the paired difference's bootstrap interval, clustered by task."""
    by_task: dict[str, list[tuple[float, float, float, float, float, float]]] = defaultdict(list)
    fitted = {(r.architecture, r.task_id, r.seed): r for r in fit}
    for a in true:
        b = fitted[(a.architecture, a.task_id, a.seed)]
        by_task[a.task_id].append(
            (
                float(a.correct),
                float(b.correct),
                a.totals.steps,
                b.totals.steps,
                a.totals.total_tokens,
                b.totals.total_tokens,
            )
        )
    tasks = sorted(by_task)
    arr = [np.array(by_task[t], dtype=np.float64) for t in tasks]
    rows = np.concatenate(arr)
    rng = np.random.Generator(np.random.PCG64(seed))
    diffs = []
    for _ in range(reps):
        pick = rng.integers(0, len(tasks), size=len(tasks))
        sample = np.concatenate([arr[i] for i in pick])
        diffs.append(sample[:, 1::2].mean(axis=0) - sample[:, 0::2].mean(axis=0))
    d = np.array(diffs)
    lo, hi = np.percentile(d, [2.5, 97.5], axis=0)
    out: dict[str, Any] = {"episodes": len(rows)}
    for j, name in enumerate(("accuracy", "steps", "tokens")):
        t_mean, f_mean = rows[:, 2 * j].mean(), rows[:, 2 * j + 1].mean()
        out[name] = {
            "true": round(float(t_mean), 4),
            "fitted": round(float(f_mean), 4),
            "diff": round(float(f_mean - t_mean), 4),
            "ci": [round(float(lo[j]), 4), round(float(hi[j]), 4)],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--true", default="mock/qwen-plus", help="the model to fit (mock/...)")
    parser.add_argument("--suite", default="default")
    parser.add_argument("--train-seeds", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=3, help="seeds of the held-out runs")
    parser.add_argument(
        "--archs", default="kimi-researcher,manus-workflow,orchestrator-workers,verifier-loop"
    )
    parser.add_argument("--served", action="store_true", help="train over the wire, recorded")
    parser.add_argument(
        "--train-arch", default="kimi-researcher", help="design of the training run"
    )
    parser.add_argument("--train-role", default="agent", help="role fitted in the training run")
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    archs = args.archs.split(",")
    train, held = split_tasks(args.suite)
    tmp = Path(tempfile.mkdtemp(prefix="fit-check-"))
    train_dir = tmp / "train"
    if args.served:
        from harness.serve import ServerThread, served_model

        server = ServerThread(served_model(args.true, args.suite))
        url = server.start()
        try:
            name = args.true.split("/", 1)[1]
            model = f"openai-compatible/{name}@{url}?call_info=true"
            run([args.train_arch], model, train, args.train_seeds, train_dir, True)
        finally:
            server.stop()
    else:
        run([args.train_arch], args.true, train, args.train_seeds, train_dir, False)
    doc = fit_profile(train_dir, args.train_role, seed=0)
    profile = tmp / "fitted.json"
    write_profile(profile, doc)
    fitted_id = f"mock/profile?file={profile}"
    report: dict[str, Any] = {
        "true": args.true,
        "served": args.served,
        "trained_on": f"{args.train_arch}:{args.train_role}",
        "train_tasks": len(train),
        "held_out_tasks": len(held),
        "fitted": {k: v for k, v in doc["parameters"].items() if doc["identified"][k]},
        "intervals": {k: v for k, v in doc["intervals"].items() if doc["identified"][k]},
        "rows": [],
    }
    true_res = run(archs, args.true, held, args.seeds, None, False)
    fit_res = run(archs, fitted_id, held, args.seeds, None, False)
    print(f"true {args.true}; fitted on {len(train)} tasks: {report['fitted']}")
    header = f"{'architecture':22} {'family':10} {'acc true':>8} {'fitted':>7}"
    header += f" {'diff [95% CI]':>22}"
    print(header + f" {'steps t/f':>11} {'tokens t/f':>15}")
    for arch in archs:
        for fam in (*FAMILIES, "all"):

            def keep(r: EpisodeResult, a: str = arch, f: str = fam) -> bool:
                return r.architecture == a and (f == "all" or r.family == f)

            row = paired(
                [r for r in true_res if keep(r)],
                [r for r in fit_res if keep(r)],
                args.bootstrap,
                0,
            )
            row.update(architecture=arch, family=fam)
            report["rows"].append(row)
            acc = row["accuracy"]
            ci = f"{acc['diff']:+.3f} [{acc['ci'][0]:+.3f}, {acc['ci'][1]:+.3f}]"
            print(
                f"{arch:22} {fam:10} {acc['true']:8.3f} {acc['fitted']:7.3f} {ci:>22} "
                f"{row['steps']['true']:5.1f}/{row['steps']['fitted']:<5.1f} "
                f"{row['tokens']['true']:7.0f}/{row['tokens']['fitted']:<7.0f}"
            )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
