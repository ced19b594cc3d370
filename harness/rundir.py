"""A run directory: the configuration, per-episode results and traces, written as each
episode finishes, so an interrupted run keeps everything it finished (`--resume` finishes
it; see `harness.execution.resume`).

    config.json          format version, sim_version, archbench version, the full
                         configuration and seeds
    architectures.json   the architecture specs, as run
    suite.json           the suite, when it is not a built-in one
    results.jsonl        one `EpisodeResult` per line
    traces.jsonl         one line per episode: its keys, every step and its trace events
    summary.json         {format_version, sim_version, architectures: per-architecture
                         summaries}, written when the run completes

Run format 2 adds `sim_version` (the simulated behaviour, `harness.sim_stamp`) to
config.json and summary.json, and `events` (a list, `[]` when none) to every trace line.
A result line keeps its own format (`EpisodeResult`, still 1): it carries `events` (counts
per kind) only when the episode has any, so results of episodes without events are the
lines they were. Format 1 directories read as before: no `sim_version` is version 1, no
`events` is none.

When the run completes, results and traces are in planned order (architecture, seed,
task), whatever order episodes finished in and however often the run was resumed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from harness.errors import ConfigError
from harness.sim_stamp import with_sim_version
from harness.spec import ArchitectureSpec
from harness.task import TaskSuite
from harness.trace import EpisodeResult

if TYPE_CHECKING:
    from harness.execution.resume import Existing, Lines
    from harness.runtime import Episode

RUN_FORMAT_VERSION = 2


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def result_line(r: EpisodeResult) -> str:
    return r.model_dump_json() + "\n"


SUITE_FILE = "suite.json"
ARCHITECTURES_FILE = "architectures.json"


def save_inputs(run_dir: Path, suite: TaskSuite | None, specs: list[ArchitectureSpec]) -> None:
    """Keep the architecture specs (and the suite, unless it is a built-in one) with the
    run: a replay or a resume then needs neither the user's files nor the same built-ins."""
    if suite is not None:
        (run_dir / SUITE_FILE).write_text(suite.model_dump_json(indent=1) + "\n", encoding="utf-8")
    archs = {s.name: s.model_dump(mode="json") for s in specs}
    (run_dir / ARCHITECTURES_FILE).write_text(
        json.dumps(archs, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


class RunWriter:
    """Appends each finished episode's result and trace lines (flushed, so a crash loses
    at most the line being written); `finish` puts both files in planned order and writes
    the summary. `episodes` (the planned count) lets it track where each line is; with
    `existing` it continues an interrupted run instead of starting one."""

    def __init__(
        self,
        directory: Path,
        config: dict[str, Any],
        *,
        episodes: int | None = None,
        existing: Existing | None = None,
    ) -> None:
        from harness.execution.resume import Lines

        self.dir = directory
        try:
            if existing is None:
                if (directory / "results.jsonl").exists():
                    raise ConfigError(
                        f"--out '{directory}' already holds a run; choose a new directory "
                        f"(or finish it with --resume {directory})"
                    )
                directory.mkdir(parents=True, exist_ok=True)
                (directory / "config.json").write_text(
                    json.dumps(
                        with_sim_version({"format_version": RUN_FORMAT_VERSION, **config}),
                        indent=2,
                        ensure_ascii=False,
                    )
                    + "\n",
                    encoding="utf-8",
                )
            self._results: IO[bytes] = open(directory / "results.jsonl", "ab")  # noqa: SIM115
            self._traces: IO[bytes] = open(directory / "traces.jsonl", "ab")  # noqa: SIM115
        except OSError as exc:
            raise ConfigError(f"--out '{directory}' cannot be written: {exc.strerror}") from None
        self._lines: tuple[Lines, Lines] | None = None
        if existing is not None:
            self._lines = (existing.results, existing.traces)
        elif episodes is not None:
            self._lines = (Lines.empty(episodes), Lines.empty(episodes))

    def write(self, episode: Episode, index: int | None = None) -> None:
        from harness.execution.plan import trace_line

        self.write_lines(index, result_line(episode.result), trace_line(episode))

    def write_lines(self, index: int | None, result: str, trace: str) -> None:
        """One episode: its result line and trace line, each ending in a newline."""
        rb, tb = result.encode("utf-8"), trace.encode("utf-8")
        self._results.write(rb)
        self._traces.write(tb)
        self._results.flush()
        self._traces.flush()
        if self._lines is not None and index is not None:
            self._lines[0].add(index, len(rb))
            self._lines[1].add(index, len(tb))

    @property
    def ordered(self) -> bool:
        """Are both files in planned order (0, 1, 2, ... with nothing else)?"""
        return self._lines is None or all(lines.ordered for lines in self._lines)

    def finish(self, summary: list[dict[str, Any]]) -> None:
        """Put results and traces in planned order (if episodes finished out of it, or the
        run was resumed), then write the summary: the files of a completed run do not
        depend on timing, workers or interruptions."""
        self.close()
        if self._lines is not None and not self.ordered:
            for name, lines in zip(("results.jsonl", "traces.jsonl"), self._lines, strict=True):
                _reorder(self.dir / name, lines)
        versioned = with_sim_version(
            {"format_version": RUN_FORMAT_VERSION, "architectures": summary}
        )
        (self.dir / "summary.json").write_text(
            json.dumps(versioned, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    def close(self) -> None:
        self._results.close()
        self._traces.close()


def _reorder(path: Path, lines: Lines) -> None:
    """Rewrite `path` with one line per planned episode, in planned order, reading each
    where it is: memory stays flat however large the file."""
    tmp = path.with_name(path.name + ".tmp")
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        for i in range(len(lines.offset)):
            if lines.offset[i] >= 0:
                dst.write(lines.read(src, i))
    os.replace(tmp, path)
