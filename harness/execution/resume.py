"""What an interrupted run directory already holds, read back for `--resume`.

A run appends one line to results.jsonl and one to traces.jsonl per episode as it
finishes. A crash (a `kill -9`, a lost machine) can leave the last line of either file
half-written, or a result without its trace. `scan` finds every episode whose result and
trace lines are both complete, keyed by (architecture, task, seed) rather than by line
number, cuts torn tails off so appending can go on, and remembers where each line is so
the run can finish with both files in planned order, as an uninterrupted run writes them.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from harness import runpaths
from harness.errors import ConfigError
from harness.execution.plan import EpisodeKey, Job, parse_result
from harness.trace import EpisodeResult

RESULTS = "results.jsonl"
TRACES = "traces.jsonl"
_TRACE_HEAD = re.compile(rb'^\{"format_version":\d+,"architecture":')
_DECODER = json.JSONDecoder()


def _missing(n: int) -> array[int]:
    return array("q", [-1]) * n


@dataclass
class Lines:
    """Where each planned episode's line is in one file (-1: not there), and whether the
    file holds exactly episodes 0..k-1 in planned order (then appending keeps it so)."""

    offset: array[int]
    length: array[int]
    end: int = 0
    count: int = 0
    ordered: bool = True

    @classmethod
    def empty(cls, n: int) -> Lines:
        return cls(_missing(n), _missing(n))

    def add(self, index: int, length: int) -> None:
        if self.offset[index] >= 0:  # a second line for the same episode: ignored
            self.ordered = False
        else:
            self.ordered = self.ordered and index == self.count
            self.offset[index] = self.end
            self.length[index] = length
            self.count += 1
        self.end += length

    def read(self, fh: IO[bytes], index: int) -> bytes:
        fh.seek(self.offset[index])
        return fh.read(self.length[index])


@dataclass
class Existing:
    """The complete episodes of a run directory."""

    results: Lines
    traces: Lines
    done: set[int] = field(default_factory=set)

    def result(self, fh: IO[bytes], index: int) -> EpisodeResult:
        return parse_result(self.results.read(fh, index).decode("utf-8"))


def scan(run_dir: Path, job: Job) -> Existing:
    """Read a run directory's results and traces; cut torn last lines off both files."""
    index = job.indexer()
    n = len(job)
    results, traces = Lines.empty(n), Lines.empty(n)
    _scan_file(run_dir / RESULTS, results, index.get, _result_key)
    _scan_file(run_dir / TRACES, traces, index.get, _trace_key)
    done = {i for i in range(n) if results.offset[i] >= 0 and traces.offset[i] >= 0}
    if len(done) != results.count or len(done) != traces.count:
        # a result without its trace (or the reverse): the episode runs again, and the
        # orphan line is dropped when the files are put in planned order at the end
        results.ordered = traces.ordered = False
        for lines in (results, traces):
            for i in range(n):
                if i not in done and lines.offset[i] >= 0:
                    lines.offset[i] = lines.length[i] = -1
                    lines.count -= 1
    return Existing(results, traces, done)


def _scan_file(
    path: Path,
    lines: Lines,
    index: Callable[[EpisodeKey], int | None],
    key_of: Callable[[bytes], EpisodeKey],
) -> None:
    if not path.exists():
        return
    try:
        fh = runpaths.open_update(path.parent, path.name)
    except OSError as exc:
        raise ConfigError(f"--resume: '{path}' cannot be written: {exc.strerror}") from None
    with fh:
        number = 0
        while raw := runpaths.read_line(fh, path, number + 1):
            number += 1
            if not raw.endswith(b"\n"):
                break  # torn by a crash mid-write
            try:
                key = key_of(raw)
            except (ValueError, KeyError, TypeError, IndexError):
                if fh.read(1) == b"":
                    break  # the last line, complete but garbled: the same crash
                raise ConfigError(
                    f"--resume: {path} line {number} is not readable; the run directory is damaged"
                ) from None
            i = index(key)
            if i is None:
                raise ConfigError(
                    f"--resume: {path} line {number} holds episode {key}, which is not in the "
                    "run's plan (config.json); was the directory written by another run?"
                )
            lines.add(i, len(raw))
        if fh.seek(0, 2) != lines.end:
            fh.truncate(lines.end)


def _result_key(raw: bytes) -> EpisodeKey:
    data = json.loads(raw)
    return str(data["architecture"]), str(data["task_id"]), int(data["seed"])


def _trace_key(raw: bytes) -> EpisodeKey:
    """The key from the head of a trace line, without parsing its (long) steps."""
    head = _TRACE_HEAD.match(raw)
    if head is None:
        raise ValueError("not a trace line")
    text = raw.decode("utf-8")
    pos = len(head.group(0).decode("utf-8"))
    arch, pos = _DECODER.raw_decode(text, pos)
    if not text.startswith(',"task_id":', pos):
        raise ValueError("not a trace line")
    task, pos = _DECODER.raw_decode(text, pos + len(',"task_id":'))
    if not text.startswith(',"seed":', pos):
        raise ValueError("not a trace line")
    seed, pos = _DECODER.raw_decode(text, pos + len(',"seed":'))
    return str(arch), str(task), int(seed)
