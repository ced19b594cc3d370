"""`archbench fit RUN_DIR --role ROLE [-o PROFILE]`: a recorded run's model as a profile.

A thin layer over `harness.fitting.fit.fit_profile`: it checks the flags, fits, writes
the profile file and prints what was fitted, with intervals, and what the run could not
identify (kept at the base preset's value). See docs/fitting.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from harness.cli.console import say, stdout_console
from harness.cli.options import check_output_file
from harness.fitting.fit import DEFAULT_BASE, DEFAULT_REPS
from harness.fitting.profile_file import write_profile


def fit_command(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN_DIR", help="A run directory.")],
    role: Annotated[
        str, typer.Option("--role", "-r", metavar="ROLE", help="The role whose model to fit.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "-o", "--out", metavar="PROFILE", help="Write the profile (JSON; '-': stdout)."
        ),
    ] = None,
    base: Annotated[
        str,
        typer.Option(
            "--base",
            metavar="MODEL",
            help=f"Preset kept where the run cannot tell (default {DEFAULT_BASE}).",
        ),
    ] = DEFAULT_BASE,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the bootstrap resamples (default 0).")
    ] = 0,
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap", min=10, metavar="N", help=f"Resamples (default {DEFAULT_REPS})."
        ),
    ] = DEFAULT_REPS,
) -> None:
    """Classify every decision ROLE's model made in RUN_DIR against the tasks' hidden
    solutions, fit the profile parameters by maximum likelihood with bootstrap intervals,
    and write a profile that `mock/profile?file=PROFILE` runs as a model."""
    check_output_file(out, "-o")
    from harness.fitting.fit import fit_profile

    doc = fit_profile(run_dir, role, base=base, seed=seed, reps=bootstrap)
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if out is not None and str(out) == "-":
        typer.echo(text, nl=False)
        return
    console = stdout_console()
    console.print(_table(doc))
    classes = ", ".join(f"{k} {v}" for k, v in doc["classes"].items())
    console.print(f"decisions classified: {classes or 'none'}", highlight=False)
    skipped = doc["source"]["loops_not_classified"]
    if skipped:
        console.print(f"{skipped} agent loops whose input the trace cannot give back were left out")
    if out is not None:
        write_profile(out, doc)
        say(Console(stderr=True), f"profile written to {out}; use it as mock/profile?file={out}")


def _table(doc: dict[str, Any]) -> Table:
    src = doc["source"]
    table = Table(title=f"archbench fit: role {src['role']}, {src['episodes']} episodes")
    for col in ("parameter", "value", "95% interval", "decisions", "identified"):
        table.add_column(col, justify="left" if col == "parameter" else "right")
    for k, v in doc["parameters"].items():
        iv = doc["intervals"].get(k)
        ivs = "" if iv is None else f"{_num(iv[0])}-{_num(iv[1]) if iv[1] is not None else '?'}"
        ident = "yes" if doc["identified"].get(k) else f"no (base {src['base']})"
        table.add_row(k, _num(v), ivs, str(doc["decisions"].get(k, "")), ident)
    return table


def _num(v: float | int | None) -> str:
    if v is None:
        return "?"
    return f"{v:,}" if isinstance(v, int) else f"{v:.4g}"
