"""Calibration: the few numbers that describe ONE system, fitted before any prediction.

Issue 14 separates two kinds of figure. A number that describes one system (how many
steps Kimi-Researcher takes; how much effort Anthropic's lead spends per query type) may
be *calibrated*: the parameters of that system, and only those, are moved until the
simulation shows the published number. Every comparative figure (one design against
another: +90%, token multiples, latency cuts, failure shares) stays a held-out
*prediction* and is never tuned.

This module is the plan, committed before any calibration ran: the targets, their
tolerances, which parameters may move (each with why it belongs to the system it
describes), the search grid and the calibration tasks. `scripts/calibrate.py` runs the
grid search and prints the chosen values; a later commit freezes them in the preset or
design and in docs/studies.md ("Calibration"). A target that no point of the grid reaches
is reported as not reached: the grid is not widened and no mechanism is added to hit it.

Calibration tasks are world 1 of the deep suite (generated with seed 1: the same recipe,
other entities, chains and pages), while the studies evaluate world 0, so a calibrated
row in a study's table is also a check on tasks the fit never saw. Every grid point runs
the same tasks and seeds (paired draws: the points differ only in their parameters).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from harness.compare import compare
from harness.trace import EpisodeResult

CALIBRATION_WORLD = 1
"""The deep suite's world 1 (seed 1): the studies read world 0."""
CALIBRATION_SEEDS = (0, 1)
"""Two seeds per task at every grid point, the same at every point (paired)."""
FAMILIES = ("lookup", "multi_hop", "breadth", "conflict", "dead_end")
PER_FAMILY = 8
"""All 40 tasks of world 1."""


def calibration_tasks() -> list[str]:
    """The task ids of the deep suite's world 1, as `--worlds 2 -t ID` selects them."""
    return [
        f"deep~w{CALIBRATION_WORLD}-{f}-{i:02d}" for f in FAMILIES for i in range(1, PER_FAMILY + 1)
    ]


@dataclass(frozen=True)
class Target:
    """A published figure of one system and the band a fit must land in."""

    id: str
    claim: str
    source: str
    published: str
    lo: float
    hi: float
    """The tolerance band, committed before calibrating: the fitted mean must lie in it."""
    query_type: str = ""
    """Anthropic's query type, or empty."""

    def met(self, value: float) -> bool:
        return self.lo <= value <= self.hi

    def miss(self, value: float) -> float:
        """How far outside the band, in units of the band's width (0 inside)."""
        width = max(self.hi - self.lo, 1e-9)
        return max(self.lo - value, value - self.hi, 0.0) / width


@dataclass(frozen=True)
class Knob:
    """One parameter a calibration may move, its grid (the current value first: ties go
    to it) and why it describes the calibrated system and nothing else."""

    kind: Literal["model", "param"]
    """`model`: a behavioural parameter of the preset bound to `Calibration.role`, set as
    `mock/PRESET?name=value`; `param`: a parameter of the design (`--set name=value`)."""
    name: str
    values: tuple[float, ...]
    why: str


Measure = Callable[
    [Sequence[EpisodeResult], Mapping[tuple[str, str, int], list[dict[str, Any]]]], dict[str, float]
]
"""Episodes and their traces (keyed (architecture, task, seed)) -> a value per target id."""


@dataclass(frozen=True)
class Calibration:
    name: str
    design: str
    role: str
    """The role whose preset the model knobs change."""
    preset: str
    targets: tuple[Target, ...]
    knobs: tuple[Knob, ...]
    measure: Measure
    unmatched: tuple[str, ...] = ()
    """Published figures of the system the suite has no task for: said, not fitted."""

    def grid(self) -> list[dict[str, float]]:
        """Every combination of the knobs' values, the current values first."""
        names = [f"{k.kind}:{k.name}" for k in self.knobs]
        return [
            dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(k.values for k in self.knobs))
        ]

    def bindings(self, point: Mapping[str, float]) -> tuple[dict[str, str], dict[str, str]]:
        """The `--model` and `--set` assignments of one grid point."""
        opts = "&".join(
            f"{k.split(':', 1)[1]}={_num(v)}" for k, v in point.items() if k.startswith("model:")
        )
        models = {f"{self.design}:{self.role}": f"mock/{self.preset}?{opts}"} if opts else {}
        params = {
            f"{self.design}:{k.split(':', 1)[1]}": _num(v)
            for k, v in point.items()
            if k.startswith("param:")
        }
        return models, params

    def choose(self, scored: Sequence[tuple[Mapping[str, float], Mapping[str, float]]]) -> int:
        """The grid point to freeze, from (point, values) in grid order: the smallest loss,
        ties to the earlier point (nearer the current values). A best point that meets no
        target the current values (point 0) miss gains nothing but a moved assumption: then
        the current values stay (index 0), and the target is reported as not reached."""
        losses = [self.loss(v) for _, v in scored]
        best = min(range(len(scored)), key=lambda i: (losses[i], i))
        base = scored[0][1]
        gained = [t for t in self.targets if t.met(scored[best][1][t.id]) and not t.met(base[t.id])]
        return best if gained else 0

    def loss(self, values: Mapping[str, float]) -> float:
        """Sum of the targets' misses: 0 when every target is met."""
        return sum(t.miss(values[t.id]) for t in self.targets)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


# --- Kimi-Researcher: reasoning steps per task ----------------------------------------

KIMI_SOURCE = "Moonshot AI, Kimi-Researcher tech blog, 2025-06-20"


def _kimi_measure(
    results: Sequence[EpisodeResult], _traces: Mapping[tuple[str, str, int], list[dict[str, Any]]]
) -> dict[str, float]:
    steps = [float(r.totals.steps) for r in results]
    return {"kimi_steps": sum(steps) / max(len(steps), 1)}


KIMI = Calibration(
    name="kimi-researcher",
    design="kimi-researcher",
    role="agent",
    preset="kimi-researcher",
    targets=(
        Target(
            "kimi_steps",
            "Kimi-Researcher averages 23 reasoning steps per task",
            KIMI_SOURCE,
            "23 steps",
            17.25,
            28.75,
        ),
    ),
    knobs=(
        Knob(
            "model",
            "skill",
            (0.86, 0.81, 0.76, 0.91),
            "the simulated Kimi-Researcher model's chance of the right next move: an "
            "assumption about that one model (docs/simulation.md); fewer right moves mean "
            "more steps per chain. Bounded below by 0.76, the skill of the weakest preset "
            "the article ranks below it (qwen-plus 0.74 + 0.02)",
        ),
        Knob(
            "model",
            "persistence",
            (0.92, 1.0),
            "its chance of re-planning at a dead end instead of guessing: Moonshot credits "
            "end-to-end RL with long, persistent searches",
        ),
        Knob(
            "model",
            "hallucination",
            (0.02, 0.0),
            "its chance of answering before the evidence is in (ends an episode early)",
        ),
        Knob(
            "param",
            "max_steps",
            (30, 60),
            "the kimi-researcher design's step budget: Moonshot reports trajectories of 50+ "
            "iterations, so a budget of 60 describes the system as published",
        ),
    ),
    measure=_kimi_measure,
)


# --- Anthropic's orchestrator: effort scaled to the query type ------------------------

ANTHROPIC_SOURCE = 'Anthropic, "How we built our multi-agent research system", 2025-06-13'
WORKER_NODE = "worker"
QUERY_TYPES: dict[str, str] = {
    "lookup": "simple fact-finding",
    "breadth": "direct comparison",
}
"""Deep-suite family -> Anthropic's query type, committed before calibrating. lookup: one
entity, one fact. breadth: the same fact compared across 6-10 entities, the deep suite's
only comparisons (wider than Anthropic's "direct comparisons"). Anthropic's third type,
"complex research" with more than 10 sub-agents, has no deep-suite family (the widest task
has 10 entities; chains are one entity each): it is in `unmatched`, not fitted."""


def subagents(steps: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """The sub-agents of one episode (a fan-out branch running the worker node) and the
    tool calls each made."""
    out: dict[str, int] = {}
    for s in steps:
        if s.get("node") == WORKER_NODE and s.get("branch", "main") != "main":
            out[s["branch"]] = out.get(s["branch"], 0) + len(s.get("tools", []))
    return out


def _effort_measure(
    results: Sequence[EpisodeResult], traces: Mapping[tuple[str, str, int], list[dict[str, Any]]]
) -> dict[str, float]:
    per: dict[str, list[dict[str, int]]] = {f: [] for f in QUERY_TYPES}
    for r in results:
        if r.family in per:
            per[r.family].append(subagents(traces[(r.architecture, r.task_id, r.seed)]))
    simple, comp = per["lookup"], per["breadth"]

    def avg(xs: Sequence[float]) -> float:
        return sum(xs) / max(len(xs), 1)

    each = [c for ep in comp for c in ep.values()]
    return {
        "simple_subagents": avg([len(ep) for ep in simple]),
        "simple_calls": avg([sum(ep.values()) for ep in simple]),
        "comparison_subagents": avg([len(ep) for ep in comp]),
        "comparison_calls_each": avg([float(c) for c in each]),
    }


EFFORT = Calibration(
    name="orchestrator-effort",
    design="orchestrator-workers",
    role="worker",
    preset="claude-sonnet-4",
    targets=(
        Target(
            "simple_subagents",
            "simple fact-finding: 1 sub-agent",
            ANTHROPIC_SOURCE,
            "1 sub-agent",
            1.0,
            1.5,
            "lookup",
        ),
        Target(
            "simple_calls",
            "simple fact-finding: 3-10 tool calls",
            ANTHROPIC_SOURCE,
            "3-10 calls",
            3.0,
            10.0,
            "lookup",
        ),
        Target(
            "comparison_subagents",
            "direct comparisons: 2-4 sub-agents",
            ANTHROPIC_SOURCE,
            "2-4 sub-agents",
            2.0,
            4.0,
            "breadth",
        ),
        Target(
            "comparison_calls_each",
            "direct comparisons: 10-15 calls each",
            ANTHROPIC_SOURCE,
            "10-15 calls per sub-agent",
            10.0,
            15.0,
            "breadth",
        ),
    ),
    knobs=(
        Knob(
            "param",
            "max_workers",
            (5, 2, 3, 4, 6, 8, 10),
            "the design's fan-out width: how many sub-agents the lead may run per round "
            "(Anthropic: 3-5 in parallel); a node parameter of this design only",
        ),
        Knob(
            "param",
            "min_reads",
            (3, 1, 5, 8, 10),
            "how many documents the lead's brief asks each sub-agent to read before it "
            "reports (Anthropic's prompts ask sub-agents for a tool-call budget that fits "
            "the task); a node parameter of this design only",
        ),
        Knob(
            "param",
            "max_steps",
            (10, 15, 20),
            "the most steps a sub-agent may be given (the lead's budgets are clipped to "
            "it); a node parameter of this design only",
        ),
    ),
    measure=_effort_measure,
    unmatched=(
        "complex research: more than 10 sub-agents (no deep-suite task has more "
        "than 10 independent parts)",
    ),
)
"""Only design parameters move here: the lead's and the workers' presets (Opus, Sonnet)
are shared with every other design bound to them, so changing them would tune the
comparisons too. The lead's planning rule (one sub-agent per entity it sees, a budget
from the question's wording) is the simulated planner's, not a parameter."""

CALIBRATIONS: dict[str, Calibration] = {c.name: c for c in (KIMI, EFFORT)}


# --- running one grid point -----------------------------------------------------------


def evaluate(
    cal: Calibration,
    point: Mapping[str, float],
    out: Path,
    *,
    tasks: Sequence[str] | None = None,
    seeds: Sequence[int] = CALIBRATION_SEEDS,
    workers: int | None = None,
) -> dict[str, float]:
    """Run `cal.design` at one grid point on the calibration tasks (world 1 of the deep
    suite unless `tasks` names others) into the run directory `out`, and measure it."""
    models, params = cal.bindings(point)
    picked = list(tasks) if tasks is not None else calibration_tasks()
    world = max((_world(t) for t in picked), default=0)
    comparison = compare(
        [cal.design],
        suite="deep",
        worlds=world + 1,
        seeds=list(seeds),
        tasks=picked,
        models=models or None,
        params=params or None,
        out=out,
        workers=workers,
    )
    traces: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    with (out / "traces.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            t = json.loads(line)
            traces[(t["architecture"], t["task_id"], t["seed"])] = t["steps"]
    return cal.measure(list(comparison.results), traces)


def _world(task_id: str) -> int:
    head = task_id.split("-", 1)[0]
    return int(head.split("~w", 1)[1]) if "~w" in head else 0
