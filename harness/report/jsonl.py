"""Reading a run's .jsonl files one line at a time: the one line reader behind both the
report (which reads leniently and says what it skipped) and `load_overlay` (which reads
strictly and raises), so both number, split and skip lines the same way."""

from __future__ import annotations

import errno
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from harness import runpaths
from harness.errors import ConfigError


def _open(path: Path, errors: str) -> IO[str]:
    """`path` for reading text, following no link (an `OSError`, ELOOP, if it is one)."""
    try:
        return runpaths.open_text(path.parent, path.name, errors)
    except runpaths.LinkRefused:
        raise OSError(errno.ELOOP, "a symbolic link, which archbench does not follow") from None


class JsonLines:
    """The JSON values of a .jsonl file as (line number, value), one at a time.

    Lines are numbered as `str.splitlines` numbers them (blank lines count, and are
    skipped). Lines that are not JSON are skipped and listed in `bad`; an OSError ends the
    reading and is kept in `error`. `errors` is how undecodable bytes are read: the
    report replaces them, `load_overlay` reads strictly (a UnicodeDecodeError escapes).

    The file is opened without following a link (`harness.runpaths`: a link is an
    `error`), and a line longer than `runpaths.MAX_RECORD_BYTES` characters ends the
    reading (`too_long`: its number), so no file makes the reader's memory grow without
    bound."""

    def __init__(self, path: Path, errors: str = "replace") -> None:
        self.path = path
        self.errors = errors
        self.count = 0
        self.bad: list[int] = []
        self.error: OSError | None = None
        self.too_long: int | None = None

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        cap = runpaths.limit()
        try:
            with _open(self.path, self.errors) as f:
                while raw := f.readline(cap + 1):
                    if len(raw) > cap:
                        self.too_long = self.count + 1
                        return
                    for line in raw.splitlines():  # the line breaks str.splitlines knows
                        self.count += 1
                        if not line.strip():
                            continue
                        try:
                            obj = json.loads(line)
                        except ValueError:
                            self.bad.append(self.count)
                            continue
                        yield self.count, obj
        except OSError as exc:
            self.error = exc

    def describe_too_long(self) -> str | None:
        if self.too_long is None:
            return None
        return (
            f"'{self.path}' line {self.too_long} is longer than {runpaths.mib(runpaths.limit())}: "
            "not a line archbench writes; the rest of the file is not read"
        )

    @property
    def torn(self) -> bool:
        """Only the last line is unreadable: the run was interrupted while writing it."""
        return self.bad == [self.count]

    def strict_error(self) -> ConfigError | None:
        """What a strict reader makes of the file once read: it cannot be read, or a line
        other than the last (which an interrupted run may have cut short) is not JSON."""
        if self.error is not None:
            return ConfigError(f"'{self.path}' cannot be read: {self.error.strerror}")
        if self.too_long is not None:
            return runpaths.RecordTooLong(self.describe_too_long() or "")
        for i in self.bad:
            if i != self.count:
                return ConfigError(f"'{self.path}' line {i} is not JSON")
        return None
