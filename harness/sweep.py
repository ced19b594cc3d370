"""Sweeps: the same comparison over every cell of a grid, to see how each design responds.

`harness.sweep_plan` parses and checks the grid (`plan_sweep`); this module runs the cells
(`run_sweep`), each an ordinary `compare` run directory under RUN_DIR/cells/, written as
its episodes finish, with one line per finished cell in RUN_DIR/cells.jsonl. Same inputs
give byte-identical files.

The sweep directory has one writer (`harness.runlock`: the sweep holds its lock, each
cell's run its cell's), and nothing in it is a link archbench follows (`harness.runpaths`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import runlock, runpaths
from harness.compare import Comparison, ProgressCallback, ProgressHook, compare
from harness.errors import ConfigError
from harness.execution import Executor
from harness.rundir import SWEEP_FILES
from harness.runtime import ModelFactory
from harness.sim_stamp import check_rerunnable, with_sim_version
from harness.sweep_axes import Axis, parse_axis
from harness.sweep_plan import SWEEP_FORMAT_VERSION, Cell, SweepPlan, plan_sweep
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
    fresh = not d.exists()
    comparisons: dict[str, Comparison] = {}
    try:
        with runlock.lock(d, "--out"):  # one writer; each cell's run locks its own directory
            done = _prepare_dir(d, described, resume)
            for name, generated in plan.suites.items():
                rel = f"suites/{name}.json"
                if not runpaths.check(d, rel).exists():
                    runpaths.write_text(d, rel, generated.model_dump_json() + "\n")
            runpaths.mkdirs(d, "cells")
            for cell in plan.cells:
                if cell.id in done:
                    continue
                cell_dir = runpaths.check(d, f"cells/{cell.id}")
                if cell_dir.exists():
                    with runlock.lock(cell_dir, "--resume"):  # nobody else is finishing it
                        shutil.rmtree(cell_dir)  # an interrupted cell: start it again
                result = compare(
                    plan.selected(),  # the specs as planned: a file is not read again
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
                    keep_results=False,  # they are in the cell's run directory: flat memory
                )
                line = {"id": cell.id, "labels": cell.labels, "summaries": result.summary_json()}
                text = json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
                with runpaths.open_append(d, CELLS_FILE) as fh:
                    fh.write(text.encode("utf-8"))
                comparisons[cell.id] = result
                if on_cell is not None:
                    on_cell(cell, result)
    except BaseException:
        if fresh:
            _remove_if_empty(d)  # a sweep refused before it began leaves nothing behind
        raise
    return SweepResult(plan, d, comparisons)


def _remove_if_empty(d: Path) -> None:
    try:
        d.rmdir()
    except OSError:
        pass


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


SWEEP_FILE, CELLS_FILE = SWEEP_FILES[:2]


def _prepare_dir(d: Path, described: dict[str, Any], resume: bool) -> set[str]:
    """Check a new sweep directory (its lock held) and write the plan, or check a resumed
    one; the ids of finished cells."""
    runpaths.check_all(d, SWEEP_FILES)
    meta = d / SWEEP_FILE
    text = json.dumps(with_sim_version(described), indent=2, ensure_ascii=False) + "\n"
    try:
        if not meta.exists():
            if any(p.name != runlock.LOCK_FILE for p in d.iterdir()):
                raise ConfigError(f"--out '{d}' is not empty; choose a new directory")
            runpaths.mkdirs(d, "suites")
            runpaths.write_text(d, SWEEP_FILE, text)
            return set()
        if not resume:
            raise ConfigError(
                f"--out '{d}' already holds a sweep; choose a new directory or pass --resume"
            )
        old = runpaths.read_json(d, SWEEP_FILE)
    except OSError as exc:
        raise ConfigError(f"--out '{d}' cannot be written: {exc.strerror}") from None
    except ValueError:
        raise ConfigError(f"--resume: '{meta}' is not readable JSON") from None
    if not isinstance(old, dict):
        raise ConfigError(f"--resume: '{meta}' is not a JSON object")
    version = old.get("format_version")
    if isinstance(version, int) and version > SWEEP_FORMAT_VERSION:
        raise ConfigError(
            f"--resume: the sweep in '{d}' was written by a newer archbench (sweep format "
            f"{version}; this one writes {SWEEP_FORMAT_VERSION}); use a new --out"
        )
    check_rerunnable(d, old, "--resume")
    old.pop("archbench_version", None)
    old.pop("sim_version", None)
    old.setdefault("worlds", 1)  # written by an archbench without worlds
    new = {k: v for k, v in described.items() if k != "archbench_version"}
    if old != new:
        raise ConfigError(f"--resume: the sweep in '{d}' was planned differently; use a new --out")
    runpaths.mkdirs(d, "suites")
    return _finished_cells(d)


def _finished_cells(d: Path) -> set[str]:
    """Ids in cells.jsonl, rewritten without a torn last line."""
    path = d / CELLS_FILE
    if not path.exists():
        return set()
    good: list[str] = []
    with runpaths.open_read(d, CELLS_FILE) as fh:
        number = 0
        while raw := runpaths.read_line(fh, path, number + 1):
            number += 1
            try:
                obj = json.loads(raw)
                good.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
            except ValueError:
                break
    runpaths.write_text(d, CELLS_FILE, "".join(g + "\n" for g in good))
    return {json.loads(g)["id"] for g in good}
