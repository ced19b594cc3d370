"""The one way a run's overlay is read: `RunOverlays` folds every line of results.jsonl and
traces.jsonl, as it is read, into the per-node and per-edge sums the drawings show.

`load_overlay` (`archbench graph --run`) streams the two files through it, and the report
feeds it the lines it reads anyway, so both draw the same numbers and neither holds the
traces. The fold reads as `load_overlay` always has, strictly, whatever the report makes
of a damaged run: a line before the last that is not JSON, a result of another version,
a missing file is an error, which the report's drawing turns into the bare design (so a
report still draws exactly what `archbench graph --run` draws). Errors are kept, not
raised, while reading (the report reads on); `overlay` raises the one the list-based
reader raised first: each stage below before the next and, within results.jsonl, a line
that is not JSON before a row that is not a result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pydantic

from harness import runpaths
from harness.drawing.overlay import Footprint, Overlay, footprint, parse_episode, read_config
from harness.errors import ConfigError, UnknownNameError
from harness.graph import CompiledArchitecture
from harness.report.jsonl import JsonLines
from harness.spec import ArchitectureSpec
from harness.trace import EpisodeResult

Ref = str | ArchitectureSpec | CompiledArchitecture

# the order in which the reading raised, first to last
CONFIG, FOOTPRINT, RESULTS, SELECTION, TRACES, KEYS, WALKS, SUMS = range(8)
_FINISHED = ("answered", "no_answer")


class _Seen:
    """One (task_id, seed) of the selection: its results, finished or not, and its trace
    lines (the last one counts)."""

    __slots__ = ("done", "error", "index", "open", "traces")

    def __init__(self, index: int) -> None:
        self.index = index
        self.done = 0
        self.open = 0
        self.traces = 0
        self.error: Exception | None = None
        """Why the last trace line of this episode cannot be walked."""


class _ArchFold:
    """The footprint of one architecture, and what stops it being drawn."""

    def __init__(self, d: Path, config: dict[str, Any] | None, ref: Ref) -> None:
        self.errors: dict[int, Exception] = {}
        self.fp: Footprint | None = None
        self.name = ""
        self.results = 0
        self.known: set[str] = set()
        self.keys: dict[Any, _Seen] = {}
        self.dirty = False
        if config is None:
            return
        try:
            self.fp = footprint(d, config, ref)
            self.name = self.fp.compiled.spec.name
        except Exception as exc:  # noqa: BLE001 - raised by `overlay`, as load_overlay did
            self.errors[FOOTPRINT] = exc

    def live(self, upto: int) -> bool:
        return self.fp is not None and not any(s <= upto for s in self.errors)

    def result(self, r: EpisodeResult, task: str | None, seed: int | None) -> None:
        if self.fp is None or r.architecture != self.name:
            return
        self.results += 1
        if task is not None:
            self.known.add(f"{r.task_id}@{r.seed}")
            if r.task_id != task or (seed is not None and r.seed != seed):
                return
        key = (r.task_id, r.seed)
        seen = self.keys.get(key)
        if seen is None:
            seen = self.keys[key] = _Seen(len(self.keys))
        if r.outcome in _FINISHED:
            seen.done += 1
        else:
            seen.open += 1
        if SUMS not in self.errors:
            try:
                self.fp.add_result(r)  # in the results' order: float sums depend on it
            except Exception as exc:  # noqa: BLE001 - raised by `overlay`
                self.errors[SUMS] = exc

    def trace(self, obj: dict[str, Any], replayed: dict[_Seen, int] | None = None) -> None:
        """One trace line; `replayed` counts the lines of a second reading, which takes
        back every line of an episode but its last."""
        if not self.live(KEYS) or obj.get("architecture") != self.name:
            return
        try:
            seen = self.keys.get((obj.get("task_id"), obj.get("seed")))
        except TypeError as exc:  # an unhashable task_id or seed
            self.errors[KEYS] = exc
            return
        if seen is None:
            return
        if replayed is not None:
            replayed[seen] = n = replayed.get(seen, 0) + 1
            if n < seen.traces:
                self._walk(seen, obj.get("steps", []), -1)
            return
        seen.traces += 1
        self.dirty = self.dirty or seen.traces > 1
        self._walk(seen, obj.get("steps", []), 1)

    def _walk(self, seen: _Seen, steps: Any, sign: int) -> None:
        assert self.fp is not None
        try:
            trail = self.fp.trail(steps)
        except Exception as exc:  # noqa: BLE001 - raised by `overlay` if it is the last line
            if sign > 0:
                seen.error = exc
            return
        if sign > 0:
            seen.error = None
        self.fp.add_trail(trail, True, sign * seen.done)
        self.fp.add_trail(trail, False, sign * seen.open)

    def finish(self) -> None:
        """Episodes with no trace line walk nothing (but a finished one reaches the end)."""
        if not self.live(KEYS):
            return
        assert self.fp is not None
        empty = self.fp.trail([])
        failed: _Seen | None = None
        for seen in self.keys.values():
            if seen.traces == 0:
                self.fp.add_trail(empty, True, seen.done)
                self.fp.add_trail(empty, False, seen.open)
            elif seen.error is not None and (failed is None or seen.index < failed.index):
                failed = seen
        if failed is not None and failed.error is not None:
            self.errors[WALKS] = failed.error  # the first in the results' order


class RunOverlays:
    """The overlays of `refs` in the run directory `d`, folded line by line: feed it every
    line of results.jsonl (`result`, then `results_read`), then of traces.jsonl (`trace`,
    `traces_read`), then a second reading of traces.jsonl if `replay_needed` (a trace line
    written twice: the last one counts, as in a dict), then `finish`.

    `config` is the run's config.json as `read_config` reads it, or None with the
    `error` it raised. With `episode` (TASK_ID or TASK_ID@SEED) only its results count."""

    def __init__(
        self,
        d: Path,
        config: dict[str, Any] | None,
        error: Exception | None,
        refs: Sequence[Ref],
        episode: str | None = None,
    ) -> None:
        self.dir = d
        self.episode = episode
        self.task: str | None = None
        self.seed: int | None = None
        if episode is not None:
            self.task, self.seed = parse_episode(episode)
        self.errors: dict[int, Exception] = {CONFIG: error} if error is not None else {}
        self.folds = {_name(r): _ArchFold(d, config, r) for r in refs}
        self.rows = 0
        self.row_error: ConfigError | None = None

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and ref in self.folds

    def result(self, obj: Any, r: EpisodeResult | None) -> None:
        """A line of results.jsonl: `r` is the line read strictly (None: not a result)."""
        if not isinstance(obj, dict):
            return  # not a row
        self.rows += 1
        if r is None:
            if self.row_error is None:
                path = self.dir / "results.jsonl"
                self.row_error = ConfigError(f"'{path}' row {self.rows} is not an episode result")
            return
        for a in self.folds.values():
            a.result(r, self.task, self.seed)

    def results_read(self, lines: JsonLines) -> None:
        error = lines.strict_error() or self.row_error
        if error is not None:
            self.errors.setdefault(RESULTS, error)
        for a in self.folds.values():
            if not a.live(SELECTION):
                continue
            if not a.results:
                what = f"run directory '{self.dir}' has no finished episodes of '{a.name}'"
                a.errors[SELECTION] = ConfigError(what)
            elif self.episode is not None and not a.keys:
                known = sorted(a.known)
                more = f", ... ({len(known)} in all)" if len(known) > 6 else ""
                a.errors[SELECTION] = UnknownNameError(
                    f"episode '{self.episode}' is not in run '{self.dir}' for '{a.name}' "
                    f"(episodes: {', '.join(known[:6])}{more}; give TASK_ID or TASK_ID@SEED)"
                )

    def trace(self, obj: Any) -> None:
        if isinstance(obj, dict):
            for a in self.folds.values():
                a.trace(obj)

    def traces_read(self, lines: JsonLines) -> None:
        error = lines.strict_error()
        if error is not None:
            self.errors.setdefault(TRACES, error)

    @property
    def replay_needed(self) -> bool:
        return any(a.dirty and a.live(KEYS) for a in self.folds.values())

    def replay(self, objs: Iterable[Any]) -> None:
        """The lines of traces.jsonl read again, to take back every trace line of an
        episode but its last."""
        counts: dict[str, dict[_Seen, int]] = {k: {} for k in self.folds}
        for obj in objs:
            if isinstance(obj, dict):
                for k, a in self.folds.items():
                    if a.dirty:
                        a.trace(obj, counts[k])

    def finish(self) -> None:
        for a in self.folds.values():
            a.finish()

    def check(self, ref: Ref, before: int = SUMS + 1) -> None:
        """Raise what reading `ref`'s overlay raised first, among the stages before
        `before`."""
        a = self.folds[_name(ref)]
        stages = [s for s in (*self.errors, *a.errors) if s < before]
        if stages:
            s = min(stages)
            raise self.errors[s] if s in self.errors else a.errors[s]

    def overlay(self, ref: Ref) -> Overlay:
        """The overlay of `ref`, or the error `load_overlay` raises for it."""
        self.check(ref)
        fp = self.folds[_name(ref)].fp
        assert fp is not None
        return fp.overlay(self.episode)


def _name(ref: Ref) -> str:
    if isinstance(ref, str):
        return ref
    return ref.spec.name if isinstance(ref, CompiledArchitecture) else ref.name


def _strict(obj: Any) -> EpisodeResult | None:
    if not isinstance(obj, dict):
        return None
    try:
        return EpisodeResult.model_validate(obj)
    except pydantic.ValidationError:
        return None


def _values(lines: JsonLines) -> Iterable[Any]:
    """The values of `lines`; undecodable bytes raise what reading the whole file raised
    (the position in the file, not in the buffer being decoded, and no chained error)."""
    failed: UnicodeDecodeError | None = None
    try:
        for _, obj in lines:
            yield obj
    except UnicodeDecodeError as exc:
        failed = exc
    if failed is not None:
        # the same error, as before (read whole: positions in the file), if bounded
        runpaths.read_bytes(lines.path.parent, lines.path.name).decode("utf-8")
        raise failed


def read_overlay(d: Path, arch: Ref, episode: str | None = None) -> Overlay:
    """`harness.drawing.load_overlay`: results.jsonl, then traces.jsonl, streamed through
    `RunOverlays` (a second reading of traces.jsonl only for a trace line written twice);
    raises as soon as what it has read decides the error."""
    config = read_config(d)
    fold = RunOverlays(d, config, None, [arch], episode)
    fold.check(arch, RESULTS)
    results = JsonLines(d / "results.jsonl", "strict")
    for obj in _values(results):
        fold.result(obj, _strict(obj))
    fold.results_read(results)
    fold.check(arch, TRACES)
    traces = JsonLines(d / "traces.jsonl", "strict")
    for obj in _values(traces):
        fold.trace(obj)
    fold.traces_read(traces)
    fold.check(arch, WALKS)
    if fold.replay_needed:
        fold.replay(_values(JsonLines(d / "traces.jsonl", "strict")))
    fold.finish()
    return fold.overlay(arch)
