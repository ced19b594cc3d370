"""Runs made again from a run directory: `replay` (offline, from its recording) and
`resume` (finish an interrupted run). Both read the run's configuration back (`config.json`
with the specs and suite saved beside it) and end in the same `run_configured` as
`compare`, so a rerun is the same computation as the run it repeats; a run made by another
simulated behaviour (`sim_version`, see `harness.sim_stamp`) is refused.

    >>> from harness import resume
    >>> resume("runs/big", workers=2)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import runlock, runpaths
from harness.backends import BackendStack, ResponseCache, load_price_table
from harness.backends.recording import RECORDING_FILE, Recording
from harness.compare import (
    Comparison,
    ProgressCallback,
    ProgressHook,
    role_models,
    run_configured,
)
from harness.errors import ConfigError
from harness.execution.plan import suite_digest
from harness.execution.run import check_shippable, resolve
from harness.execution.types import Executor
from harness.graph import CompiledArchitecture, compile_architecture
from harness.loader import builtin_architectures, load_architecture, plugin_architectures
from harness.rundir import ARCHITECTURES_FILE, RUN_FILES, load_inputs, read_run_config
from harness.spec import ArchitectureSpec
from harness.suites import load_suite
from harness.task import Task
from harness.usage import UsageLimits
from harness.worlds import SuiteRecipe, Worlds, make_worlds


@dataclass(frozen=True)
class _SavedRun:
    """A run directory's configuration, read back with its inputs (for replay, resume)."""

    config: dict[str, Any]
    archs: list[CompiledArchitecture]
    worlds: Worlds
    tasks: list[Task]
    seeds: list[int]
    limits: UsageLimits
    label: str

    def run(
        self,
        out: Path | str | None,
        on_episode: ProgressCallback | None,
        concurrency: int | None,
        stack: BackendStack,
        **options: Any,
    ) -> Comparison:
        """This configuration, run again (concurrency as it was unless given)."""
        return run_configured(
            self.archs,
            self.worlds,
            self.tasks,
            self.seeds,
            suite_label=self.label,
            limits=self.limits,
            out=out,
            on_episode=on_episode,
            concurrency=concurrency or int(self.config.get("concurrency", 1)),
            stack=stack,
            **options,
        )


def _load_run(run_dir: Path, flag: str) -> _SavedRun:
    runpaths.check_all(run_dir, RUN_FILES)  # a received directory: no link out of it
    config = read_run_config(run_dir, flag)
    try:
        names: list[str] = config["architectures"]
        roles: dict[str, dict[str, str]] = config["roles"]
        params: dict[str, dict[str, Any]] = config["params"]
        task_ids: list[str] = config["tasks"]
        seed_list: list[int] = config["seeds"]
        limits = UsageLimits(**config["limits"])
        label: str = config["suite"]
        count = int(config.get("worlds", 1))
        recipe = SuiteRecipe.from_dict(config["recipe"]) if "recipe" in config else None
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ConfigError(f"{flag} '{run_dir}' holds no readable config.json ({exc})") from None
    suite_obj, specs = load_inputs(run_dir, flag)
    suite_obj = suite_obj or load_suite(label)
    digest = config.get("suite_sha256")
    if digest is not None and digest != suite_digest(suite_obj):
        raise ConfigError(f"{flag} '{run_dir}': suite '{label}' has changed since the run was made")
    worlds = make_worlds(suite_obj, recipe, count, label=label)
    if count > 1 and config.get("worlds_sha256") != worlds.digest():
        raise ConfigError(
            f"{flag} '{run_dir}': the {count} worlds of suite '{label}' generate differently "
            "now than when the run was made (another archbench version?)"
        )
    archs = [
        compile_architecture(
            _spec(n, specs, run_dir, flag),
            {k: str(v) for k, v in params[n].items()},
            roles[n],
        )
        for n in names
    ]
    tasks = worlds.exactly(task_ids)
    return _SavedRun(config, archs, worlds, tasks, seed_list, limits, label)


def _spec(
    name: str, saved: dict[str, ArchitectureSpec], run_dir: Path, flag: str
) -> ArchitectureSpec:
    """The spec the run ran under `name`: the one saved with it (architectures.json; a
    design from a file or a spec object has nothing else to be found by), else, for a run
    that saved none, the built-in or plug-in of that name."""
    if name in saved:
        return saved[name]
    if name in builtin_architectures() or name in plugin_architectures():
        return load_architecture(name)
    raise ConfigError(
        f"{flag} '{run_dir}': architecture '{name}' is not saved with the run "
        f"({ARCHITECTURES_FILE}) and no built-in or plug-in has that name"
    )


def replay(
    run_dir: Path | str,
    *,
    out: Path | str | None = None,
    concurrency: int | None = None,
    on_episode: ProgressCallback | None = None,
    on_progress: ProgressHook | None = None,
) -> Comparison:
    """Rerun a run made with `record=True`, offline: its configuration (architectures,
    suite, tasks, seeds, roles, parameters, limits) from `run_dir`, every real model's
    answer from its recording.jsonl. The results are those of the recorded run, byte for
    byte (`Comparison.matches`); a request missing from the recording fails its episode."""
    run_dir = Path(run_dir)
    saved = _load_run(run_dir, "--replay")
    recording = Recording(run_dir)
    return saved.run(
        out,
        on_episode,
        concurrency,
        BackendStack(recording=recording),
        replay_of=run_dir,
        save_suite=True,
        on_progress=on_progress,
    )


def resume(
    run_dir: Path | str,
    *,
    workers: int | None = None,
    executor: str | Executor | None = None,
    ray_address: str | None = None,
    concurrency: int | None = None,
    on_episode: ProgressCallback | None = None,
    on_progress: ProgressHook | None = None,
    keep_results: bool = True,
) -> Comparison:
    """Finish an interrupted run (a crash, `kill -9`, Ctrl-C, a lost worker): its
    configuration from `run_dir`, the episodes it saved kept (a line torn by the crash is
    dropped), the others run and appended. The finished directory, results and summaries
    equal those of an uninterrupted run; how the rest runs (workers, executor,
    concurrency) may differ from how it started. A finished run is left as it is."""
    run_dir = Path(run_dir)
    saved = _load_run(run_dir, "--resume")
    if (run_dir / RECORDING_FILE).exists():
        raise ConfigError(
            f"--resume '{run_dir}': the run recorded its model answers (--record) and a "
            "recording cannot be continued; rerun it with --record into a new directory"
        )
    execution = resolve(executor, workers, ray_address)
    # one writer from here on: torn tails are cut and the files appended to under the lock
    with runlock.lock(run_dir, "--resume"):
        replay_of = saved.config.get("replay_of")
        if replay_of is not None:
            stack = BackendStack(recording=Recording(Path(replay_of)))
        else:
            opts = saved.config.get("backends") or {}
            stack = BackendStack(
                cache=ResponseCache(opts.get("cache_dir")) if opts.get("cache", True) else None,
                prices=load_price_table(opts.get("prices")),
            )
            check_shippable(execution, saved.archs, stack)
            stack.preflight(role_models(saved.archs))
        return saved.run(
            run_dir,
            on_episode,
            concurrency,
            stack,
            execution=execution,
            keep_results=keep_results,
            resume_config=saved.config,
            on_progress=on_progress,
        )
