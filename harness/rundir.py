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
    config.sha256        the SHA-256 of config.json as the run wrote it (`sha256sum -c`
                         format): a resume refuses a config.json edited since
    .archbench.lock      only while a process writes the directory (`harness.runlock`)

Run format 2 adds `sim_version` (the simulated behaviour, `harness.sim_stamp`) to
config.json and summary.json, and `events` (a list, `[]` when none) to every trace line.
A result line keeps its own format (`EpisodeResult`, still 1): it carries `events` (counts
per kind) only when the episode has any, so results of episodes without events are the
lines they were. Format 1 directories read as before: no `sim_version` is version 1, no
`events` is none.

When the run completes, results and traces are in planned order (architecture, seed,
task), whatever order episodes finished in and however often the run was resumed.

A run directory has one writer at a time (`harness.runlock`), and every file in it is read
and written through `harness.runpaths`: no symbolic link inside it is followed, and what
is read is bounded, so a run directory received from someone else cannot make archbench
read or write anything outside it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from harness import runlock, runpaths
from harness.errors import ConfigError
from harness.sim_stamp import check_rerunnable, with_sim_version
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


CONFIG_FILE = "config.json"
CONFIG_DIGEST_FILE = "config.sha256"
SUITE_FILE = "suite.json"
ARCHITECTURES_FILE = "architectures.json"
RESULTS_FILE = "results.jsonl"
TRACES_FILE = "traces.jsonl"
SUMMARY_FILE = "summary.json"
RUN_FILES = (
    CONFIG_FILE,
    CONFIG_DIGEST_FILE,
    SUITE_FILE,
    ARCHITECTURES_FILE,
    RESULTS_FILE,
    TRACES_FILE,
    SUMMARY_FILE,
    "recording.jsonl",
)
"""Every file archbench reads or writes at the top of a run directory (none may be a link)."""
SWEEP_FILES = ("sweep.json", "cells.jsonl", "suites", "cells")
"""What archbench reads and writes at the top of a sweep directory (`harness.sweep`)."""
REPORT_DIR = "report"


def save_inputs(run_dir: Path, suite: TaskSuite | None, specs: list[ArchitectureSpec]) -> None:
    """Keep the architecture specs (and the suite, unless it is a built-in one) with the
    run: a replay or a resume then needs neither the user's files nor the same built-ins,
    and the report draws a design loaded from a user's file."""
    if suite is not None:
        runpaths.write_text(run_dir, SUITE_FILE, suite.model_dump_json(indent=1) + "\n")
    archs = {s.name: s.model_dump(mode="json") for s in specs}
    text = json.dumps(archs, indent=1, ensure_ascii=False) + "\n"
    runpaths.write_text(run_dir, ARCHITECTURES_FILE, text)


def load_inputs(run_dir: Path, flag: str) -> tuple[TaskSuite | None, dict[str, ArchitectureSpec]]:
    """The suite and architecture specs saved with a run (None / {} when not saved)."""
    suite = None
    specs: dict[str, ArchitectureSpec] = {}
    try:
        if (run_dir / SUITE_FILE).exists() or (run_dir / SUITE_FILE).is_symlink():
            suite = TaskSuite.model_validate_json(runpaths.read_bytes(run_dir, SUITE_FILE))
        specs = saved_specs(run_dir)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{flag} '{run_dir}': saved inputs cannot be read: {exc}") from None
    return suite, specs


def saved_specs(run_dir: Path) -> dict[str, ArchitectureSpec]:
    """The architecture specs a run saved, by name ({} when it saved none); `OSError`,
    `ValueError` or `ConfigError` for a file that cannot be read."""
    path = run_dir / ARCHITECTURES_FILE
    if not (path.exists() or path.is_symlink()):
        return {}
    raw = json.loads(runpaths.read_bytes(run_dir, ARCHITECTURES_FILE))
    if not isinstance(raw, dict):
        raise ValueError(f"{ARCHITECTURES_FILE} is not a JSON object")
    return {str(k): ArchitectureSpec.model_validate(v) for k, v in raw.items()}


def config_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def read_run_config(run_dir: Path, flag: str) -> dict[str, Any]:
    """config.json of a run about to be continued or rerun, checked: written by a run
    format this archbench knows, by its simulated behaviour (`harness.sim_stamp`), and
    unchanged since the run wrote it (config.sha256).
    A hand-edited configuration would run the rest of the episodes differently from the
    ones saved and mix the two in one set of numbers; a newer format may mean anything."""
    try:
        raw = runpaths.read_bytes(run_dir, CONFIG_FILE)
        config = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{flag} '{run_dir}' holds no readable config.json ({exc})") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{flag} '{run_dir}': config.json is not a JSON object")
    version = config.get("format_version", 1)
    if type(version) is not int or version < 1:
        raise ConfigError(f"{flag} '{run_dir}': config.json has format_version {version!r}")
    if version > RUN_FORMAT_VERSION:
        raise ConfigError(
            f"{flag} '{run_dir}' was written by a newer archbench (run format {version}; this "
            f"one writes {RUN_FORMAT_VERSION}): continue it with that version, or report it "
            f"as it is (archbench report {run_dir})"
        )
    check_rerunnable(run_dir, config, flag)  # another simulated behaviour says so first
    recorded = _recorded_digest(run_dir, flag)
    if recorded is not None and recorded != config_digest(raw):
        raise ConfigError(
            f"{flag} '{run_dir}': config.json has changed since the run wrote it (it no longer "
            f"matches {CONFIG_DIGEST_FILE}); the rest of the run would not be the run it "
            "started: start a new run"
        )
    return config


def config_as_written(run_dir: Path) -> bool:
    """Does config.json still match the digest the run stored (True when there is none)?
    For the report, which shows an edited configuration, labelled, rather than refuse."""
    try:
        recorded = _recorded_digest(run_dir, "report")
        return recorded is None or recorded == config_digest(
            runpaths.read_bytes(run_dir, CONFIG_FILE)
        )
    except (OSError, ConfigError):
        return False


def _recorded_digest(run_dir: Path, flag: str) -> str | None:
    """The digest in config.sha256 (None: a run made before it was written)."""
    path = run_dir / CONFIG_DIGEST_FILE
    if not (path.exists() or path.is_symlink()):
        return None
    try:
        text = runpaths.read_bytes(run_dir, CONFIG_DIGEST_FILE).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{flag} '{run_dir}': {CONFIG_DIGEST_FILE} cannot be read ({exc})"
        ) from None
    return text.split(" ", 1)[0].strip()


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
        # one writer: taken before anything is read for writing or written, released by
        # `close` (and by the kernel, however this process ends)
        self._lock = runlock.lock(directory, "--resume" if existing is not None else "--out")
        self._results: IO[bytes] | None = None
        self._traces: IO[bytes] | None = None
        try:
            runpaths.check_all(directory, RUN_FILES)
            if existing is None:
                if (directory / RESULTS_FILE).exists():
                    raise ConfigError(
                        f"--out '{directory}' already holds a run; choose a new directory "
                        f"(or finish it with --resume {directory})"
                    )
                stamped = with_sim_version({"format_version": RUN_FORMAT_VERSION, **config})
                raw = (json.dumps(stamped, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
                runpaths.write_bytes(directory, CONFIG_FILE, raw)
                digest = f"{config_digest(raw)}  {CONFIG_FILE}\n"
                runpaths.write_text(directory, CONFIG_DIGEST_FILE, digest)
            self._results = runpaths.open_append(directory, RESULTS_FILE)
            self._traces = runpaths.open_append(directory, TRACES_FILE)
        except OSError as exc:
            self.close()
            raise ConfigError(f"--out '{directory}' cannot be written: {exc.strerror}") from None
        except BaseException:
            self.close()
            raise
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
        assert self._results is not None and self._traces is not None, "the writer is closed"
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
        self._close_files()
        try:
            if self._lines is not None and not self.ordered:
                for name, lines in zip((RESULTS_FILE, TRACES_FILE), self._lines, strict=True):
                    _reorder(self.dir, name, lines)
            versioned = with_sim_version(
                {"format_version": RUN_FORMAT_VERSION, "architectures": summary}
            )
            text = json.dumps(versioned, indent=2, ensure_ascii=False) + "\n"
            runpaths.write_text(self.dir, SUMMARY_FILE, text)
        finally:
            self._lock.release()

    def close(self) -> None:
        """Close both files and give up the directory (again: harmless)."""
        try:
            self._close_files()
        finally:
            self._lock.release()

    def _close_files(self) -> None:
        for fh in (self._results, self._traces):
            if fh is not None:
                fh.close()


def _reorder(run_dir: Path, name: str, lines: Lines) -> None:
    """Rewrite `name` with one line per planned episode, in planned order, reading each
    where it is: memory stays flat however large the file."""
    with runpaths.open_read(run_dir, name) as src, runpaths.replacing(run_dir, name) as dst:
        for i in range(len(lines.offset)):
            if lines.offset[i] >= 0:
                dst.write(lines.read(src, i))
