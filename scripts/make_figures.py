"""Regenerate every figure of docs/findings.md into docs/img/findings/.

    python scripts/make_figures.py                 # run the experiments, (re)write the figures
    python scripts/make_figures.py --runs runs/fig # also keep the run directories (and write
                                                   # each one's HTML report there)
    python scripts/make_figures.py --check         # exit 1 if a figure's numbers are stale

Each experiment is an ordinary `archbench sweep` (or `archbench compare`) run; the command
line that reproduces it is printed next to its figure in docs/findings.md and below. The
figures are deterministic (same code -> same bytes with the same matplotlib). The check
does not compare images, which differ across matplotlib versions: it compares the numbers
behind every figure with docs/img/findings/figures.json, written with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.compare import compare  # noqa: E402
from harness.report.analysis import (  # noqa: E402
    ArchRow,
    CellView,
    analyse_cell,
    curves,
    taxonomy_totals,  # noqa: E402
)
from harness.report.load import RunData, load_run  # noqa: E402
from harness.report.plots import (  # noqa: E402
    Plot,
    colours,
    cost_split_plot,
    curve_plot,
    family_plot,
    latency_tokens_plot,
    pareto_plot,
    taxonomy_plot,
)
from harness.stats import r_squared  # noqa: E402
from harness.sweep import plan_sweep, run_sweep  # noqa: E402

OUT = ROOT / "docs" / "img" / "findings"
ALL = ["kimi-researcher", "manus-workflow", "minimax-hybrid", "orchestrator-workers"]


@dataclass(frozen=True)
class Sweep:
    name: str
    command: str
    grid: list[str]
    archs: list[str] = field(default_factory=lambda: list(ALL))
    models: dict[str, str] = field(default_factory=dict)
    families: list[str] = field(default_factory=list)
    title: str = ""
    spend: str = "cost"


SWEEPS = [
    Sweep(
        "step_budget",
        "archbench sweep max_steps=2,4,6,8,12,20,30 --arch kimi-researcher --out runs/steps",
        ["max_steps=2,4,6,8,12,20,30"],
        ["kimi-researcher"],
        title="Single agent: accuracy vs step budget",
    ),
    Sweep(
        "episode_steps",
        "archbench sweep --budget-steps 4,8,16,32,64 --out runs/episode-steps",
        ["budget_steps=4,8,16,32,64"],
        title="Every design: accuracy vs model calls per episode",
    ),
    Sweep(
        "matched_tokens",
        "archbench sweep --budget-tokens 3000,6000,12000,24000,48000,96000 --out runs/matched",
        ["budget_tokens=3000,6000,12000,24000,48000,96000"],
        title="Accuracy at a matched token budget",
        spend="tokens",
    ),
    Sweep(
        "matched_tokens_same_model",
        "archbench sweep --budget-tokens 6000,12000,24000,48000,96000 "
        "--model '*=mock/claude-sonnet-4' --out runs/matched-sonnet",
        ["budget_tokens=6000,12000,24000,48000,96000"],
        models={"*": "mock/claude-sonnet-4"},
        title="Matched token budget, Sonnet 4 in every role",
        spend="tokens",
    ),
    Sweep(
        "hops",
        "archbench sweep hops=2,3,4 --family multi_hop --out runs/hops",
        ["hops=2,3,4"],
        families=["multi_hop"],
        title="Multi-hop questions: accuracy vs chain length",
    ),
    Sweep(
        "skill",
        "archbench sweep skill=0.6,0.75,0.9 --out runs/skill",
        ["skill=0.6,0.75,0.9"],
        title="Accuracy vs the models' skill (every role)",
    ),
]
DEFAULT_COMMAND = "archbench compare --out runs/default && archbench report runs/default"


def run_all(runs: Path) -> dict[str, RunData]:
    out: dict[str, RunData] = {}
    default = runs / "default"
    if not (default / "summary.json").exists():
        compare(ALL, suite="default", seeds=3, out=default)
    out["default"] = load_run(default)
    for s in SWEEPS:
        d = runs / s.name
        if not (d / "sweep.json").exists():
            plan = plan_sweep(s.grid, architectures=s.archs, models=s.models, families=s.families)
            run_sweep(plan, d)
        out[s.name] = load_run(d)
    return out


def _row_data(r: ArchRow) -> dict[str, Any]:
    acc = r.accuracy
    return {
        "arch": r.arch,
        "labels": r.labels,
        "accuracy": None if acc is None else [acc.mean, acc.lo, acc.hi],
        "cost": r.mean_cost,
        "tokens": round(r.tokens, 3),
        "latency": round(r.latency, 3),
    }


def figures(runs: dict[str, RunData]) -> tuple[list[Plot], dict[str, Any]]:
    """Every figure, and the numbers each one draws (for --check)."""
    plots: list[Plot] = []
    data: dict[str, Any] = {}
    palette = colours(ALL)
    for s in SWEEPS:
        run = runs[s.name]
        views = [analyse_cell(c) for c in run.cells]
        axis = run.varying[0]
        lines = curves(run, views, axis)
        plot = curve_plot(lines, axis, palette, name=s.name, title=s.title, spend=s.spend)
        assert plot is not None
        plots.append(plot)
        data[s.name] = [_row_data(r) for c in lines for _, r in c.points]
    run = runs["default"]
    view: CellView = analyse_cell(run.cells[0])
    results = {a: run.cells[0].of(a) for a in ALL}
    for plot in (
        pareto_plot(view.rows, palette, sweep=False),
        latency_tokens_plot(results, palette),
        cost_split_plot(view.rows, sweep=False),
        family_plot(view.families, ALL),
        taxonomy_plot(view.taxonomy, palette),
    ):
        assert plot is not None
        plots.append(plot)
    data["default"] = [_row_data(r) for r in view.rows]
    data["families"] = {
        f.family: {a: [e.mean, e.lo, e.hi] for a, e in f.accuracy.items()} for f in view.families
    }
    data["taxonomy"] = {a: dict(sorted(c.items())) for a, c in taxonomy_totals([view]).items()}
    data["cost_split"] = {r.arch: [r.cost_by_model, r.cost_by_role] for r in view.rows}
    matched = data["matched_tokens"]
    data["r2_accuracy_tokens_matched"] = r_squared(
        [p["tokens"] for p in matched], [p["accuracy"][0] for p in matched]
    )
    return plots, data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=Path, help="keep the run directories (and reports) here")
    ap.add_argument("--check", action="store_true", help="exit 1 if the figures are stale")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs_dir = args.runs or Path(tmp)
        runs = run_all(runs_dir)
        plots, data = figures(runs)
        text = json.dumps(data, indent=1, sort_keys=True) + "\n"
        if args.check:
            committed = OUT / "figures.json"
            stale = not committed.exists() or committed.read_text() != text
            missing = [p.name for p in plots if not (OUT / f"{p.name}.svg").exists()]
            if stale or missing:
                print(f"figures are stale (missing: {missing or 'none'}); run {__file__}")
                return 1
            print("figures are up to date")
            return 0
        OUT.mkdir(parents=True, exist_ok=True)
        for p in plots:
            p.write(OUT)
        (OUT / "figures.json").write_text(text)
        if args.runs:
            from harness.report import write_report

            for name in runs:
                print(f"report: {write_report(runs_dir / name)}")
    print(f"wrote {len(plots)} figures (SVG and PNG) to {OUT.relative_to(ROOT)}/")
    print(f"R^2 of accuracy on tokens, matched-budget sweep: {data['r2_accuracy_tokens_matched']}")
    for s in SWEEPS:
        print(f"{s.name}: {s.command}")
    print(f"default: {DEFAULT_COMMAND}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
