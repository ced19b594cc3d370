"""Sweeps: the same comparison over every cell of a grid, to see how each design responds.

`harness.sweep_plan` parses and checks the grid (`plan_sweep`); this module runs the cells
(`run_sweep`), each an ordinary `compare` run directory under RUN_DIR/cells/, written as
its episodes finish, with one line per finished cell in RUN_DIR/cells.jsonl. Same inputs
give byte-identical files.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.compare import Comparison, ProgressCallback, ProgressHook, compare
from harness.errors import ConfigError
from harness.execution import Executor
from harness.runtime import ModelFactory
from harness.sim_stamp import check_rerunnable, with_sim_version
from harness.sweep_plan import (
    SWEEP_FORMAT_VERSION,
    Axis,
    Cell,
    SweepPlan,
    parse_axis,
    plan_sweep,
)
from harness.task import TaskSuite
from harness.worlds import BUILTIN_RECIPES, SuiteRecipe, check_worlds

__all__ = [
    "SWEEP_FORMAT_VERSION",
    "Axis",
    "Cell",
    "CellCallback",
    "SweepPlan",
    "SweepResult",
    "cell_suites",
    "parse_axis",
    "plan_sweep",
    "run_sweep",
]

# --- running ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    plan: SweepPlan
    run_dir: Path
    comparisons: dict[str, Comparison]
    """Cell id -> its comparison (only the cells run by this call)."""


CellCallback = Callable[[Cell, Comparison], None]


def run_sweep(
    plan: SweepPlan,
    out: Path | str,
    *,
    resume: bool = False,
    on_episode: ProgressCallback | None = None,
    on_progress: ProgressHook | None = None,
    on_cell: CellCallback | None = None,
    concurrency: int = 1,
    model_factory: ModelFactory | None = None,
    workers: int | None = None,
    executor: str | Executor | None = None,
    ray_address: str | None = None,
    worlds: int = 1,
) -> SweepResult:
    """Run every cell of `plan` into the run directory `out`; with `resume`, keep the cells
    an interrupted sweep of the same plan finished and redo the rest. `workers`, `executor`
    and `ray_address` are passed to every cell's `compare` (one Ray instance serves all).
    `worlds=N` runs every cell in N worlds of its generated suite (`harness.worlds`);
    a fixed suite is refused before anything is written."""
    d = Path(out)
    suites = cell_suites(plan, worlds)
    described = {**plan.describe(), "worlds": worlds}
    done = _prepare_dir(d, described, resume)
    for name, generated in plan.suites.items():
        path = d / "suites" / f"{name}.json"
        if not path.exists():
            path.write_text(generated.model_dump_json() + "\n", encoding="utf-8")
    comparisons: dict[str, Comparison] = {}
    for cell in plan.cells:
        if cell.id in done:
            continue
        cell_dir = d / "cells" / cell.id
        if cell_dir.exists():
            shutil.rmtree(cell_dir)  # an interrupted cell: start it again
        result = compare(
            plan.architectures,
            suite=suites[cell.id],
            seeds=plan.seeds,
            worlds=worlds,
            models=cell.models,
            params=cell.params,
            limits=cell.limits,
            tasks=cell.tasks,
            out=cell_dir,
            on_episode=on_episode,
            on_progress=on_progress,
            concurrency=concurrency,
            model_factory=model_factory,
            workers=workers,
            executor=executor,
            ray_address=ray_address,
            keep_results=False,  # they are in the cell's run directory: memory stays flat
        )
        line = {"id": cell.id, "labels": cell.labels, "summaries": result.summary_json()}
        with open(d / "cells.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        comparisons[cell.id] = result
        if on_cell is not None:
            on_cell(cell, result)
    return SweepResult(plan, d, comparisons)


def cell_suites(plan: SweepPlan, worlds: int = 1) -> dict[str, str | TaskSuite | SuiteRecipe]:
    """Cell id -> what its `compare` runs; raises `ConfigError` (before anything is
    written) if a cell's suite cannot have `worlds` worlds."""
    return {cell.id: _cell_suite(plan, cell, worlds) for cell in plan.cells}


def _cell_suite(plan: SweepPlan, cell: Cell, worlds: int) -> str | TaskSuite | SuiteRecipe:
    """What the cell's `compare` runs: its suite's name or generated suite, or, with several
    worlds, the recipe they are generated from (checked here, before anything is written)."""
    if not cell.suite.startswith("suites/"):
        check_worlds(worlds, BUILTIN_RECIPES.get(cell.suite), cell.suite)
        return cell.suite
    name = cell.suite.removeprefix("suites/").removesuffix(".json")
    return plan.recipes[name] if worlds > 1 else plan.suites[name]


def _prepare_dir(d: Path, described: dict[str, Any], resume: bool) -> set[str]:
    """Create the sweep directory, or check a resumed one; the ids of finished cells."""
    meta = d / "sweep.json"
    text = json.dumps(with_sim_version(described), indent=2, ensure_ascii=False) + "\n"
    try:
        if not meta.exists():
            if d.exists() and any(d.iterdir()):
                raise ConfigError(f"--out '{d}' is not empty; choose a new directory")
            (d / "suites").mkdir(parents=True, exist_ok=True)
            meta.write_text(text, encoding="utf-8")
            return set()
        if not resume:
            raise ConfigError(
                f"--out '{d}' already holds a sweep; choose a new directory or pass --resume"
            )
        old = json.loads(meta.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"--out '{d}' cannot be written: {exc.strerror}") from None
    except ValueError:
        raise ConfigError(f"--resume: '{meta}' is not readable JSON") from None
    check_rerunnable(d, old, "--resume")
    old.pop("archbench_version", None)
    old.pop("sim_version", None)
    old.setdefault("worlds", 1)  # written by an archbench without worlds
    new = {k: v for k, v in described.items() if k != "archbench_version"}
    if old != new:
        raise ConfigError(f"--resume: the sweep in '{d}' was planned differently; use a new --out")
    (d / "suites").mkdir(exist_ok=True)
    return _finished_cells(d / "cells.jsonl")


def _finished_cells(path: Path) -> set[str]:
    """Ids in cells.jsonl, rewritten without a torn last line."""
    if not path.exists():
        return set()
    good: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            good.append(json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")))
        except ValueError:
            break
    path.write_text("".join(g + "\n" for g in good), encoding="utf-8")
    return {json.loads(g)["id"] for g in good}
