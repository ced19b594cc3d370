"""From a run's episodes to the numbers a report shows: per-architecture rows with bootstrap
intervals, paired comparisons, per-family winners, failure tags, and sweep curves.

Kept apart from the plots and the HTML so the same numbers can be printed, tested and drawn
without either (the CLI's sweep table uses `analyse_cell` too).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.bootstrap import accuracy_label
from harness.metrics import summarise_architecture
from harness.report.episodes import Result, as_results
from harness.report.load import CellRun, Key, RunData
from harness.stats import (
    DEFAULT_REPS,
    Estimate,
    FamilyResult,
    PairedComparison,
    estimate,
    family_breakdown,
    paired_comparisons,
)
from harness.taxonomy import Diagnosis, count


@dataclass(frozen=True)
class ArchRow:
    """One architecture in one cell: the summary table's row."""

    arch: str
    cell: str
    labels: dict[str, str]
    episodes: int
    accuracy: Estimate | None
    cost: Estimate | None
    tokens: float
    coordination_tokens: float
    steps: float
    tool_calls: float
    latency: float
    outcomes: dict[str, int]
    cost_by_model: dict[str, float | None]
    cost_by_role: dict[str, float | None]

    @property
    def mean_cost(self) -> float | None:
        return None if self.cost is None else self.cost.mean


@dataclass
class CellView:
    cell: CellRun
    rows: list[ArchRow]
    pairs: list[PairedComparison]
    families: list[FamilyResult]
    diagnoses: dict[Key, Diagnosis]
    taxonomy: dict[str, Counter[str]]
    traced: bool
    """Whether the cell had traces to tag failures from."""
    events: dict[str, Counter[str]] = field(default_factory=dict)
    """Trace events per architecture and kind (only architectures with any)."""


def arch_row(
    cell: CellRun, arch: str, results: Sequence[Result], *, reps: int, seed: int
) -> ArchRow:
    """`results` are `arch`'s episodes in `cell` (kept `Episode`s, or `EpisodeResult`s)."""
    results = as_results(results)
    s = summarise_architecture(arch, results)
    # labelled by the architecture, not the cell: the same episodes give the same interval
    # in every cell, and the same as the summary's `accuracy_ci95` (one function, one label)
    scope = accuracy_label(arch)
    return ArchRow(
        arch=arch,
        cell=cell.id,
        labels=cell.labels,
        episodes=s.episodes,
        accuracy=estimate(results, "accuracy", reps=reps, seed=seed, label=scope),
        cost=estimate(results, "cost", reps=reps, seed=seed, label=scope + "|cost"),
        tokens=s.mean_input_tokens + s.mean_output_tokens,
        coordination_tokens=s.mean_coordination_tokens,
        steps=s.mean_steps,
        tool_calls=s.mean_tool_calls,
        latency=s.mean_latency_s,
        outcomes=s.outcomes,
        cost_by_model=s.cost_by_model,
        cost_by_role=s.cost_by_role,
    )


def analyse_cell(cell: CellRun, *, reps: int = DEFAULT_REPS, seed: int = 0) -> CellView:
    archs = [a for a in cell.architectures if cell.of(a)]
    rows = [arch_row(cell, a, cell.of(a), reps=reps, seed=seed) for a in archs]
    results = as_results(cell.results)
    pairs = paired_comparisons(results, archs, reps=reps, seed=seed)
    families = family_breakdown(results, archs, reps=reps, seed=seed)
    if cell.diagnosis_error is not None:
        raise cell.diagnosis_error  # as when the traces were diagnosed here
    diagnoses: dict[Key, Diagnosis] = cell.diagnoses  # diagnosed as they were read
    return CellView(
        cell,
        rows,
        pairs,
        families,
        diagnoses,
        count(diagnoses.values()),
        bool(cell.traced),
        event_counts(cell, archs),
    )


def event_counts(cell: CellRun, archs: Sequence[str]) -> dict[str, Counter[str]]:
    """Trace events per architecture and kind, from the results' counts (every episode's,
    not only those with a trace page); architectures without any are left out."""
    out: dict[str, Counter[str]] = {}
    for arch in archs:
        c: Counter[str] = Counter()
        for r in cell.of(arch):
            if r.events:
                c.update(r.events)
        if c:
            out[arch] = c
    return out


@dataclass
class Curve:
    """One architecture's response along one axis, the other axes held at `fixed`."""

    axis: str
    arch: str
    fixed: dict[str, str]
    points: list[tuple[str, ArchRow]] = field(default_factory=list)

    @property
    def label(self) -> str:
        rest = ", ".join(f"{k}={v}" for k, v in self.fixed.items())
        return f"{self.arch} ({rest})" if rest else self.arch


def curves(run: RunData, views: list[CellView], axis: dict[str, Any]) -> list[Curve]:
    """Every architecture's curve along `axis`, one per combination of the other varying
    axes, with points in the axis's value order."""
    key = str(axis["key"])
    order = [str(v) for v in axis.get("values", [])]
    others = [str(a["key"]) for a in run.varying if a["key"] != key]
    by: dict[tuple[str, tuple[str, ...]], Curve] = {}
    for v in views:
        value = v.cell.labels.get(key)
        if value is None:
            continue
        fixed = {k: v.cell.labels.get(k, "?") for k in others}
        for row in v.rows:
            c = by.setdefault((row.arch, tuple(fixed.values())), Curve(key, row.arch, fixed))
            c.points.append((value, row))
    for c in by.values():
        c.points.sort(key=lambda p: order.index(p[0]) if p[0] in order else len(order))
    archs = run.architectures
    return sorted(
        by.values(),
        key=lambda c: (archs.index(c.arch) if c.arch in archs else 99, list(c.fixed.values())),
    )


def numeric(values: list[str]) -> list[float] | None:
    """The values as numbers (a range 'LOW-HIGH' as its midpoint), or None."""
    out: list[float] = []
    for v in values:
        lo, sep, hi = v.partition("-")
        try:
            out.append((float(lo) + float(hi)) / 2 if sep and lo else float(v))
        except ValueError:
            return None
    return out


def event_totals(views: list[CellView]) -> dict[str, Counter[str]]:
    """Trace events per architecture and kind, summed over cells."""
    out: dict[str, Counter[str]] = {}
    for v in views:
        for arch, c in v.events.items():
            out.setdefault(arch, Counter()).update(c)
    return out


def taxonomy_totals(views: list[CellView]) -> dict[str, Counter[str]]:
    """Failure tags per architecture, summed over cells."""
    out: dict[str, Counter[str]] = {}
    for v in views:
        for arch, c in v.taxonomy.items():
            out.setdefault(arch, Counter()).update(c)
    return out
