"""`archbench compare`: the article's designs side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from harness.bounds import check_concurrency, check_workers
from harness.cli.console import say, stdout_console
from harness.cli.design import print_warnings, selected_warnings
from harness.cli.export_cmd import OtelEndpointOpt, closing, live_export
from harness.cli.failures import check_errors, count_errors
from harness.cli.logs import LogLevelOpt, VerboseOpt, logging_to
from harness.cli.logs import log_level as log_level_of
from harness.cli.options import (
    ArchOpt,
    ConcurrencyOpt,
    ExecutorOpt,
    ForceWorkersOpt,
    MaxCostOpt,
    MaxErrorsOpt,
    MaxStepsOpt,
    MaxTokensOpt,
    ModelOpt,
    QuietOpt,
    RayAddressOpt,
    SeedOpt,
    SeedsOpt,
    SetOpt,
    SuiteOpt,
    WorkersOpt,
    WorldsOpt,
    assignments,
    check_output_file,
    limits,
)
from harness.cli.progress import EpisodeProgress
from harness.cli.tables import render_families, render_paired, render_table
from harness.compare import Comparison, check_baseline, compare
from harness.errors import ConfigError
from harness.execution import IncompleteRun
from harness.loader import architecture_refs, load_architecture
from harness.rerun import replay, resume
from harness.worlds import BUILTIN_RECIPES, check_worlds

if TYPE_CHECKING:
    from harness.execution.plan import EpisodeKey


def compare_command(
    ctx: typer.Context,
    arch: ArchOpt = None,
    suite: SuiteOpt = "default",
    seeds: SeedsOpt = 3,
    seed: SeedOpt = 0,
    worlds: WorldsOpt = 1,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            metavar="ARCH",
            help="Print each architecture's paired differences against this one "
            "(default: the first).",
        ),
    ] = None,
    model: ModelOpt = None,
    set_: SetOpt = None,
    task: Annotated[
        list[str] | None,
        typer.Option("--task", "-t", metavar="TASK_ID", help="Only these task ids (repeatable)."),
    ] = None,
    max_steps: MaxStepsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="RUN_DIR",
            help="Run directory for per-episode results and traces.",
        ),
    ] = None,
    json_file: Annotated[
        Path | None,
        typer.Option(
            "--json",
            metavar="FILE",
            help="Write the summaries and paired differences as JSON ('-': stdout).",
        ),
    ] = None,
    quiet: QuietOpt = False,
    concurrency: ConcurrencyOpt = 1,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not answer real models from the cache.")
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            metavar="DIR",
            help="Response cache directory (default $ARCHBENCH_CACHE_DIR or ~/.cache/archbench).",
        ),
    ] = None,
    record: Annotated[
        bool,
        typer.Option("--record", help="Keep every real model answer in OUT/recording.jsonl."),
    ] = False,
    replay_dir: Annotated[
        Path | None,
        typer.Option(
            "--replay",
            metavar="RUN_DIR",
            help="Rerun a recorded run offline, answers from its recording.jsonl.",
        ),
    ] = None,
    prices: Annotated[
        Path | None,
        typer.Option(
            "--prices", metavar="FILE", help="Price file (TOML) overriding the shipped prices."
        ),
    ] = None,
    workers: WorkersOpt = None,
    force_workers: ForceWorkersOpt = False,
    executor: ExecutorOpt = None,
    ray_address: RayAddressOpt = None,
    max_errors: MaxErrorsOpt = 0,
    verbose: VerboseOpt = False,
    log_level: LogLevelOpt = None,
    resume_dir: Annotated[
        Path | None,
        typer.Option(
            "--resume",
            metavar="RUN_DIR",
            help="Finish an interrupted run: its saved episodes kept, the rest run.",
        ),
    ] = None,
    report: Annotated[
        bool,
        typer.Option(
            "--report/--no-report",
            help="With --out (or --resume): write the HTML report to RUN_DIR/report/.",
        ),
    ] = True,
    otel_endpoint: OtelEndpointOpt = None,
) -> None:
    """Compare architectures on a task suite with simulated (or real) models."""
    level = log_level_of(verbose, log_level)
    check_output_file(json_file, "--json")  # now, not after the run
    if replay_dir is not None:
        _check_replay_flags(ctx)
    if resume_dir is not None:
        _check_resume_flags(ctx)
        _check_run_dir(resume_dir, "--resume")
    check_workers(workers, executor, force_workers)
    check_concurrency(concurrency)
    check_worlds(worlds, BUILTIN_RECIPES.get(suite), suite)  # before anything runs
    check_baseline(baseline, _architectures(arch, replay_dir or resume_dir))
    err = Console(stderr=True)
    if replay_dir is None and resume_dir is None:  # a saved run was warned about when it ran
        models, params = assignments(model, "--model"), assignments(set_, "--set")
        print_warnings(err, selected_warnings(arch, models, params))
    progress = EpisodeProgress(err, quiet)

    def on_progress(done: int, total: int, key: EpisodeKey) -> None:
        progress.update(done, total, key[0])

    run_dir = resume_dir or out
    live = live_export(otel_endpoint) if otel_endpoint else None  # spans after each episode
    try:
        with logging_to(err, level), progress, closing(live):
            if replay_dir is not None:
                jobs = concurrency if _given(ctx, "concurrency") else None
                result = replay(
                    replay_dir, out=out, concurrency=jobs, on_progress=on_progress, on_episode=live
                )
            elif resume_dir is not None:
                result = resume(
                    resume_dir,
                    workers=workers,
                    executor=executor,
                    ray_address=ray_address,
                    concurrency=concurrency if _given(ctx, "concurrency") else None,
                    on_progress=on_progress,
                    on_episode=live,
                    keep_results=False,
                )
            else:
                result = compare(
                    arch,
                    suite=suite,
                    seeds=seeds,
                    seed=seed,
                    worlds=worlds,
                    models=assignments(model, "--model"),
                    params=assignments(set_, "--set"),
                    limits=limits(max_steps, max_tokens, max_cost),
                    tasks=task,
                    out=out,
                    on_progress=on_progress,
                    on_episode=live,
                    concurrency=concurrency,
                    cache=not no_cache,
                    cache_dir=cache_dir,
                    record=record,
                    prices=prices,
                    workers=workers,
                    executor=executor,
                    ray_address=ray_address,
                    keep_results=False,
                )
    except KeyboardInterrupt:
        say(err, _stopped("interrupted", run_dir))
        raise SystemExit(130) from None
    except IncompleteRun as exc:
        say(err, f"archbench: error: {exc}")
        raise SystemExit(1) from None
    _report_calls(err, result, replay_dir)
    if report and run_dir is not None:
        from harness.report import write_report  # matplotlib loads only now

        say(err, f"report written to {write_report(run_dir)}")
    text = json.dumps(result.to_json(baseline), indent=2, ensure_ascii=False) + "\n"
    errors, episodes = count_errors(result.summaries)
    where = [] if result.run_dir is None else [result.run_dir / "results.jsonl"]
    if json_file is not None and str(json_file) == "-":
        typer.echo(text, nl=False)
        check_errors(err, errors, episodes, max_errors, where)
        return
    console = stdout_console()
    console.print(render_table(result))
    console.print(render_families(result))
    base = check_baseline(baseline, [s.architecture for s in result.summaries])
    if base is not None and len(result.summaries) > 1:
        console.print(render_paired(result.paired_differences(base), base))
    if json_file is not None:
        try:
            json_file.write_text(text, encoding="utf-8")
        except OSError as exc:  # checked before the run; the disk may have filled since
            raise ConfigError(f"--json '{json_file}' cannot be written: {exc.strerror}") from None
        say(err, f"summary written to {json_file}")
    if run_dir is not None:
        say(err, f"results and traces written to {run_dir}/")
    check_errors(err, errors, episodes, max_errors, where)


_HOW_IT_RUNS = {
    "quiet",
    "concurrency",
    "report",
    "baseline",
    "max_errors",
    "verbose",
    "log_level",
    "otel_endpoint",
}
"""Flags that change how a run is shown or driven, never what it computes."""

_REPLAY_KEEPS = {"replay_dir", "out", "json_file", *_HOW_IT_RUNS}


_RESUME_KEEPS = {
    "resume_dir",
    "json_file",
    "workers",
    "force_workers",
    "executor",
    "ray_address",
    *_HOW_IT_RUNS,
}


def _architectures(refs: list[str] | None, run_dir: Path | None) -> list[str]:
    """The names of the architectures the command will run (to check --baseline before
    anything runs): a saved run's, or those of --arch."""
    if run_dir is not None:
        try:
            config = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
            return [str(a) for a in config["architectures"]]
        except (OSError, ValueError, KeyError, TypeError):
            return []  # the rerun itself says what is wrong with the directory
    return [load_architecture(r).name for r in architecture_refs(refs)]


def _check_resume_flags(ctx: typer.Context) -> None:
    """A resumed run keeps its configuration: only how it runs may change."""
    for param in ctx.command.params:
        if param.name and param.name not in _RESUME_KEEPS and _given(ctx, param.name):
            flag = max(param.opts, key=len)
            raise ConfigError(
                f"--resume finishes the run as it was configured: {flag} cannot be combined "
                "with it (only --workers, --force-workers, --executor, --ray-address, "
                "--concurrency, --json, --baseline, --report, --quiet, --max-errors, "
                "--verbose, --log-level, --otel-endpoint)"
            )


def _check_run_dir(run_dir: Path, flag: str) -> None:
    """A run directory to finish or replay must hold a run: a typo in its name would
    otherwise be reported deep inside, or (for a sweep) start afresh."""
    if not (run_dir / "config.json").is_file():
        what = "does not exist" if not run_dir.exists() else "holds no run (no config.json)"
        raise ConfigError(f"{flag} '{run_dir}' {what}")


def _stopped(why: str, run_dir: Path | None) -> str:
    if run_dir is None or not (run_dir / "results.jsonl").exists():
        return f"archbench: {why}; nothing was saved (pass --out to keep finished episodes)"
    with open(run_dir / "results.jsonl", "rb") as fh:
        saved = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return (
        f"archbench: {why}; {saved} finished episodes are saved in {run_dir}: finish the run "
        f"with 'archbench compare --resume {run_dir}'"
    )


def _given(ctx: typer.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def _check_replay_flags(ctx: typer.Context) -> None:
    """A replay reruns the recorded configuration: flags that would change it are refused."""
    for param in ctx.command.params:
        if param.name and param.name not in _REPLAY_KEEPS and _given(ctx, param.name):
            flag = max(param.opts, key=len)
            raise ConfigError(
                f"--replay reruns the recorded configuration: {flag} cannot be combined with it"
            )


def _report_calls(err: Console, result: Comparison, replay_dir: Path | None) -> None:
    """After a run with real models: how their calls were served, and for a replay whether
    the results are those of the recording."""
    calls = result.calls
    if calls is None or not (calls.any or replay_dir is not None):
        return
    lines = [calls.describe()]
    if result.run_dir is not None and calls.recorded:
        lines.append(f"recording written to {result.run_dir / 'recording.jsonl'}")
    if replay_dir is not None:
        same = result.matches(replay_dir)
        verdict = "identical to" if same else "DIFFERENT from"
        lines.append(f"replay: results {verdict} {replay_dir / 'results.jsonl'}")
    for line in lines:
        say(err, line)
