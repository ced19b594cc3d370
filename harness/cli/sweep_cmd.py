"""`archbench sweep`: the comparison over a grid of settings, written to a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from harness.bounds import check_concurrency, check_workers
from harness.cli.console import say, stdout_console
from harness.cli.design import print_warnings, selected_warnings
from harness.cli.export_cmd import OtelEndpointOpt, closing, live_export
from harness.cli.failures import FAILED, check_errors
from harness.cli.logs import LogLevelOpt, VerboseOpt, logging_to
from harness.cli.logs import log_level as log_level_of
from harness.cli.options import (
    ArchOpt,
    ConcurrencyOpt,
    ExecutorOpt,
    ForceWorkersOpt,
    MaxErrorsOpt,
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
)
from harness.cli.progress import EpisodeProgress
from harness.cli.text import shown
from harness.compare import Comparison
from harness.errors import ConfigError
from harness.report.analysis import arch_row
from harness.report.load import load_cell, sweep_layout
from harness.stats import DEFAULT_REPS
from harness.sweep import Cell, cell_suites, plan_sweep, run_sweep

if TYPE_CHECKING:
    from harness.execution.plan import EpisodeKey

GRID_HELP = (
    "Sweep axes, KEY=V1,V2,...: an architecture parameter (max_steps=5,10,20; "
    "ARCH:PARAM for one design), a role's model (model.worker=mock/kimi-k2,mock/qwen-plus), a "
    "simulated-model parameter (skill=0.6,0.9 on every role, worker.skill for one), a task "
    "generator parameter (hops=2,3,4 breadth=3-5 distractors alias_rate per_family) or a "
    "budget (budget_tokens, budget_usd, budget_steps)."
)


def sweep_command(
    grid: Annotated[
        list[str] | None,
        typer.Argument(metavar="KEY=V1,V2,...", help=GRID_HELP, show_default=False),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Run directory: a sub-directory per cell, as it finishes.",
        ),
    ] = Path("runs/sweep"),
    arch: ArchOpt = None,
    suite: SuiteOpt = "default",
    seeds: SeedsOpt = 3,
    seed: SeedOpt = 0,
    worlds: WorldsOpt = 1,
    model: ModelOpt = None,
    set_: SetOpt = None,
    family: Annotated[
        list[str] | None,
        typer.Option(
            "--family", "-f", metavar="FAMILY", help="Only tasks of this family (repeatable)."
        ),
    ] = None,
    budget_tokens: Annotated[
        str | None,
        typer.Option(
            "--budget-tokens",
            metavar="N[,N...]",
            help="The same token cap per episode for every architecture; several values sweep it.",
        ),
    ] = None,
    budget_usd: Annotated[
        str | None,
        typer.Option(
            "--budget-usd", metavar="X[,X...]", help="The same US$ cap per episode (sweepable)."
        ),
    ] = None,
    budget_steps: Annotated[
        str | None,
        typer.Option(
            "--budget-steps", metavar="N[,N...]", help="The same model-call cap per episode."
        ),
    ] = None,
    task_seed: Annotated[
        int,
        typer.Option(
            "--task-seed", metavar="N", help="World seed of generated suites (task axes)."
        ),
    ] = 0,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an interrupted sweep in OUT (same grid).")
    ] = False,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write OUT/report/index.html at the end.")
    ] = True,
    quiet: QuietOpt = False,
    concurrency: ConcurrencyOpt = 1,
    workers: WorkersOpt = None,
    force_workers: ForceWorkersOpt = False,
    executor: ExecutorOpt = None,
    ray_address: RayAddressOpt = None,
    max_errors: MaxErrorsOpt = 0,
    verbose: VerboseOpt = False,
    log_level: LogLevelOpt = None,
    otel_endpoint: OtelEndpointOpt = None,
) -> None:
    """Run every architecture in every cell of a grid; accuracy, cost and their intervals
    per cell, and (by default) the HTML report."""
    level = log_level_of(verbose, log_level)
    _check_out(out, resume)
    check_workers(workers, executor, force_workers)
    check_concurrency(concurrency)
    axes = list(grid or [])
    for key, value in (
        ("budget_tokens", budget_tokens),
        ("budget_usd", budget_usd),
        ("budget_steps", budget_steps),
    ):
        if value is not None:
            axes.append(f"{key}={value}")
    plan = plan_sweep(
        axes,
        architectures=arch,
        suite=suite,
        seeds=seeds,
        seed=seed,
        models=assignments(model, "--model"),
        params=assignments(set_, "--set"),
        families=family,
        task_seed=task_seed,
    )
    cell_suites(plan, worlds)  # a suite that cannot have --worlds worlds: one line, now
    remote = executor in ("processes", "ray") or (workers or 1) > 1
    if remote and plan.real_models:  # as compare would say, but before OUT is made
        flag = "--executor ray" if executor == "ray" else "--workers"
        raise ConfigError(
            f"{flag} runs simulated models in other processes; real models "
            f"({min(plan.real_models)}) run in this process: overlap their calls with "
            "--concurrency instead"
        )
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    heading = (
        f"sweep: {len(plan.cells)} cell(s) x {len(plan.architectures)} architecture(s) x "
        f"{len(plan.seeds)} seed(s) -> {out}/"
    )
    per_cell = len(plan.architectures) * len(plan.seeds) * len(plan.cells[0].tasks or ()) * worlds
    progress = EpisodeProgress(err, quiet, per_cell * len(plan.cells) or None)
    state = {"cells": 0, "base": 0, "done": 0, "said": 0}
    warned = list(
        dict.fromkeys(  # once each, however many cells share the trap
            line
            for cell in plan.cells
            for line in selected_warnings(plan.architectures, cell.models, cell.params)
        )
    )

    def announce() -> None:
        """The heading, once the sweep has started: a mistake found while opening the
        run directory (a resumed sweep planned differently) stays the only line."""
        if not state["said"]:
            state["said"] = 1
            say(err, heading)
            print_warnings(err, warned)

    def on_progress(done: int, total: int, key: EpisodeKey) -> None:
        announce()
        state["done"] = state["base"] + done
        label = f"cell {state['cells'] + 1}/{len(plan.cells)} {key[0]}"
        progress.update(state["done"], progress.total, label)

    def on_cell(cell: Cell, result: Comparison) -> None:
        state["cells"] += 1
        state["base"] = state["done"]

    live = live_export(otel_endpoint) if otel_endpoint else None  # spans after each episode
    with logging_to(err, level), progress, closing(live):
        run_sweep(
            plan,
            out,
            resume=resume,
            on_progress=on_progress,
            on_cell=on_cell,
            on_episode=live,
            concurrency=concurrency,
            workers=workers,
            executor=executor,
            ray_address=ray_address,
            worlds=worlds,
        )
    announce()
    errors, episodes, failed = _print_table(out)
    say(err, f"results written to {out}/ (one directory per cell under {out}/cells/)")
    if report:
        from harness.report import write_report

        say(err, f"report written to {write_report(out)}")
    else:
        say(err, f"write the report with: archbench report {out}")
    check_errors(err, errors, episodes, max_errors, [d / "results.jsonl" for d in failed])


def _check_out(out: Path, resume: bool) -> None:
    """The run directory, before the grid is planned: `--resume` needs a sweep to
    finish (a typo used to start a new one, silently), a new sweep an empty place."""
    if resume:
        if not (out / "sweep.json").is_file():
            what = "does not exist" if not out.exists() else "holds no sweep (no sweep.json)"
            raise ConfigError(
                f"--resume: '{out}' {what}; run without --resume to start a new sweep"
            )
    elif out.exists() and not out.is_dir():
        raise ConfigError(f"--out '{out}' is a file; choose a directory")


def _print_table(out: Path) -> tuple[int, int, list[Path]]:
    """Print the sweep's table; (episodes in error, episodes, the cells that have any)."""
    from harness.report.fold import TraceKeeper

    layout = sweep_layout(out)
    t = Table(title=shown(f"archbench sweep: {out}"))
    keys = [str(a["key"]) for a in layout.varying]
    for k in ["cell", *keys, "architecture"]:
        t.add_column(shown(k), no_wrap=True)
    for col in ("episodes", "errors", "accuracy", "95% CI", "tokens", "cost $", "latency s"):
        t.add_column(col, justify="right")
    errors = episodes = 0
    failed: list[Path] = []
    for cell_id, labels, cell_dir in layout.cells:
        # one cell's results at a time, no steps: a sweep of any size prints in flat memory
        cell = load_cell(cell_dir, cell_id, labels, TraceKeeper(0))
        for a in cell.architectures:
            rs = cell.of(a)
            if not rs:
                continue
            r = arch_row(cell, a, rs, reps=DEFAULT_REPS, seed=0)  # the summaries' interval
            acc = r.accuracy
            n_err = r.outcomes.get(FAILED, 0)
            errors += n_err
            episodes += r.episodes
            if n_err and cell_dir not in failed:
                failed.append(cell_dir)
            t.add_row(
                shown(cell.id),
                *(shown(cell.labels.get(k, "")) for k in keys),
                shown(a),
                str(r.episodes),
                Text(str(n_err), style="bold red" if n_err else ""),
                "-" if acc is None else f"{acc.mean:.1%}",
                "-" if acc is None else f"{acc.lo:.0%}-{acc.hi:.0%}",
                f"{r.tokens:,.0f}",
                "unknown" if r.mean_cost is None else f"{r.mean_cost:.4f}",
                f"{r.latency:.1f}",
            )
    stdout_console().print(t)
    return errors, episodes, failed
