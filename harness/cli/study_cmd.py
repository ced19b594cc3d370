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


@app.command("run", help="Run a study and write DIR/study.json and DIR/study.md.")
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
    executor: ExecutorOpt = None,
) -> None:
    from harness.studies import get_study
    from harness.studies.framework import executing

    study = get_study(name)  # an unknown name fails before anything is written
    check_workers(workers, executor, force_workers)
    start = time.perf_counter()
    with executing(executor):
        result = study.run(quick, out, workers)
    result.write(out)
    print(result.markdown(), end="")
    print(
        f"\n{name}: {time.perf_counter() - start:.1f} s; wrote {out / 'study.json'}, "
        f"{out / 'study.md'}"
    )
