"""Regenerate every figure of docs/findings.md into docs/img/findings/.

    python scripts/make_figures.py                        # run the experiments, write the figures
    python scripts/make_figures.py --cache runs/findings.pkl  # reuse scripts/findings.py's runs
    python scripts/make_figures.py --check                # exit 1 if a figure's numbers are stale

The figures draw the same runs as the tables of scripts/findings.py: 5 generated worlds x
10 seeds per setting (about ten minutes on two cores; with `--cache FILE`, the runs that
`scripts/findings.py --cache FILE` made are reused while harness/, architectures/ and tasks/
are unchanged). Bands and bars are 95% intervals from the two-stage bootstrap over (world,
task) units and their seeds. The figures are deterministic (same code -> same bytes with the
same matplotlib). The check does not compare images, which differ across matplotlib
versions: it compares the numbers behind every figure with docs/img/findings/figures.json,
written with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import findings as F  # noqa: E402
import matplotlib  # noqa: E402

from harness.report.analysis import ArchRow, Curve  # noqa: E402
from harness.report.plots import (  # noqa: E402
    RC,
    Plot,
    _figure,
    _finish,
    colours,
    cost_split_plot,
    curve_plot,
    family_plot,
    latency_tokens_plot,
    pareto_plot,
    taxonomy_plot,
)
from harness.stats import Estimate, FamilyResult, r_squared  # noqa: E402

OUT = ROOT / "docs" / "img" / "findings"
ALL = F.ALL


def arch_row(r: F.Run, labels: dict[str, str] | None = None) -> ArchRow:
    s = r.summary
    return ArchRow(
        arch=r.setting.arch,
        cell="",
        labels=labels or {},
        episodes=len(r.eps),
        accuracy=r.estimate(),
        cost=r.estimate("cost"),
        tokens=r.mean("tokens"),
        coordination_tokens=r.mean("coordination"),
        steps=r.mean("steps"),
        tool_calls=s.mean_tool_calls,
        latency=r.mean("latency"),
        outcomes=s.outcomes,
        cost_by_model=s.cost_by_model,
        cost_by_role=s.cost_by_role,
    )


def label(v: object) -> str:
    return "no cap" if v is None else str(v)


def curve_figure(
    name: str,
    key: str,
    by_value: dict[Any, dict[str, F.Run]],
    title: str,
    spend: str = "cost",
) -> tuple[Plot, list[dict[str, Any]]]:
    """One curve per architecture along `key` (values in order; "no cap" last)."""
    values = [label(v) for v in by_value]
    archs = [a for a in ALL if all(a in runs for runs in by_value.values())]
    lines = [
        Curve(
            key,
            a,
            {},
            [(label(v), arch_row(runs[a], {key: label(v)})) for v, runs in by_value.items()],
        )
        for a in archs
    ]
    plot = curve_plot(
        lines, {"key": key, "values": values}, F_PALETTE, name=name, title=title, spend=spend
    )
    assert plot is not None
    return plot, [_row_data(r) for c in lines for _, r in c.points]


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


F_PALETTE = colours(ALL)


def families(d: dict[str, F.Run]) -> list[FamilyResult]:
    """Per family: accuracy of each design, the winner (ties: the cheaper) and its paired
    margin over the runner-up (as `harness.stats.family_breakdown`)."""
    out: list[FamilyResult] = []
    for fam in F.FAMILIES:
        acc = {a: d[a].estimate("accuracy", fam) for a in ALL}
        cost = {a: d[a].mean("cost", fam) for a in ALL}
        ranked = sorted(ALL, key=lambda a: (-acc[a].mean, cost[a], ALL.index(a)))
        margin = F.paired(d[ranked[0]], d[ranked[1]], "accuracy", fam)
        out.append(FamilyResult(fam, acc, ranked[0], ranked[1], margin))
    return out


def episodes(r: F.Run) -> list[Any]:
    """What `latency_tokens_plot` reads of an episode."""
    return [
        SimpleNamespace(
            totals=SimpleNamespace(input_tokens=e.tokens, output_tokens=0), latency_s=e.latency
        )
        for e in r.eps
    ]


def headline_differences() -> list[tuple[str, Estimate]]:
    """The paired accuracy differences the page's findings rest on."""
    d = F.defaults()
    k, w, h, o = (d[a] for a in ALL)
    same = {a: F.base(a, models=F.SONNET) for a in ALL}
    free = F.base(
        "manus-workflow", models=F.SONNET, params={"worker_replans": "true", "max_steps": "12"}
    )
    steps = F.step_budget_runs()
    tokens48 = F.token_cap_runs()[48000]
    skills = F.skill_runs()
    k2 = {a: F.base(a, models=F.K2) for a in ("kimi-researcher", "manus-workflow")}
    return [
        ("(a) kimi: max_steps 8 − 4", F.paired(steps[8], steps[4])),
        ("(a) kimi: max_steps 30 − 12", F.paired(steps[30], steps[12])),
        (
            "(b) breadth, all kimi-k2: workflow − kimi",
            F.paired(k2["manus-workflow"], k2["kimi-researcher"], "accuracy", "breadth"),
        ),
        (
            "(c) multi_hop, Sonnet: workflow − kimi",
            F.paired(same["manus-workflow"], same["kimi-researcher"], "accuracy", "multi_hop"),
        ),
        (
            "(c) dead_end, Sonnet: workflow − kimi",
            F.paired(same["manus-workflow"], same["kimi-researcher"], "accuracy", "dead_end"),
        ),
        (
            "(c) dead_end, Sonnet: re-planning workflow − kimi",
            F.paired(free, same["kimi-researcher"], "accuracy", "dead_end"),
        ),
        ("(d) hybrid − kimi", F.paired(h, k)),
        (
            "(e) 48k tokens: orchestrator − kimi",
            F.paired(tokens48["orchestrator-workers"], tokens48["kimi-researcher"]),
        ),
        ("(f) orchestrator − kimi", F.paired(o, k)),
        ("(f) workflow − kimi", F.paired(w, k)),
        (
            "(f) skill 0.6: orchestrator − kimi",
            F.paired(skills[0.6]["orchestrator-workers"], skills[0.6]["kimi-researcher"]),
        ),
    ]


def forest_plot(rows: Sequence[tuple[str, Estimate]]) -> Plot:
    """Paired accuracy differences with their 95% intervals, one row each."""
    with matplotlib.rc_context(RC):
        fig = _figure(8.4, 0.9 + 0.36 * len(rows))
        ax = fig.subplots()
        for i, (_name, e) in enumerate(rows):
            colour = "#2f6db5" if e.excludes_zero else "#999999"
            ax.errorbar(
                100 * e.mean,
                i,
                xerr=[[100 * (e.mean - e.lo)], [100 * (e.hi - e.mean)]],
                fmt="o",
                color=colour,
                ms=5,
                capsize=3,
                elinewidth=1.2,
            )
            ax.annotate(
                f"{100 * e.mean:+.1f} [{100 * e.lo:+.1f}, {100 * e.hi:+.1f}]".replace("-", "−"),
                (100 * e.hi, i),
                xytext=(6, -3),
                textcoords="offset points",
                fontsize=7.5,
                color="#333",
            )
        ax.axvline(0, color="#444", lw=0.8)
        ax.set_yticks(range(len(rows)), [n for n, _ in rows])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        lo = min(100 * e.lo for _, e in rows)
        hi = max(100 * e.hi for _, e in rows)
        ax.set_xlim(lo - 5, hi + 28)
        ax.set_xlabel(
            "paired difference in accuracy, percentage points "
            "(95% bootstrap CI; grey: it includes 0)"
        )
        ax.set_title("The findings as paired differences (5 worlds x 10 seeds)")
        return _finish(fig, "paired_differences", "Paired accuracy differences")


COMMANDS = {
    "step_budget": "archbench sweep max_steps=4,6,8,12,30 --arch kimi-researcher",
    "episode_steps": "archbench sweep --budget-steps 8,16,32",
    "matched_tokens": "archbench sweep --budget-tokens 6000,12000,24000,48000",
    "matched_tokens_same_model": "archbench sweep --budget-tokens 24000,48000 "
    "--model '*=mock/claude-sonnet-4'",
    "hops": "archbench sweep hops=2,3,4 --family multi_hop",
    "skill": "archbench sweep skill=0.6,0.9",
}
"""One world's version of each sweep (the figures pool five: scripts/findings.py)."""


def figures() -> tuple[list[Plot], dict[str, Any]]:
    """Every figure, and the numbers each one draws (for --check)."""
    plots: list[Plot] = []
    data: dict[str, Any] = {}
    sweeps: list[tuple[str, str, dict[Any, dict[str, F.Run]], str, str]] = [
        (
            "step_budget",
            "max_steps",
            {n: {"kimi-researcher": r} for n, r in F.step_budget_runs().items()},
            "Single agent: accuracy vs step budget",
            "cost",
        ),
        (
            "episode_steps",
            "budget_steps",
            F.call_cap_runs(),
            "Every design: accuracy vs model calls per episode",
            "cost",
        ),
        (
            "matched_tokens",
            "budget_tokens",
            F.token_cap_runs(),
            "Accuracy at a matched token budget",
            "tokens",
        ),
        (
            "matched_tokens_same_model",
            "budget_tokens",
            F.token_cap_runs(same_model=True),
            "Matched token budget, Sonnet 4 in every role",
            "tokens",
        ),
        ("hops", "hops", F.hops_runs(), "Multi-hop questions: accuracy vs chain length", "cost"),
        ("skill", "skill", F.skill_runs(), "Accuracy vs the models' skill (every role)", "cost"),
    ]
    for name, key, by_value, title, spend in sweeps:
        plot, numbers = curve_figure(name, key, by_value, title, spend)
        plots.append(plot)
        data[name] = numbers
    d = F.defaults()
    rows = [arch_row(d[a]) for a in ALL]
    fams = families(d)
    counts = {a: d[a].taxonomy for a in ALL}
    for made in (
        pareto_plot(rows, F_PALETTE, sweep=False),
        latency_tokens_plot({a: episodes(d[a]) for a in ALL}, F_PALETTE),
        cost_split_plot(rows, sweep=False),
        family_plot(fams, ALL),
        taxonomy_plot(counts, F_PALETTE),
    ):
        assert made is not None
        plots.append(made)
    heads = headline_differences()
    plots.append(forest_plot(heads))
    data["default"] = [_row_data(r) for r in rows]
    data["families"] = {
        f.family: {a: [e.mean, e.lo, e.hi] for a, e in f.accuracy.items()} for f in fams
    }
    data["taxonomy"] = {a: dict(sorted(c.items())) for a, c in counts.items()}
    data["cost_split"] = {r.arch: [r.cost_by_model, r.cost_by_role] for r in rows}
    data["paired_differences"] = {n: e.as_dict() for n, e in heads}
    matched = data["matched_tokens"]
    data["r2_accuracy_tokens_matched"] = r_squared(
        [p["tokens"] for p in matched], [p["accuracy"][0] for p in matched]
    )
    return plots, data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, help="the runs file of scripts/findings.py --cache")
    ap.add_argument("--check", action="store_true", help="exit 1 if the figures are stale")
    args = ap.parse_args()
    if args.cache:
        F.load_cache(args.cache)
    plots, data = figures()
    if args.cache:
        F.save_cache(args.cache)
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
    print(f"wrote {len(plots)} figures (SVG and PNG) to {OUT.relative_to(ROOT)}/")
    print(f"R^2 of accuracy on tokens, matched-budget sweep: {data['r2_accuracy_tokens_matched']}")
    for name, command in COMMANDS.items():
        print(f"{name} (one world): {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
