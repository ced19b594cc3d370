"""Design warnings on the terminal: one line per trap `harness.lint` finds.

Why a module of its own: `run`, `compare`, `sweep`, `graph` and `list --check` all say the
same thing the same way (`warning: architecture 'NAME': ...`), once per run, and never
fail because of it: a warning is advice about a valid design, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console

from harness.cli.console import say
from harness.compare import prepare
from harness.errors import UserError
from harness.graph import CompiledArchitecture
from harness.lint import lint


def warning_lines(archs: Iterable[CompiledArchitecture]) -> list[str]:
    """Each warning of each architecture as the line printed, in order, each once (a
    sweep compiles an architecture once per cell; the same trap is one line)."""
    lines: list[str] = []
    for arch in archs:
        for w in lint(arch):
            line = f"warning: architecture '{arch.name}': {w.message}"
            if line not in lines:
                lines.append(line)
    return lines


def selected_warnings(
    refs: Sequence[str] | None, models: dict[str, str], params: dict[str, str]
) -> list[str]:
    """The warning lines of the architectures a command will run, or none when they do
    not compile: the command itself then fails with its one-line error, in its own order."""
    try:
        return warning_lines(prepare(refs, models, params))
    except UserError:
        return []


def print_warnings(console: Console, lines: Iterable[str]) -> None:
    """Print the lines (names in them come from spec files: shown, never markup)."""
    for line in lines:
        say(console, line)
