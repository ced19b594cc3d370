"""`archbench diff RUN_A RUN_B`: two runs of the same tasks and seeds, episode by episode.

A thin layer over `harness.diff_runs`: it parses the flags, and prints or writes what that
returns (`harness.diff_render`). Every check is made before anything is written, so a
mistake costs one line and exit code 2, and no half-written file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from harness.cli.console import say, stdout_console
from harness.cli.options import check_output_file
from harness.diff import diff_runs
from harness.errors import ConfigError
from harness.selection import split_assignment


def _write(path: Path, text: str, flag: str, err: Console, what: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{flag} '{path}' cannot be written: {exc.strerror}") from None
    say(err, f"{what} written to {path}")


def diff_command(
    run_a: Annotated[Path, typer.Argument(metavar="RUN_A", help="The run before the change.")],
    run_b: Annotated[Path, typer.Argument(metavar="RUN_B", help="The run after the change.")],
    arch: Annotated[
        list[str] | None,
        typer.Option(
            "--arch",
            "-a",
            metavar="NAME",
            help="Only this architecture, present in both runs (repeatable; default: every "
            "architecture of both).",
        ),
    ] = None,
    pair: Annotated[
        list[str] | None,
        typer.Option(
            "--pair",
            metavar="A_NAME=B_NAME",
            help="Set run A's design A_NAME against run B's B_NAME (repeatable).",
        ),
    ] = None,
    show: Annotated[
        int,
        typer.Option(
            "--show", min=0, metavar="N", help="Flipped episodes listed each way (default 10)."
        ),
    ] = 10,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="Also write a self-contained HTML page."),
    ] = None,
    json_file: Annotated[
        Path | None,
        typer.Option("--json", metavar="FILE", help="Write the differences as JSON ('-': stdout)."),
    ] = None,
) -> None:
    """Run B minus run A on the same worlds, tasks and seeds: paired differences of
    accuracy, cost, tokens and latency (the interval of compare --baseline), the episodes
    that flipped, and those only one run holds."""
    check_output_file(json_file, "--json")
    check_output_file(html, "--html")
    pairs: dict[str, str] = {}
    for raw in pair or []:
        name_a, name_b = split_assignment(raw, "--pair")
        if name_a in pairs and pairs[name_a] != name_b:
            raise ConfigError(f"--pair '{raw}': '{name_a}' is already paired with {pairs[name_a]}")
        pairs[name_a] = name_b
    result = diff_runs(run_a, run_b, archs=arch, pairs=pairs)
    err = Console(stderr=True)
    for note in result.notes:
        say(err, f"note: {note}")
    text = json.dumps(result.to_json(show), indent=2, ensure_ascii=False) + "\n"
    if json_file is not None and str(json_file) == "-":
        typer.echo(text, nl=False)
    else:
        from harness.diff_render import render_terminal

        stdout_console().print(render_terminal(result, show))
        if json_file is not None:
            _write(json_file, text, "--json", err, "differences")
    if html is not None:
        from harness.diff_render import render_html

        _write(html, render_html(result, show), "--html", err, "page")
