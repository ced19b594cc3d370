"""Where the CLI prints: a terminal gets its own width; a pipe or a file gets a wide
console, so tables are not squeezed into 80 columns and ids are never broken."""

from __future__ import annotations

from rich.console import Console


def stdout_console(**kwargs: object) -> Console:
    console = Console(**kwargs)  # type: ignore[arg-type]
    if not console.is_terminal:
        console = Console(width=170, **kwargs)  # type: ignore[arg-type]
    return console
