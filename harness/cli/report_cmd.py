"""`archbench report RUN_DIR`: the self-contained HTML report of a run or a sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from harness.cli.console import say
from harness.errors import ConfigError


def report_command(
    run_dir: Annotated[
        Path,
        typer.Argument(
            metavar="RUN_DIR",
            help="A run directory (compare --out, sweep --out or train --out).",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="DIR", help="Where to write the report (default RUN_DIR/report)."
        ),
    ] = None,
    traces: Annotated[
        str,
        typer.Option(
            "--traces",
            metavar="N|all",
            help="How many per-episode trace pages (failed episodes first), or 'all'.",
        ),
    ] = "300",  # harness.report.DEFAULT_TRACES (not imported: it would load the report)
) -> None:
    """Write RUN_DIR/report/index.html: summary with confidence intervals, accuracy vs cost
    (Pareto front), sweep curves, paired comparisons, per-family winners, cost per model and
    role, failure modes, drawings and per-episode trace pages. Opens from disk, offline."""
    limit: int | None
    if traces == "all":
        limit = None
    else:
        try:
            limit = int(traces)
        except ValueError:
            raise ConfigError(f"--traces must be a number or 'all', got '{traces}'") from None
        if limit < 0:
            raise ConfigError(f"--traces must not be negative, got {traces}")
    from harness.report.build import check_report_dir, write_run
    from harness.report.load import load_run
    from harness.report.training import is_training_dir
    from harness.stats import DEFAULT_REPS

    if is_training_dir(run_dir):  # `archbench train --out DIR`: learning curves, traces
        _training_report(run_dir, out)
        return

    # a missing or empty directory fails here, with one line; the run is read only once
    run = load_run(run_dir, traces=limit, overlay=True)
    check_report_dir(run.dir, out)  # another writer, or a link: one line, before the notes
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for note in run.all_notes():
        if note.level == "warn":
            say(err, f"note: {note.text}")
    index = write_run(run, out, reps=DEFAULT_REPS, seed=0)
    say(err, f"report written to {index}")


def _training_report(run_dir: Path, out: Path | None) -> None:
    from harness.report.training import write_training_report

    index = write_training_report(run_dir, out)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    say(err, f"report written to {index}")
