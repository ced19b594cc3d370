"""`compare`: run architectures over a suite and seeds, and summarise. The CLI's
`archbench compare` is a thin layer over this function.

    >>> from harness import compare
    >>> result = compare(["kimi-researcher", "manus-workflow"], suite="default", seeds=1)
    >>> [(s.architecture, s.accuracy) for s in result.summaries]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from harness.backends import BackendStack, CallStats, ResponseCache, load_price_table
from harness.backends.recording import Recorder
from harness.backends.stack import is_real
from harness.bootstrap import DEFAULT_REPS
from harness.bounds import check_concurrency, check_seeds, seed_range
from harness.cells import EpisodeCells, cells_of
from harness.errors import ConfigError
from harness.execution.merge import ProgressCallback as ProgressCallback
from harness.execution.merge import ProgressHook as ProgressHook
from harness.execution.plan import ArchRef, Job, suite_digest
from harness.execution.resume import scan
from harness.execution.run import Execution, check_shippable, resolve, run_job
from harness.execution.types import Executor
from harness.graph import CompiledArchitecture
from harness.loader import ArchitectureRef
from harness.metrics import ArchitectureSummary
from harness.registry import parse_model_id
from harness.rundir import RunWriter, result_line, save_inputs
from harness.runtime import ModelFactory
from harness.selection import check_unique as check_unique
from harness.selection import prepare as prepare
from harness.selection import split_assignment as split_assignment
from harness.stats import PairedComparison, compare_pair
from harness.suites import builtin_suite_names, load_suite
from harness.task import Task, TaskSuite
from harness.trace import EpisodeResult
from harness.usage import UsageLimits
from harness.worlds import BUILTIN_RECIPES, SuiteRecipe, Worlds, make_worlds
from harness.worlds import select_tasks as select_tasks

JSON_FORMAT_VERSION = 2
"""The shape of `--json` (`Comparison.to_json`): 2 is an object with the summaries under
"architectures" and the paired differences; 1 (before worlds and baselines) was the bare
list of summaries, which `summary_json()` still gives."""


def archbench_version() -> str:
    try:
        return version("archbench")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class Comparison:
    config: dict[str, Any]
    results: list[EpisodeResult]
    summaries: list[ArchitectureSummary]
    run_dir: Path | None = None
    calls: CallStats | None = None
    """How real-model calls were served: network, cache, recording, replay."""
    cells: dict[str, EpisodeCells] = field(default_factory=dict, repr=False, compare=False)
    """Each architecture's episode cells (world, task, seed and values), kept even when
    the results are not: what `paired_differences` resamples."""

    def __repr__(self) -> str:
        """One line: suite, architectures with accuracy and cost, run directory (not the
        results, which made a notebook cell's output megabytes long)."""
        from harness.compare_view import summary_line

        return summary_line(self)

    def _repr_html_(self) -> str:
        from harness.compare_view import summary_html

        return summary_html(self)

    def to_pandas(self) -> Any:
        """The episodes as a pandas DataFrame, one row per result (needs pandas:
        `pip install archbench[parquet]`); read from the run directory when the results
        were not kept in memory."""
        from harness.compare_view import episodes_frame

        return episodes_frame(self)

    def summary_json(self) -> list[dict[str, Any]]:
        return [s.model_dump(mode="json") for s in self.summaries]

    def paired_differences(
        self, baseline: str | None = None, *, reps: int = DEFAULT_REPS, seed: int = 0
    ) -> list[PairedComparison]:
        """Every other architecture minus `baseline` (default: the first architecture),
        paired cell by cell on (world, task, seed) and bootstrapped like the summaries'
        intervals: accuracy (a proportion: x100 for points), cost, tokens and latency per
        episode. `PairedComparison.a` is the architecture, `.b` the baseline; an estimate
        whose interval includes 0 is `within_noise`."""
        order = [s.architecture for s in self.summaries]
        base = check_baseline(baseline, order)
        cells = self.cells or cells_of(self.results)  # a Comparison made by hand
        if base is None or base not in cells:
            return []
        return [
            compare_pair(
                a,
                base,
                cells[a].mapping,
                cells[base].mapping,
                order=order,
                reps=reps,
                seed=seed,
            )
            for a in order
            if a != base and a in cells
        ]

    def to_json(self, baseline: str | None = None) -> dict[str, Any]:
        """What `--json` writes: the summaries, the baseline and the paired differences
        against it (format `JSON_FORMAT_VERSION`). `errors` counts the episodes whose run
        failed (outcome `error`), `errors_by_architecture` per design: a reader need not
        know the outcome names to see that a run went wrong. The summaries stay as
        summary.json holds them."""
        order = [s.architecture for s in self.summaries]
        errors = {s.architecture: s.outcomes.get("error", 0) for s in self.summaries}
        return {
            "format_version": JSON_FORMAT_VERSION,
            "errors": sum(errors.values()),
            "errors_by_architecture": errors,
            "architectures": self.summary_json(),
            "baseline": check_baseline(baseline, order),
            "paired_differences": [p.as_dict() for p in self.paired_differences(baseline)],
        }

    def results_jsonl(self) -> str:
        """The results as the run directory's results.jsonl holds them (empty when the
        run was made with `keep_results=False`: read its run directory instead)."""
        return "".join(result_line(r) for r in self.results)

    def matches(self, run_dir: Path | str) -> bool:
        """Are these results byte-identical to the results.jsonl in `run_dir`?"""
        try:
            recorded = (Path(run_dir) / "results.jsonl").read_bytes()
            if not self.results and self.run_dir is not None:
                return recorded == (self.run_dir / "results.jsonl").read_bytes()
        except OSError:
            return False
        return recorded == self.results_jsonl().encode("utf-8")


def check_baseline(baseline: str | None, architectures: Sequence[str]) -> str | None:
    """The baseline of paired differences: `baseline`, which must be one of the run's
    architectures, or the first of them (None: no architecture ran)."""
    if baseline is None:
        return architectures[0] if architectures else None
    if baseline not in architectures:
        known = ", ".join(architectures) or "none"
        raise ConfigError(
            f"--baseline '{baseline}' is not an architecture of this run (architectures: {known})"
        )
    return baseline


def compare(
    architectures: ArchitectureRef | Sequence[ArchitectureRef] | None = None,
    *,
    suite: str | TaskSuite | SuiteRecipe = "default",
    seeds: int | Sequence[int] = 3,
    seed: int = 0,
    worlds: int = 1,
    models: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    limits: UsageLimits | None = None,
    tasks: Sequence[str] | None = None,
    out: Path | str | None = None,
    on_episode: ProgressCallback | None = None,
    on_progress: ProgressHook | None = None,
    concurrency: int = 1,
    model_factory: ModelFactory | None = None,
    cache: bool = True,
    cache_dir: Path | str | None = None,
    record: bool = False,
    prices: Path | str | None = None,
    workers: int | None = None,
    executor: str | Executor | None = None,
    ray_address: str | None = None,
    keep_results: bool = True,
) -> Comparison:
    """Run every selected architecture on every task of `suite` for each seed.

    `architectures` are built-in or plug-in names, architecture files (YAML, TOML, JSON)
    and `ArchitectureSpec` objects, mixed as you like (one of them alone is a selection of
    one; None: the default designs; "all": every built-in). The run directory keeps each
    spec (architectures.json), so `resume` and the report need neither the file nor the
    object again.

    `suite` is a built-in suite's name, a suite file, a `TaskSuite`, or a `SuiteRecipe` (a
    generated suite). `worlds=N` runs N worlds of a generated suite (`harness.worlds`:
    world 0 is the suite itself, world w is generated with seed + w) and clusters the
    intervals by world; a fixed suite has one world. `tasks` selects task ids; an id of
    world 0 selects that task in every world.

    `concurrency` episodes are in flight at once on one event loop (it pays off with real
    backends, whose calls wait on the network); results keep the planned order whatever
    order episodes finish in, so the summary does not depend on it.

    Simulated episodes can run elsewhere: `workers=N` (or `executor="processes"`: one per
    CPU) in N worker processes, `executor="ray"` on a Ray cluster (`ray_address`, else a
    local instance). Results, files and summaries are the same as a local run's; there,
    `on_episode` gets each episode without its steps (they are in traces.jsonl).
    `on_progress(done, total, key)` only says that one more episode finished: all a
    progress bar needs, and free, where `on_episode` makes worker runs ship and parse
    every result.

    With `out`, every episode is appended to the run directory as it finishes; an
    interrupted run is finished by `resume(out)`. `keep_results=False` keeps no results
    in memory (`Comparison.results` is empty; summaries are built as results stream in).

    Real models (`openai/...`, `deepseek/...`, `vllm/...`, see docs/backends.md) answer from
    the response cache when they can (`cache=False` turns it off; `cache_dir` moves it);
    `record=True` keeps every answer in `out`/recording.jsonl for `replay`; `prices` is a
    price file overriding the shipped table. `Comparison.calls` counts how calls were served.
    """
    if record and out is None:
        raise ConfigError("--record needs --out: the recording is kept in the run directory")
    execution = resolve(executor, workers, ray_address)
    seed_list = list(seed_range(seed, seeds) if isinstance(seeds, int) else seeds)
    check_seeds(seed_list)
    check_concurrency(concurrency)
    if tasks is not None:
        check_unique(tasks, "--task")
    archs = prepare(architectures, models, params)
    if isinstance(suite, SuiteRecipe):
        suite_obj, recipe, label = suite.generate(), suite, suite.name
    elif isinstance(suite, TaskSuite):
        suite_obj, recipe, label = suite, None, suite.name
    else:
        suite_obj, recipe, label = load_suite(suite), BUILTIN_RECIPES.get(suite), suite
    world_set = make_worlds(suite_obj, recipe, worlds, label=label)
    task_list = world_set.select(tasks)
    stack = BackendStack(
        model_factory,
        cache=ResponseCache(cache_dir) if cache else None,
        prices=load_price_table(prices),
    )
    check_shippable(execution, archs, stack, record=record)
    if model_factory is None:
        stack.preflight(role_models(archs))
    builtin = isinstance(suite, str) and suite in builtin_suite_names()
    return run_configured(
        archs,
        world_set,
        task_list,
        seed_list,
        suite_label=label,
        limits=limits or UsageLimits(),
        out=out,
        on_episode=on_episode,
        on_progress=on_progress,
        concurrency=concurrency,
        stack=stack,
        record=record,
        save_suite=record or not builtin,
        execution=execution,
        keep_results=keep_results,
        backends={
            "cache": cache,
            "cache_dir": None if cache_dir is None else str(cache_dir),
            "prices": None if prices is None else str(prices),
            **({} if model_factory is not None else {"pricing": _pricing(stack, archs)}),
        },
    )


def _pricing(stack: BackendStack, archs: Sequence[CompiledArchitecture]) -> dict[str, Any]:
    """Which source priced each real model of the run ({} for simulated models only):
    prices change, and a cost is only as good as the table it came from."""
    real = [m.full for m in map(parse_model_id, role_models(archs)) if is_real(m)]
    return stack.prices.describe(real)


def role_models(archs: Sequence[CompiledArchitecture]) -> list[str]:
    return sorted({m for a in archs for m in a.roles.values()})


_LOCAL = Execution("local", 1)


def run_configured(
    archs: list[CompiledArchitecture],
    worlds: Worlds,
    task_list: list[Task],
    seed_list: list[int],
    *,
    suite_label: str,
    limits: UsageLimits,
    out: Path | str | None,
    on_episode: ProgressCallback | None,
    concurrency: int,
    stack: BackendStack,
    on_progress: ProgressHook | None = None,
    record: bool = False,
    replay_of: Path | None = None,
    save_suite: bool = False,
    execution: Execution = _LOCAL,
    keep_results: bool = True,
    resume_config: dict[str, Any] | None = None,
    backends: dict[str, Any] | None = None,
) -> Comparison:
    check_concurrency(concurrency)
    config: dict[str, Any] = {
        "archbench_version": archbench_version(),
        "architectures": [a.name for a in archs],
        "roles": {a.name: dict(a.roles) for a in archs},
        "params": {a.name: dict(a.params) for a in archs},
        "suite": suite_label,
        "suite_sha256": suite_digest(worlds.base),
        **worlds.describe(),
        "tasks": [t.id for t in task_list],
        "seeds": seed_list,
        "concurrency": concurrency,
        "execution": execution.describe(),
        "limits": {
            "max_steps": limits.max_steps,
            "max_tokens": limits.max_tokens,
            "max_cost_usd": limits.max_cost_usd,
        },
    }
    if backends is not None:
        config["backends"] = backends
    if replay_of is not None:
        config["replay_of"] = str(replay_of)
    job = Job(
        tuple(ArchRef.of(a) for a in archs),
        worlds.base,
        tuple(t.id for t in task_list),
        tuple(seed_list),
        limits,
        lines=out is not None,
        more_worlds=worlds.suites[1:],
    )
    writer: RunWriter | None = None
    existing = None
    try:
        if resume_config is not None:
            assert out is not None
            config = resume_config
            existing = scan(Path(out), job)
            writer = RunWriter(Path(out), config, existing=existing)
        elif out is not None:
            writer = RunWriter(Path(out), config, episodes=len(job))
            save_inputs(writer.dir, worlds.base if save_suite else None, [a.spec for a in archs])
            if record:
                stack.recorder = Recorder(writer.dir, stack.stats)
        outcome = run_job(
            job,
            archs,
            task_list,
            execution,
            writer=writer,
            existing=existing,
            concurrency=concurrency,
            stack=stack,
            keep_results=keep_results,
            on_episode=on_episode,
            on_progress=on_progress,
        )
    finally:
        stack.close()
        if writer is not None:
            writer.close()
    run_dir = Path(out) if out is not None else None
    return Comparison(
        config, outcome.results, outcome.summaries, run_dir, stack.stats, outcome.cells
    )
