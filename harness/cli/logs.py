"""`-v` and `--log-level`: what archbench's loggers say, on stderr, made safe to show.

Why: a real model's backend retries a call that timed out, was refused or rate-limited,
and says so through `logging` ("archbench.backends": the model, the reason, the wait);
without a handler those lines went nowhere, so a run whose every episode ended in `error`
showed no sign of the retries that came first. The handler here prints them above the
progress bar, each line through the same cleaning as every other untrusted text
(`harness.cli.text.visible`) and with secrets taken out (`harness.redact`): a reason can
quote a server's reply, and a model id can carry a key. Only archbench's own loggers are
shown; the HTTP libraries' debug lines can hold request headers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from harness.cli.text import visible
from harness.errors import ConfigError
from harness.redact import redact

LOGGER = "archbench"
"""The parent of every archbench logger: archbench.backends (retries and their reasons,
usage a server reported wrongly), archbench.corpus."""
LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}

VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Show what happens on the way: retries and their reasons."
    ),
]
LogLevelOpt = Annotated[
    str | None,
    typer.Option(
        "--log-level",
        metavar="LEVEL",
        help="How much to show: debug, info (as -v), warning (the default) or error.",
    ),
]


def log_level(verbose: bool, level: str | None) -> int:
    """The level `-v` / `--log-level` ask for (`--log-level` wins when both are given)."""
    if level is None:
        return logging.INFO if verbose else logging.WARNING
    try:
        return LEVELS[level.strip().lower()]
    except KeyError:
        raise ConfigError(
            f"--log-level must be one of {', '.join(LEVELS)}, got '{visible(level)}'"
        ) from None


class _ConsoleHandler(logging.Handler):
    def __init__(self, console: Console, level: int) -> None:
        super().__init__(level)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = redact(visible(record.getMessage()))
            line = Text(f"{record.levelname.lower()}: ", style="dim")
            line.append(text)
            self.console.print(line, soft_wrap=True, highlight=False)
        except Exception:  # a log line must never end the run
            self.handleError(record)


@contextmanager
def logging_to(console: Console, level: int) -> Iterator[None]:
    """Archbench's log records at `level` and above go to `console` while the block
    runs; the loggers are as they were afterwards (the CLI can run many times in one
    process: tests, notebooks)."""
    logger = logging.getLogger(LOGGER)
    handler = _ConsoleHandler(console, level)
    before = logger.level
    if logger.getEffectiveLevel() > level:  # more detail; never less than others asked
        logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)
