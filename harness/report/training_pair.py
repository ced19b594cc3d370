"""Before/after traces of a training run: the base policy and the trained one on the same
evaluation task, side by side.

Why a run and not a replay of training: the trainer's own episodes are training worlds,
and what training is judged by is held-out tasks. So the report plays one evaluation suite
the run names (the deep suite when it is one of them), every task at seed 0, with two
copies of the trained design that differ only in the trained role's model: the
base model (`mock/kimi-k2`) and the same model with the trained policy
(`mock/kimi-k2?policy=DIR/policy.json`). Both run in one ordinary comparison written to
`DIR/before-after/` (config, results, traces), so every difference is paired on the same
draws, `archbench report DIR/before-after` gives the full report of the pair, and a
second report reuses the run instead of recomputing it.

The task shown is chosen by a fixed rule, in suite order: the first where the trained
policy is right and the base wrong; else the first where they disagree; else the one
whose step counts differ most; else the first. It is an illustration of a behaviour, not
a measurement (the trainer's eval.json and the `kimi-rl` study measure).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from harness.compare import compare
from harness.errors import ConfigError
from harness.loader import load_architecture
from harness.report.files import ReportFiles
from harness.report.load import CellRun, load_run
from harness.report.pages import _tool_text, render_trace_page, trace_file
from harness.report.training import POLICY, TrainingRun
from harness.rerun import resume
from harness.spec import ArchitectureSpec
from harness.suites import load_suite

PAIR_DIR = "before-after"
PAIR_SEED = 0
PREFERRED_SUITE = "deep"
"""The suite the pair is played on when the run evaluated on it (the studies' suite)."""


def with_policy(model: str, policy: Path) -> str:
    """The model id of `model` acting with the policy file `policy`."""
    return f"{model}{'&' if '?' in model else '?'}policy={policy}"


def _first(config: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if config.get(k) not in (None, "", []):
            return config[k]
    return None


def pair_specs(run: TrainingRun) -> tuple[ArchitectureSpec, ArchitectureSpec, str]:
    """The design as trained with its base model, the same with the trained policy, and
    the suite to play them on."""
    cfg = run.config
    policy = run.policy or {}
    arch = _first(cfg, "arch", "architecture")
    role = _first(cfg, "role") or policy.get("role")
    bound = {str(m[0]): str(m[1]) for m in cfg.get("models") or [] if len(m) == 2}
    base = policy.get("base_model") or bound.get(str(role))
    if not isinstance(arch, str) or not isinstance(role, str) or not isinstance(base, str):
        raise ConfigError(f"{run.dir / 'train.json'}: needs the design, role and base model")
    if run.policy is None:
        raise ConfigError(f"{run.dir / POLICY} is missing (training not finished)")
    spec = load_architecture(arch)
    if role not in spec.roles:
        raise ConfigError(f"{run.dir / 'train.json'}: {spec.name} has no role '{role}'")
    trained_id = with_policy(base, (run.dir / POLICY).resolve())
    roles = {**spec.roles, **bound}  # the run's other bindings (a workflow's fixed roles)
    before = spec.model_copy(update={"name": f"{spec.name}-base", "roles": {**roles, role: base}})
    after = spec.model_copy(
        update={"name": f"{spec.name}-trained", "roles": {**roles, role: trained_id}}
    )
    suites = _first(cfg, "eval_suites")
    names = [s for s in suites if isinstance(s, str)] if isinstance(suites, list) else []
    named = [s for s in names if s != "heldout"]  # generated worlds: no fixed task list
    suite = PREFERRED_SUITE if PREFERRED_SUITE in named or not named else named[0]
    return before, after, suite


def pair_run(run: TrainingRun) -> Path:
    """Run (or reuse) the before/after comparison in DIR/before-after; its path."""
    before, after, suite = pair_specs(run)
    out = run.dir / PAIR_DIR
    if (out / "config.json").is_file():
        saved = json.loads((out / "config.json").read_text(encoding="utf-8"))
        planned = ([before.name, after.name], suite, [PAIR_SEED], None)
        found = (saved.get("architectures"), saved.get("suite"), saved.get("seeds"))
        if (*found, saved.get("tasks") if saved.get("tasks") != _all(suite) else None) == planned:
            resume(out)
            return out
        raise ConfigError(f"'{out}' holds another run; move it away to redraw the pair")
    compare(
        [before, after],
        suite=suite,
        seeds=[PAIR_SEED],
        params=pair_params(run, before.name.removesuffix("-base")),
        out=out,
    )
    return out


def pair_params(run: TrainingRun, name: str) -> dict[str, str] | None:
    """The design parameters the run trained and evaluated with (`train --set`), for both
    copies: a key scoped to the design (`kimi-researcher:max_steps`) loses its scope, since
    the copies are renamed."""
    out: dict[str, str] = {}
    for item in run.config.get("params") or []:
        if isinstance(item, list | tuple) and len(item) == 2:
            key = str(item[0])
            out[key.removeprefix(f"{name}:")] = str(item[1])
    return out or None


def _all(suite: str) -> list[str]:
    return [t.id for t in load_suite(suite).tasks]


@dataclass(frozen=True)
class Side:
    label: str
    model: str
    correct: bool
    outcome: str
    answer: str | None
    steps: int
    tool_calls: int
    tokens: int
    lines: tuple[tuple[int, str, str, str, int], ...]
    """(index, who: branch and role, purpose, tool calls, tokens) per step."""
    page: str


@dataclass(frozen=True)
class PairView:
    dir: Path
    suite: str
    task: str
    family: str
    why: str
    before: Side
    after: Side
    agreement: tuple[int, int]
    """(tasks both got right or both wrong, tasks played)."""


def choose(cell: CellRun, before: str, after: str) -> tuple[str, str]:
    """The task to show and why (the module docstring's rule)."""
    res = {(r.architecture, r.task_id): r for r in cell.results}
    tasks = list(dict.fromkeys(r.task_id for r in cell.results))
    pairs = [(t, res[(before, t)], res[(after, t)]) for t in tasks if (before, t) in res]
    pairs = [(t, b, a) for t, b, a in pairs if (after, t) in res]
    if not pairs:
        raise ConfigError(f"'{cell.dir}' holds no episode of both policies")
    for t, b, a in pairs:
        if a.correct and not b.correct:
            return t, "the first task the trained policy gets right and the base gets wrong"
    for t, b, a in pairs:
        if a.correct != b.correct:
            return t, "the first task where the two disagree (none fixed by training)"
    t, b, a = max(pairs, key=lambda p: abs(p[1].totals.steps - p[2].totals.steps))
    if b.totals.steps != a.totals.steps:
        return t, "both agree on every task; the one whose step counts differ most"
    return pairs[0][0], "both agree on every task, step for step: the first task"


def _side(
    cell: CellRun, arch: str, task: str, label: str, env: jinja2.Environment, files: ReportFiles
) -> Side:
    key = (arch, task, PAIR_SEED)
    r = next(x for x in cell.results if (x.architecture, x.task_id, x.seed) == key)
    steps = cell.traces.get(key, [])
    lines = tuple(
        (
            int(s.get("index", i)),
            f"{s.get('branch', 'main')} · {s.get('role', '?')}",
            str(s.get("purpose", "")),
            _tool_text([t for t in s.get("tools") or [] if isinstance(t, dict)]),
            int(s.get("input_tokens", 0) or 0) + int(s.get("output_tokens", 0) or 0),
        )
        for i, s in enumerate(steps)
    )
    rel = trace_file(cell, key)
    title = f"{label}: {arch} on {task}, seed {PAIR_SEED}"
    page = render_trace_page(env, cell, r, cell.diagnoses.get(key), "../index.html", title)
    files.write(rel, page)
    models = sorted({str(s.get("model")) for s in steps if s.get("model")})
    return Side(
        label,
        ", ".join(models),
        r.correct,
        r.outcome,
        r.answer,
        r.totals.steps,
        r.totals.tool_calls,
        r.totals.input_tokens + r.totals.output_tokens,
        lines,
        rel,
    )


def pair_view(run: TrainingRun, env: jinja2.Environment, files: ReportFiles) -> PairView:
    """Run or reuse the pair, choose the task, write both trace pages; what the page
    shows."""
    before, after, suite = pair_specs(run)
    data = load_run(pair_run(run), traces=None)
    cell = data.cells[0]
    task, why = choose(cell, before.name, after.name)
    res = {(r.architecture, r.task_id): r for r in cell.results}
    tasks = list(dict.fromkeys(r.task_id for r in cell.results))
    same = sum(
        res[(before.name, t)].correct == res[(after.name, t)].correct
        for t in tasks
        if (before.name, t) in res and (after.name, t) in res
    )
    family = res[(before.name, task)].family
    return PairView(
        data.dir,
        suite,
        task,
        family,
        why,
        _side(cell, before.name, task, "before training", env, files),
        _side(cell, after.name, task, "after training", env, files),
        (same, len(tasks)),
    )
