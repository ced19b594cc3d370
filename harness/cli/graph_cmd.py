"""`archbench graph`: draw architectures, alone or side by side, optionally with a run's
trace overlaid."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from harness.cli.design import warning_lines
from harness.cli.options import ModelOpt, SetOpt, assignments
from harness.cli.text import visible
from harness.compare import prepare
from harness.drawing import METRICS, Overlay, draw, figure, format_for_path, load_overlay
from harness.drawing.overlay import Metric, run_architectures
from harness.drawing.render import BINARY, FORMATS, check_format
from harness.errors import ConfigError, UnknownNameError
from harness.graph import CompiledArchitecture


def graph_command(
    arch: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ARCH",
            help="Architecture names or files; several are drawn side by side.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Write to this file; its suffix picks the format (.svg .png .pdf .dot .gv "
            ".mmd .mermaid .txt). Without it the drawing is printed (ascii by default).",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", metavar="FORMAT", help=f"One of {', '.join(FORMATS)}."),
    ] = None,
    all_: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every built-in architecture, side by side (with --run: every architecture "
            "of the run).",
        ),
    ] = False,
    run: Annotated[
        Path | None,
        typer.Option(
            "--run",
            metavar="RUN_DIR",
            help="Overlay a run directory (from 'archbench compare --out DIR'): node colour "
            "and edge width show what the run did.",
        ),
    ] = None,
    episode: Annotated[
        str | None,
        typer.Option(
            "--episode",
            metavar="ID",
            help="With --run: one episode, TASK_ID@SEED, or TASK_ID for every seed of a "
            "task (default: the whole run).",
        ),
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option(
            "--metric",
            metavar="METRIC",
            help="With --run: what node colour shows: cost, tokens, steps or visits "
            "(default: cost, or tokens when a price is unknown).",
        ),
    ] = None,
    model: ModelOpt = None,
    set_: SetOpt = None,
    plain: Annotated[
        bool, typer.Option("--plain", help="ascii format: plain ASCII, no box-drawing characters.")
    ] = False,
) -> None:
    """Draw architectures as graphs: agents with their roles and models, fan-outs, routers
    and loops; with --run, where the steps, tokens and money went. Design warnings (see
    'archbench list --check') follow the drawing, on stderr."""
    if fmt is not None:
        check_format(fmt)
    if metric is not None and metric not in METRICS:
        raise ConfigError(f"unknown --metric '{metric}' (choose: {', '.join(METRICS)})")
    if run is None and (episode is not None or metric is not None):
        raise ConfigError(f"{'--episode' if episode else '--metric'} needs --run RUN_DIR")
    if all_ and arch:
        raise ConfigError("give architecture names or --all, not both")
    if not arch and not all_ and run is None:
        raise ConfigError(
            "give an architecture to draw (see 'archbench list architectures'), several, or --all"
        )
    if run is not None and (model or set_):
        raise ConfigError(
            "--model/--set do not apply with --run: the run's own roles and parameters are drawn"
        )
    if out is not None and out.is_dir():
        raise ConfigError(f"-o '{out}' is a directory; give a file name")
    kind = format_for_path(out, fmt) if out is not None else (fmt or "ascii")
    if out is None and kind in BINARY:
        raise ConfigError(f"{kind} is a binary format: give -o FILE")

    overlays: list[Overlay] = []
    archs: list[CompiledArchitecture] | None
    if run is not None:
        refs = list(arch) if arch else run_architectures(run)
        overlays = [_overlay(run, ref, episode) for ref in refs]
        archs = None
    else:
        archs = prepare(
            ["all"] if all_ else arch, assignments(model, "--model"), assignments(set_, "--set")
        )
    fig = figure(archs, overlays or None, _metric(metric))
    unicode = not plain and (out is not None or _terminal_unicode())
    data = draw(fig, kind, unicode=unicode, on_fallback=_notice)
    if out is None:
        sys.stdout.write(_printable(data.decode("utf-8")))
        sys.stdout.flush()
    else:
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise ConfigError(f"-o '{out}' cannot be written: {exc.strerror}") from None
        names = ", ".join(s.name for s in fig.scenes)
        typer.echo(visible(f"{kind} drawing of {names} written to {out}"))
    for line in warning_lines(archs or []):  # on stderr: a drawing piped to a file stays clean
        _notice(line)


def _printable(text: str) -> str:
    """A drawing for the terminal: its names come from spec files, so control characters
    in them are made visible; its own newlines and tabs are kept."""
    return "\n".join("\t".join(map(visible, line.split("\t"))) for line in text.split("\n"))


def _metric(value: str | None) -> Metric | None:
    for m in METRICS:
        if m == value:
            return m
    return None


def _notice(message: str) -> None:
    print(visible(message), file=sys.stderr)


def _terminal_unicode() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "╭─▼║┄█".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _overlay(run: Path, ref: str, episode: str | None) -> Overlay:
    try:
        return load_overlay(run, ref, episode)
    except UnknownNameError as exc:
        if "unknown architecture" not in str(exc):
            raise
        raise UnknownNameError(
            f"{exc}; if run '{run}' used an architecture file, name the file: "
            f"archbench graph FILE --run {run}"
        ) from None
