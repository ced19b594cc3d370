"""`archbench study list|run`: published findings reproduced by named recipes.

A thin layer over `harness.studies`: `run` checks the flags, runs the study (its runs are
ordinary run directories under `--out`, so a repeated or interrupted study reuses and
finishes them), prints the table as markdown and writes `study.json` and `study.md`.
The studies are imported when a study command runs, not when `archbench` starts.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from harness.bounds import check_workers
from harness.cli.options import ExecutorOpt, ForceWorkersOpt, WorkersOpt

app = typer.Typer(
    help="Published findings reproduced by recipe: list the studies, run one.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("list", help="List the studies: name, version, claim, source.")
def list_command() -> None:
    from harness.studies import STUDIES  # the studies import the runner: only when used

    for s in STUDIES.values():
        print(f"{s.name} (v{s.version}): {s.claim}")
        print(f"    source: {s.source}")
        print(f"    published: {s.published}")


@app.command("run", help="Run a study and write DIR/study.json, DIR/study.md and DIR/study.html.")
def run_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A study ('archbench study list').")],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", metavar="DIR", help="Directory for the study's runs and tables."
        ),
    ],
    quick: Annotated[
        bool, typer.Option("--quick", help="A few tasks and one seed: a smoke test, not figures.")
    ] = False,
    workers: WorkersOpt = None,
    force_workers: ForceWorkersOpt = False,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity",
            help="Rerun with each preset parameter of every bound model shifted up and down "
            "(skill 0.05, persistence 0.1, hallucination 0.02, summary_fidelity 0.1, "
            "degradation 0.1) and report per row whether the verdict flips.",
        ),
    ] = False,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            metavar="PARAM=AMOUNT",
            help="A shift for --sensitivity instead of the defaults (repeatable; implies "
            "--sensitivity), e.g. --vary skill=0.1.",
        ),
    ] = None,
    executor: ExecutorOpt = None,
) -> None:
    from harness.studies import get_study
    from harness.studies.framework import executing
    from harness.studies.sensitivity import DEFAULT_SHIFTS, parse_shifts, run_sensitivity

    study = get_study(name)  # an unknown name fails before anything is written
    check_workers(workers, executor, force_workers)
    shifts = parse_shifts(vary or []) or (DEFAULT_SHIFTS if sensitivity else ())
    start = time.perf_counter()
    with executing(executor):
        result = study.run(quick, out, workers)
        if shifts:
            result = run_sensitivity(study, result, quick, out, workers, shifts)
    result.write(out)
    print(result.markdown(), end="")
    print(
        f"\n{name}: {time.perf_counter() - start:.1f} s; wrote {out / 'study.json'}, "
        f"{out / 'study.md'}, {out / 'study.html'}"
    )
