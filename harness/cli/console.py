"""Where the CLI prints: a terminal gets its own width; a pipe or a file gets a wide
console, so tables are not squeezed into 80 columns and ids are never broken."""

from __future__ import annotations

from rich.console import Console

from harness.cli.text import shown


def stdout_console(**kwargs: object) -> Console:
    console = Console(**kwargs)  # type: ignore[arg-type]
    if not console.is_terminal:
        console = Console(width=170, **kwargs)  # type: ignore[arg-type]
    return console


def say(console: Console, line: object) -> None:
    """One line of text that may hold untrusted pieces (a path, a name, a reason): shown
    as it is (`shown`: no markup, control characters visible), wrapped only by the
    terminal."""
    console.print(shown(line), soft_wrap=True, highlight=False)
