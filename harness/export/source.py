"""A finished (or interrupted) compare run, read once for every export format.

Every exporter works from the same `RunSource` so the formats agree on what an episode is:
its result line, its trace line (steps and events, matched on architecture, task and
seed) and, when the suite can still be loaded, its task's question and expected answer.
Files are read through `harness.report.jsonl` (no link followed, lines bounded), strictly:
an export is a copy of the run, so a damaged line other than a torn last one is refused
rather than silently left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from harness import runpaths
from harness.errors import ConfigError, UserError
from harness.redact import redact
from harness.report.jsonl import JsonLines
from harness.rundir import CONFIG_FILE, RESULTS_FILE, RUN_FILES, SWEEP_FILES, TRACES_FILE
from harness.trace import EpisodeResult

Key = tuple[str, str, int]
"""(architecture, task_id, seed): how a trace line is matched to its result."""


@dataclass(frozen=True)
class TaskText:
    question: str
    answer: str


@dataclass
class RunSource:
    """What the exporters read: the configuration, the results in file order, the trace
    of each (steps and events as traces.jsonl holds them) and the tasks' texts."""

    dir: Path
    config: dict[str, Any]
    results: list[EpisodeResult]
    traces: dict[Key, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[str, TaskText] = field(default_factory=dict)

    @property
    def architectures(self) -> list[str]:
        """The run's architectures in config order, then any only the results name."""
        names = [str(a) for a in self.config.get("architectures", [])]
        return names + sorted({r.architecture for r in self.results} - set(names))

    def steps(self, r: EpisodeResult) -> list[dict[str, Any]]:
        trace = self.traces.get((r.architecture, r.task_id, r.seed), {})
        steps = trace.get("steps", [])
        return steps if isinstance(steps, list) else []

    def events(self, r: EpisodeResult) -> list[dict[str, Any]]:
        trace = self.traces.get((r.architecture, r.task_id, r.seed), {})
        events = trace.get("events", [])
        return events if isinstance(events, list) else []


def read_run(path: Path | str) -> RunSource:
    """The compare run in `path`; `ConfigError` (one line) for anything else."""
    d = Path(path)
    if not d.exists():
        raise ConfigError(f"run directory '{d}' does not exist")
    if not d.is_dir():
        raise ConfigError(f"'{d}' is not a directory; give a run directory (--out of a run)")
    runpaths.check_all(d, (*SWEEP_FILES, *RUN_FILES))
    if (d / "sweep.json").exists():
        raise ConfigError(
            f"'{d}' is a sweep: export one of its cells (a run directory under '{d}/cells/')"
        )
    if not (d / RESULTS_FILE).exists():
        raise ConfigError(f"'{d}' holds no archbench run (no {RESULTS_FILE})")
    config = _config(d)
    results = [_result(d, n, obj) for n, obj in _lines(d / RESULTS_FILE)]
    traces: dict[Key, dict[str, Any]] = {}
    if (d / TRACES_FILE).exists():
        for _, obj in _lines(d / TRACES_FILE):
            if isinstance(obj, dict):
                key = (str(obj.get("architecture")), str(obj.get("task_id")), obj.get("seed"))
                traces[(key[0], key[1], int(key[2] or 0))] = obj
    return _without_secrets(RunSource(d, config, results, traces, _task_texts(d, config)))


def _without_secrets(run: RunSource) -> RunSource:
    """Model ids as exports show them, secrets taken out (`harness.redact`). A run refuses
    a model id holding a key, so none should be here; but a run directory may come from
    anyone, and an export is made to be shared: this is the last line of defence."""
    roles = run.config.get("roles")
    if isinstance(roles, dict):
        run.config["roles"] = {
            a: {r: redact(str(m)) for r, m in v.items()} if isinstance(v, dict) else v
            for a, v in roles.items()
        }
    for trace in run.traces.values():
        for step in trace.get("steps") or []:
            if isinstance(step, dict) and "model" in step:
                step["model"] = redact(str(step["model"]))
    run.results = [
        r.model_copy(update={"by_model": {redact(k): v for k, v in r.by_model.items()}})
        if any(redact(k) != k for k in r.by_model)
        else r
        for r in run.results
    ]
    return run


def _lines(path: Path) -> list[tuple[int, Any]]:
    reader = JsonLines(path, errors="strict")
    try:
        lines = list(reader)
    except UnicodeDecodeError:
        raise ConfigError(f"'{path}' is not UTF-8 text") from None
    problem = reader.strict_error()
    if problem is not None:
        raise problem
    return lines


def _config(d: Path) -> dict[str, Any]:
    if not (d / CONFIG_FILE).exists():
        return {}
    try:
        config = runpaths.read_json(d, CONFIG_FILE)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"'{d / CONFIG_FILE}' cannot be read: {exc}") from None
    if not isinstance(config, dict):
        raise ConfigError(f"'{d / CONFIG_FILE}' is not a JSON object")
    return config


def _result(d: Path, number: int, obj: Any) -> EpisodeResult:
    try:
        return EpisodeResult.model_validate(obj)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "line"
        raise ConfigError(
            f"'{d / RESULTS_FILE}' line {number} is not an episode result ({where}: {first['msg']})"
        ) from None


def _task_texts(d: Path, config: dict[str, Any]) -> dict[str, TaskText]:
    """Question and answer of every task of the run's suite (every world), when the suite
    is saved with the run or built in; {} when it cannot be found any more (an export
    then shows task ids only: the results alone are still worth exporting)."""
    from harness.rundir import load_inputs
    from harness.suites import load_suite
    from harness.worlds import SuiteRecipe, make_worlds

    try:
        suite, _ = load_inputs(d, "export")
        label = str(config.get("suite", ""))
        suite = suite or load_suite(label)
        count = int(config.get("worlds", 1))
        recipe = SuiteRecipe.from_dict(config["recipe"]) if "recipe" in config else None
        worlds = make_worlds(suite, recipe, count, label=label)
    except (UserError, OSError, ValueError, KeyError, TypeError):
        return {}
    return {t.id: TaskText(t.question, t.answer) for s in worlds.suites for t in s.tasks}
