"""Sweep grids: parse `KEY=V1,V2,...` axes and plan every cell before anything runs.

A grid is a list of axes, `KEY=V1,V2,...`; the sweep runs every architecture (and seed) in
every cell of the axes' cartesian product. A key names one of five things:

    max_steps=5,10,20         an architecture parameter (ARCH:max_steps for one design)
    model.worker=mock/a,mock/b a role's model binding (model.* every role; model.ARCH:ROLE)
    skill=0.6,0.8             a simulated-model parameter on every role (worker.skill: one
                              role; ARCH:worker.skill; sim.skill is the explicit spelling)
    hops=2,3,4                a task-generator parameter (hops, breadth as LOW-HIGH ranges;
                              distractors, alias_rate, per_family; task.hops explicit)
    budget_tokens=5000,20000  an episode cap given to every architecture alike
                              (budget_tokens, budget_usd, budget_steps)

Every cell is checked (architectures compiled, model ids and parameter values validated,
suites generated) before the first episode runs, so a typo costs one line, not a half-run
sweep. Each cell is an ordinary `compare` run directory under RUN_DIR/cells/, written as
its episodes finish; RUN_DIR/cells.jsonl gets one line per finished cell with its labels
and summaries. Same inputs give byte-identical files.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from harness.backends.providers import missing_keys
from harness.backends.stack import is_real
from harness.bounds import check_cells, check_seeds, check_task_setting, seed_range
from harness.compare import archbench_version, prepare
from harness.errors import ConfigError, UserError
from harness.loader import (
    ArchitectureRef,
    architecture_refs,
    builtin_architectures,
    load_architecture,
    plugin_architectures,
)
from harness.redact import redact
from harness.registry import parse_model_id
from harness.spec import ArchitectureSpec
from harness.suites import load_suite
from harness.sweep_axes import (
    TASK_DEFAULTS,
    TASK_PARAMS,
    parse_number,
    parse_range,
    task_setting,
)
from harness.sweep_axes import Axis as Axis
from harness.sweep_axes import parse_axis as parse_axis
from harness.task import TaskSuite
from harness.usage import UsageLimits
from harness.worlds import SuiteRecipe

SWEEP_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Cell:
    id: str
    labels: dict[str, str]
    params: dict[str, str]
    models: dict[str, str]
    limits: UsageLimits
    suite: str
    """A suite name or file, or `suites/NAME.json` inside the sweep directory."""
    tasks: tuple[str, ...] | None


@dataclass
class SweepPlan:
    architectures: list[str]
    """The architectures as selected: a name or a file's path each (a spec object's name)."""
    axes: list[Axis]
    cells: list[Cell]
    seeds: list[int]
    families: list[str]
    suites: dict[str, TaskSuite] = field(default_factory=dict)
    """Generated suites by the file name they are written to (suites/NAME.json)."""
    recipes: dict[str, SuiteRecipe] = field(default_factory=dict)
    """How each generated suite was made, by the same name (for `--worlds`)."""
    base_suite: str = "default"
    task_seed: int = 0
    real_models: set[str] = field(default_factory=set)
    """The real (network) model ids any cell binds: they need their keys, and run in this
    process (not in worker processes)."""
    specs: list[ArchitectureSpec] = field(default_factory=list)
    """The specs, loaded once when the grid was planned: what every cell runs, so a file
    edited (or removed) while the sweep runs changes no cell, and a spec object needs no
    name to be found by. Empty (a plan made by hand): `architectures` is loaded per cell."""
    given: set[str] = field(default_factory=set)
    """Names of the architectures given as a file or a spec object (not by a built-in or
    plug-in name): sweep.json keeps their specs, so a resumed sweep runs the same design."""

    def selected(self) -> list[ArchitectureSpec] | list[str]:
        """What each cell's `compare` is given."""
        return list(self.specs) if self.specs else list(self.architectures)

    def describe(self) -> dict[str, Any]:
        """The plan as written to sweep.json (what a resumed sweep must match)."""
        return {
            "format_version": SWEEP_FORMAT_VERSION,
            "kind": "sweep",
            "archbench_version": archbench_version(),
            "architectures": self.architectures,
            **self._given_specs(),
            "seeds": self.seeds,
            "families": self.families,
            "suite": self.base_suite,
            "task_seed": self.task_seed,
            "axes": [{"key": a.key, "kind": a.kind, "values": list(a.values)} for a in self.axes],
            "cells": [
                {
                    "id": c.id,
                    "dir": f"cells/{c.id}",
                    "labels": c.labels,
                    "params": c.params,
                    "models": c.models,
                    "limits": _limits_dict(c.limits),
                    "suite": c.suite,
                }
                for c in self.cells
            ],
        }

    def _given_specs(self) -> dict[str, Any]:
        """{"specs": name -> spec} for the designs given as files or spec objects; nothing
        when every design is named (so a sweep.json of named designs reads as it did)."""
        if not self.given:
            return {}
        return {
            "specs": {s.name: s.model_dump(mode="json") for s in self.specs if s.name in self.given}
        }


def _limits_dict(lim: UsageLimits) -> dict[str, float | int | None]:
    return {"max_steps": lim.max_steps, "max_tokens": lim.max_tokens, "max_cost": lim.max_cost_usd}


def _with_options(model_id: str, options: dict[str, str], where: str) -> str:
    mid = parse_model_id(model_id)
    if mid.provider != "mock":
        raise ConfigError(
            f"{where}: model parameters apply to simulated models (mock/...), "
            f"not '{redact(model_id)}'"
        )
    merged = dict(mid.options)
    merged.update(options)
    query = "&".join(f"{k}={v}" for k, v in merged.items())
    return f"{mid.full}?{query}" if query else mid.full


def plan_sweep(
    grid: Sequence[str],
    *,
    architectures: ArchitectureRef | Sequence[ArchitectureRef] | None = None,
    suite: str = "default",
    seeds: int | Sequence[int] = 3,
    seed: int = 0,
    models: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    limits: UsageLimits | None = None,
    families: Sequence[str] | None = None,
    task_seed: int = 0,
) -> SweepPlan:
    """Parse and check the whole grid: every cell's architectures compile, every value
    parses, every generated suite is made. Raises a `UserError` naming the first problem.
    `architectures` are names, architecture files and `ArchitectureSpec` objects, mixed;
    a parameter of any of them can be swept."""
    refs = architecture_refs(architectures)
    specs = [load_architecture(r) for r in refs]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise ConfigError(f"--arch: architecture '{twice}' is selected twice")
    arch_params = {s.name: set(s.params) for s in specs}
    roles = {s.name: set(s.roles) for s in specs}
    axes = [parse_axis(g, arch_params, roles) for g in grid]
    check_cells([len(a.values) for a in axes])  # before a single cell is made
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise ConfigError(
            f"sweep grid '{next(k for k in keys if keys.count(k) > 1)}' is given twice"
        )
    for a in axes:
        clash = (params or {}) if a.kind == "param" else (models or {}) if a.kind == "model" else {}
        plain = a.name if a.scope is None else f"{a.scope}:{a.name}"
        if plain in clash:
            raise ConfigError(f"'{plain}' is both fixed (--set/--model) and a sweep axis")
    seed_list = list(seed_range(seed, seeds) if isinstance(seeds, int) else seeds)
    if not seed_list:
        raise ConfigError("--seeds must be at least 1")
    check_seeds(seed_list)
    task_axes = [a for a in axes if a.kind == "task"]
    for a in task_axes:
        for v in a.values:
            low, high = task_setting(a.key, a.name, v)
            check_task_setting(a.key, a.name, low, high)
    if task_axes and suite != "default":
        raise ConfigError(
            f"sweep grid '{task_axes[0].key}' generates each cell's suite, which would "
            f"replace --suite {suite}: drop --suite, or the task axes"
        )
    plan = SweepPlan(
        [_label(r) for r in refs], axes, [], seed_list, sorted(families or []), base_suite=suite
    )
    plan.task_seed = task_seed
    plan.specs = specs
    plan.given = {s.name for r, s in zip(refs, specs, strict=True) if not _named(r)}
    base = None if task_axes else load_suite(suite)
    for n, combo in enumerate(itertools.product(*(a.values for a in axes)), 1):
        cell = _cell(plan, n, dict(zip(axes, combo, strict=True)), models, params, limits)
        suite_obj = base
        if task_axes:
            file, suite_obj = _generated(plan, cell, task_seed)
            cell = replace(cell, suite=f"suites/{file}.json")
        assert suite_obj is not None
        cell = replace(cell, tasks=_family_tasks(suite_obj, plan.families))
        cell, model_ids = _with_sim(cell, specs, dict(zip(axes, combo, strict=True)))
        plan.cells.append(cell)
        plan.real_models.update(m for m in model_ids if is_real(parse_model_id(m)))
    # a key missing for any cell's real model: now, not after the sweep directory is made
    problem = missing_keys([parse_model_id(m) for m in sorted(plan.real_models)])
    if problem is not None:
        raise ConfigError(problem)
    return plan


def _cell(
    plan: SweepPlan,
    n: int,
    choice: dict[Axis, str],
    models: dict[str, str] | None,
    params: dict[str, str] | None,
    limits: UsageLimits | None,
) -> Cell:
    cell_params = dict(params or {})
    cell_models = dict(models or {})
    lim = limits or UsageLimits()
    steps, tokens, usd = lim.max_steps, lim.max_tokens, lim.max_cost_usd
    for a, v in choice.items():
        target = a.name if a.scope is None else f"{a.scope}:{a.name}"
        if a.kind == "param":
            cell_params[target] = v
        elif a.kind == "model":
            cell_models[target] = v
        elif a.kind == "budget":
            if a.name == "budget_steps":
                steps = int(parse_number(a.key, v, int))
            elif a.name == "budget_tokens":
                tokens = int(parse_number(a.key, v, int))
            else:
                usd = float(parse_number(a.key, v, float))
    labels = {a.key: v for a, v in choice.items()}
    return Cell(
        f"c{n:03d}",
        labels,
        cell_params,
        cell_models,
        UsageLimits(steps, tokens, usd),
        plan.base_suite,
        None,
    )


def _generated(plan: SweepPlan, cell: Cell, task_seed: int) -> tuple[str, TaskSuite]:
    """The cell's generated suite (made once per distinct setting) and its file name."""
    settings = dict(TASK_DEFAULTS)
    for a in plan.axes:
        if a.kind == "task":
            settings[a.name] = cell.labels[a.key]
    file = "_".join(f"{k}{settings[k]}" for k in TASK_PARAMS)
    if file not in plan.suites:
        recipe = SuiteRecipe(
            seed=task_seed,
            per_family=int(parse_number("per_family", settings["per_family"], int)),
            hops=parse_range("hops", settings["hops"]),
            breadth=parse_range("breadth", settings["breadth"]),
            distractors=int(parse_number("distractors", settings["distractors"], int)),
            alias_rate=float(parse_number("alias_rate", settings["alias_rate"], float)),
            name="generated",
        )
        try:
            plan.suites[file] = recipe.generate()
            plan.recipes[file] = recipe
        except (ValueError, RuntimeError) as exc:  # RuntimeError: a world too small
            raise ConfigError(f"sweep grid: the task generator refused {settings}: {exc}") from None
    return file, plan.suites[file]


def _family_tasks(suite: TaskSuite, families: Sequence[str]) -> tuple[str, ...]:
    known = sorted({t.family for t in suite.tasks})
    for f in families:
        if f not in known:
            raise ConfigError(f"--family '{f}' is not in the suite (families: {', '.join(known)})")
    return tuple(t.id for t in suite.tasks if not families or t.family in families)


def _with_sim(
    cell: Cell, specs: list[ArchitectureSpec], choice: dict[Axis, str]
) -> tuple[Cell, set[str]]:
    """Compile the cell (validating it) and, with model-parameter axes, bind every role to
    its model id with the parameters in its query string. Also the cell's model ids.
    Compiled from the specs themselves: a design from a file or a spec object has no name
    to be found by again (that lookup failed: "unknown architecture")."""
    where = "sweep cell " + ", ".join(f"{k}={v}" for k, v in cell.labels.items())
    try:
        compiled = prepare(specs, cell.models, cell.params)
    except UserError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    sims = [(a, v) for a, v in choice.items() if a.kind == "sim"]
    if not sims:
        return cell, {m for arch in compiled for m in arch.roles.values()}
    models: dict[str, str] = {}
    for arch in compiled:
        for role, model_id in arch.roles.items():
            opts = {
                a.name: v
                for a, v in sims
                if (a.scope in (None, arch.name)) and (a.role in (None, role))
            }
            bound = _with_options(model_id, opts, where) if opts else model_id
            models[f"{arch.name}:{role}"] = bound
    try:
        prepare(specs, models, cell.params)  # the new ids must be valid too
    except UserError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return replace(cell, models=models), set(models.values())


def _label(ref: ArchitectureRef) -> str:
    """How sweep.json names a selected architecture: as given, or a spec object's name."""
    if isinstance(ref, ArchitectureSpec):
        return ref.name
    return os.fspath(ref)


def _named(ref: ArchitectureRef) -> bool:
    """Was the architecture given by a built-in's or plug-in's name (not a file or object)?"""
    return isinstance(ref, str) and (
        ref in builtin_architectures() or ref in plugin_architectures()
    )
