"""The small run and sweep the report tests read (made once per test module)."""

from __future__ import annotations

from pathlib import Path

from harness.compare import compare
from harness.sweep import plan_sweep, run_sweep

ARCHS = ["kimi-researcher", "manus-workflow"]
TASKS = [f"default-{f}-{i:02d}" for f in ("lookup", "multi_hop", "dead_end") for i in (1, 2, 3, 4)]


def make_run(d: Path, archs: list[str] | None = ARCHS) -> Path:
    """A finished run of `archs` (None: every built-in) on TASKS, two seeds."""
    compare(archs, suite="default", seeds=2, tasks=TASKS, out=d)
    return d


def make_sweep(d: Path) -> Path:
    plan = plan_sweep(["max_steps=3,10"], architectures=ARCHS, seeds=1, families=["dead_end"])
    run_sweep(plan, d)
    return d
