"""Read a run directory for the report, whatever state it is in.

A report is most needed when something went wrong, so reading never gives up on a run that
holds anything: an interrupted run (no summary.json, fewer episodes than planned, a torn
last line), a run from an older or newer archbench (missing or unknown fields), a sweep
whose last cells never ran. Each problem becomes a `Note` the report shows at the top; the
report then renders what could be read. Only a directory that does not exist, or holds no
archbench run at all, is an error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pydantic

from harness import runpaths
from harness.drawing.overlay import read_config
from harness.errors import ConfigError
from harness.report.episodes import Episode, episode
from harness.report.jsonl import JsonLines
from harness.rundir import CONFIG_DIGEST_FILE, RUN_FILES, SWEEP_FILES, config_as_written
from harness.sim_stamp import mismatch_label, stamped
from harness.trace import RESULT_FORMAT_VERSION, EpisodeResult

if TYPE_CHECKING:
    from harness.report.fold import CellFold, TraceKeeper
    from harness.report.overlays import RunOverlays
    from harness.taxonomy import Diagnosis

RUN_FORMAT = 2
"""The run-directory format this reader was written for (harness/rundir.py)."""
SWEEP_FORMAT = 1

Key = tuple[str, str, int]
"""(architecture, task_id, seed)."""


@dataclass(frozen=True)
class Note:
    level: Literal["info", "warn"]
    text: str


@dataclass
class CellRun:
    """One comparison: a whole `compare` run, or one cell of a sweep."""

    id: str
    labels: dict[str, str]
    dir: Path
    config: dict[str, Any] = field(default_factory=dict)
    architectures: list[str] = field(default_factory=list)
    results: list[Episode] = field(default_factory=list)
    """What the report keeps of each episode (`EpisodeResult`s passed in are converted)."""
    traces: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)
    """Steps of the episodes that get a trace page (every episode's with `traces=None`)."""
    events: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)
    """Trace events of the episodes in `traces` that have any (`harness.events`)."""
    planned: int | None = None
    finished: bool = False
    notes: list[Note] = field(default_factory=list)
    traced: set[Key] = field(default_factory=set)
    """Every episode with a readable trace, kept or not."""
    diagnoses: dict[Key, Diagnosis] = field(default_factory=dict)
    """Failure tags of every episode with a trace, and every correct one, as read."""
    diagnosis_error: Exception | None = None
    overlays: RunOverlays | None = None
    """The drawings' overlays, folded while reading (see `fold.cell_overlay`)."""

    def __post_init__(self) -> None:
        self.results = [episode(r) for r in self.results]

    @property
    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.labels.items()) or "this run"

    def of(self, arch: str) -> list[Episode]:
        return [r for r in self.results if r.architecture == arch]


@dataclass
class RunData:
    dir: Path
    kind: Literal["compare", "sweep"]
    cells: list[CellRun]
    axes: list[dict[str, Any]] = field(default_factory=list)
    """Sweep axes: {"key", "kind", "values"}."""
    notes: list[Note] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    paged: list[tuple[CellRun, Key]] = field(default_factory=list)
    """The episodes that get a trace page, in page order (`fold.select_traces`)."""

    @property
    def architectures(self) -> list[str]:
        names: list[str] = []
        for c in self.cells:
            names += [a for a in c.architectures if a not in names]
        return names

    @property
    def varying(self) -> list[dict[str, Any]]:
        return varying_axes(self.axes)

    @property
    def sim_label(self) -> str | None:
        """What the report says when any of the run was made by another simulated behaviour
        than this archbench's ("simulated with sim_version N (this archbench: M)"); None
        when all of it was made by this one."""
        found = [c.config for c in self.cells if c.config]
        if self.kind == "sweep" and self.meta:
            found.append(self.meta)
        return mismatch_label({stamped(saved) for saved in found})

    def all_notes(self) -> list[Note]:
        out = list(self.notes)
        for c in self.cells:
            prefix = f"cell {c.id} ({c.label}): " if self.kind == "sweep" else ""
            out += [Note(n.level, prefix + n.text) for n in c.notes]
        return out


def load_run(path: Path | str, *, traces: int | None = None, overlay: bool = False) -> RunData:
    """Everything readable in the run directory `path` (a compare run or a sweep), each
    file read once. Steps are kept for the `traces` episodes that get a trace page (all
    with None); the others are folded into diagnoses (and, with `overlay`, the first
    cell's overlay sums) as they are read."""
    from harness.report.fold import TraceKeeper

    d = Path(path)
    keeper = TraceKeeper(traces)
    if not d.exists():
        raise ConfigError(f"run directory '{d}' does not exist")
    if not d.is_dir():
        raise ConfigError(f"'{d}' is not a directory; give the run directory (--out of a run)")
    runpaths.check_all(d, (*SWEEP_FILES, *RUN_FILES))  # links are refused, not followed
    if (d / "sweep.json").exists() or (d / "cells").is_dir():
        run = _load_sweep(d, keeper, overlay)
        run.paged = keeper.finish(run.cells)
        _note_sim_version(run)
        return run
    if not any((d / n).exists() for n in ("config.json", "results.jsonl", "summary.json")):
        raise ConfigError(
            f"'{d}' holds no archbench run (no config.json, results.jsonl or sweep.json); "
            "write one with 'archbench compare --out DIR' or 'archbench sweep ... --out DIR'"
        )
    cell = load_cell(d, "run", {}, keeper, overlay)
    run = RunData(d, "compare", [cell], meta=cell.config)
    run.paged = keeper.finish(run.cells)
    _note_sim_version(run)
    return run


def _note_sim_version(run: RunData) -> None:
    """Say first when the run's numbers come from another simulated behaviour."""
    label = run.sim_label
    if label is not None:
        run.notes.insert(0, Note("warn", f"{label}: its numbers follow that version's rules"))


def _read_json(path: Path, notes: list[Note], what: str) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(runpaths.read_bytes(path.parent, path.name))
    except runpaths.RecordTooLong as exc:
        notes.append(Note("warn", f"{what} is not read: {exc}"))
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        notes.append(Note("warn", f"{what} cannot be read ({exc}); using what else is there"))
        return None
    if not isinstance(data, dict):
        notes.append(Note("warn", f"{what} is not a JSON object; ignored"))
        return None
    return data


def _note_lines(lines: JsonLines, notes: list[Note]) -> None:
    """Say what could not be read of a file just read."""
    name = lines.path.name
    if lines.error is not None:
        notes.append(Note("warn", f"{name} cannot be read: {lines.error.strerror}"))
        return
    too_long = lines.describe_too_long()
    if too_long is not None:
        notes.append(Note("warn", too_long))
    if lines.bad:
        bad = lines.bad
        where = ", ".join(map(str, bad[:5])) + (" ..." if len(bad) > 5 else "")
        torn = " (the run was probably interrupted while writing)" if lines.torn else ""
        notes.append(Note("warn", f"{name}: {len(bad)} unreadable line(s) skipped: {where}{torn}"))


_KNOWN = set(EpisodeResult.model_fields)
_REQUIRED = ("architecture", "task_id", "seed")


def parse_result(obj: Any) -> tuple[EpisodeResult | None, bool]:
    """A result line, strictly or, for another version's line, leniently (unknown fields
    dropped, missing ones defaulted). (result, read leniently?); (None, _) if unusable."""
    if not isinstance(obj, dict):
        return None, False
    try:
        return EpisodeResult.model_validate(obj), False
    except pydantic.ValidationError:
        pass
    if any(k not in obj for k in _REQUIRED):
        return None, True
    data = {k: v for k, v in obj.items() if k in _KNOWN}
    data.setdefault("family", "unknown")
    data.setdefault("outcome", "answered" if obj.get("answer") is not None else "no_answer")
    for _ in range(len(data)):
        try:
            return EpisodeResult.model_validate(data), True
        except pydantic.ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if not bad or bad & set(_REQUIRED):
                return None, True
            for name in bad:  # a field this version reads differently: use its default
                data.pop(name, None)
    return None, True


def load_cell(
    d: Path,
    cell_id: str,
    labels: dict[str, str],
    keeper: TraceKeeper | None = None,
    overlay: bool = False,
) -> CellRun:
    """One compare run directory (a sweep cell or a whole run); with `overlay`, its
    drawings' overlays are folded from the same reading (`cell.overlays`)."""
    from harness.report.fold import CellFold, TraceKeeper
    from harness.report.overlays import RunOverlays

    cell = CellRun(cell_id, labels, d)
    notes = cell.notes
    runpaths.check_all(d, RUN_FILES)  # a received run: no link out of it is followed
    strict: ConfigError | None = None
    try:
        config: dict[str, Any] | None = read_config(d)  # as load_overlay reads it
    except ConfigError as exc:
        strict = exc
        config = _read_json(d / "config.json", notes, "config.json")
    if config is None:
        if not (d / "config.json").exists():
            notes.append(Note("warn", "no config.json: bindings and the planned size are unknown"))
        config = {}
    cell.config = config
    version = config.get("format_version")
    if isinstance(version, int) and version > RUN_FORMAT:
        notes.append(
            Note(
                "warn",
                f"written by a newer archbench (run format {version}, this one reads "
                f"{RUN_FORMAT}): fields it does not know are ignored",
            )
        )
    elif config and version is None:
        notes.append(
            Note("info", "config.json has no format_version: an older run, read leniently")
        )
    if config and not config_as_written(d):
        notes.append(
            Note(
                "warn",
                f"config.json has changed since the run wrote it (it does not match "
                f"{CONFIG_DIGEST_FILE}): the settings shown may not be those it ran with",
            )
        )
    archs = [str(a) for a in config.get("architectures", []) if isinstance(a, str)]
    overlays = RunOverlays(d, None if strict else config, strict, archs) if overlay else None
    _load_results(cell, d, overlays)
    for r in cell.results:
        if r.architecture not in archs:
            archs.append(r.architecture)
    cell.architectures = archs
    fold = CellFold(cell, keeper if keeper is not None else TraceKeeper(None))
    _load_traces(cell, d, fold, overlays)
    fold.finish()
    if overlays is not None:
        if overlays.replay_needed:  # a trace line written twice: take back all but the last
            overlays.replay(obj for _, obj in JsonLines(d / "traces.jsonl"))
        overlays.finish()
        cell.overlays = overlays
    tasks, seeds = config.get("tasks"), config.get("seeds")
    if isinstance(tasks, list) and isinstance(seeds, list) and archs:
        cell.planned = len(config.get("architectures", archs)) * len(tasks) * len(seeds)
    cell.finished = (d / "summary.json").exists()
    done = len(cell.results)
    if not cell.finished:
        of = f" of {cell.planned} planned" if cell.planned else ""
        notes.append(
            Note(
                "warn",
                f"no summary.json: the run did not finish (interrupted?); {done}"
                f"{of} episodes were read and are reported",
            )
        )
    elif cell.planned is not None and done < cell.planned:
        notes.append(Note("warn", f"{done} of {cell.planned} planned episodes were read"))
    return cell


def _load_results(cell: CellRun, d: Path, overlays: RunOverlays | None) -> None:
    """Every result line: folded into the overlays as it is, kept as an `Episode`."""
    path = d / "results.jsonl"
    lines = JsonLines(path)
    missing = not path.exists()
    if missing:
        cell.notes.append(Note("warn", "no results.jsonl: no episode finished"))
    lenient = unusable = newer = 0
    seen: set[Key] = set()
    for _, obj in lines:
        r, loose = parse_result(obj)
        if overlays is not None:
            overlays.result(obj, None if loose else r)
        if r is None:
            unusable += 1
            continue
        key = (r.architecture, r.task_id, r.seed)
        if key in seen:
            continue  # a line written twice (a resumed writer): keep the first
        seen.add(key)
        lenient += loose
        newer += r.format_version > RESULT_FORMAT_VERSION
        cell.results.append(Episode.of(r))
    if overlays is not None:
        overlays.results_read(lines)
    if missing:
        return
    _note_lines(lines, cell.notes)
    if lenient:
        cell.notes.append(
            Note(
                "info",
                f"{lenient} result(s) from another archbench version were read "
                "leniently: unknown fields ignored, missing ones at their defaults",
            )
        )
    if unusable:
        cell.notes.append(
            Note("warn", f"{unusable} result line(s) lack an architecture, task or seed: skipped")
        )


def _load_traces(cell: CellRun, d: Path, fold: CellFold, overlays: RunOverlays | None) -> None:
    path = d / "traces.jsonl"
    lines = JsonLines(path)
    missing = not path.exists()
    if missing and cell.results:
        cell.notes.append(Note("warn", "no traces.jsonl: no trace pages, no failure tags"))
    bad = 0
    for _, obj in lines:
        if overlays is not None:
            overlays.trace(obj)
        try:
            arch, task, seed, raw = obj["architecture"], obj["task_id"], obj["seed"], obj["steps"]
            key = (str(arch), str(task), int(seed))
            steps = [s for s in raw if isinstance(s, dict)]
            got = obj.get("events")  # run format 2; none before
            events = [e for e in got if isinstance(e, dict)] if isinstance(got, list) else []
        except (KeyError, TypeError, ValueError, AttributeError):
            bad += 1
            continue
        fold.add(key, steps, events)
    if overlays is not None:
        overlays.traces_read(lines)
    if missing:
        return
    _note_lines(lines, cell.notes)
    if bad:
        cell.notes.append(Note("warn", f"{bad} trace line(s) lack keys or steps: skipped"))


@dataclass
class SweepLayout:
    """A sweep directory's plan as found: the cells that ran (id, labels, directory), in
    planned order, and what is missing. Reading it touches no results, so a caller can
    load the cells one at a time (the sweep's summary table does: memory stays flat)."""

    meta: dict[str, Any]
    cells: list[tuple[str, dict[str, str], Path]]
    notes: list[Note]

    @property
    def axes(self) -> list[dict[str, Any]]:
        return [a for a in self.meta.get("axes", []) if isinstance(a, dict) and "key" in a]

    @property
    def varying(self) -> list[dict[str, Any]]:
        return varying_axes(self.axes)


def varying_axes(axes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Axes with more than one value (one-valued axes are fixed settings)."""
    return [a for a in axes if len(a.get("values", [])) > 1]


_CELL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def sweep_layout(d: Path) -> SweepLayout:
    """The sweep in `d` as found; a `ConfigError` for a link among its files or cells, or
    a cell sweep.json places outside the sweep (a received sweep reads nothing elsewhere)."""
    runpaths.check_all(d, SWEEP_FILES)
    notes: list[Note] = []
    meta = _read_json(d / "sweep.json", notes, "sweep.json") or {}
    version = meta.get("format_version")
    if isinstance(version, int) and version > SWEEP_FORMAT:
        notes.append(Note("warn", f"sweep.json is from a newer archbench (format {version})"))
    planned = meta.get("cells") if isinstance(meta.get("cells"), list) else None
    if planned is None:
        notes.append(Note("warn", "sweep.json is missing or has no cells: reading cells/ as found"))
        found = sorted(p for p in (d / "cells").glob("*") if p.is_dir())
        planned = [{"id": p.name, "dir": f"cells/{p.name}", "labels": {}} for p in found]
    cells: list[tuple[str, dict[str, str], Path]] = []
    missing: list[str] = []
    for c in planned:
        if not isinstance(c, dict) or "id" not in c:
            continue
        labels = {str(k): str(v) for k, v in (c.get("labels") or {}).items()}
        if not _CELL_ID.match(str(c["id"])):
            raise ConfigError(f"'{d}': sweep.json names a cell {str(c['id'])[:80]!r}")
        cdir = runpaths.check(d, str(c.get("dir", f"cells/{c['id']}")))
        if not cdir.is_dir():
            missing.append(str(c["id"]))
            continue
        cells.append((str(c["id"]), labels, cdir))
    if missing:
        notes.append(
            Note(
                "warn",
                f"{len(missing)} of {len(planned)} planned cells never ran "
                f"({', '.join(missing[:6])}{' ...' if len(missing) > 6 else ''}): the sweep "
                "was interrupted; 'archbench sweep ... --resume' finishes it",
            )
        )
    if not cells:
        notes.append(Note("warn", "no cell of this sweep has run yet"))
    return SweepLayout(meta, cells, notes)


def _load_sweep(d: Path, keeper: TraceKeeper, overlay: bool) -> RunData:
    layout = sweep_layout(d)
    cells = [
        load_cell(cdir, cid, labels, keeper, overlay and i == 0)
        for i, (cid, labels, cdir) in enumerate(layout.cells)
    ]
    return RunData(d, "sweep", cells, layout.axes, layout.notes, layout.meta)
