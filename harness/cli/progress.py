"""The episode progress bar shared by `compare` and `sweep`, on stderr.

It has no refresh thread (it redraws at most ten times a second, from the callback), so
worker processes can be forked while it is shown, and a bar costs nothing per episode.
Its label holds an architecture's name, from a file: shown as it is, never as markup.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harness.cli.text import visible


class EpisodeProgress:
    def __init__(self, console: Console, quiet: bool, total: int | None = None) -> None:
        self.progress = Progress(
            TextColumn("{task.description}", markup=False),  # names come from files
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=quiet or not console.is_terminal,  # a pipe would get a stray newline
            auto_refresh=False,
        )
        self.total = total
        self.bar = self.progress.add_task("episodes", total=total)
        self._shown = 0.0

    def update(self, done: int, total: int | None, description: str) -> None:
        self.progress.update(
            self.bar, completed=done, total=total, description=visible(description)
        )
        now = time.monotonic()
        if now - self._shown >= 0.1 or done == total:
            self._shown = now
            self.progress.refresh()

    def __enter__(self) -> EpisodeProgress:
        self.progress.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.progress.__exit__(kind, exc, tb)
