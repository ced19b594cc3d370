"""Folding a run's traces into what the report needs, as they are read, so that a run of
any size is read once and only the traces that get a page stay in memory.

Every trace is diagnosed (failure tags) and walked on its architecture's graph (the
drawings' overlay, `harness.report.overlays`) the moment it is read; its steps are kept
only while it can still be among the episodes that get a trace page (`select_traces`).
Which ones those are depends on every cell's traces, so `TraceKeeper` keeps, per (cell,
architecture) queue, the best ranked traces up to a depth that shrinks as more traces are
read: an episode deeper than that depth cannot be selected, whatever comes later.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from harness.report.episodes import Episode, as_result
from harness.taxonomy import Diagnosis, diagnose, loop_budgets

if TYPE_CHECKING:
    from harness.drawing.overlay import Overlay
    from harness.report.load import CellRun, Key
    from harness.spec import ArchitectureSpec

Steps = list[dict[str, Any]]
Events = list[dict[str, Any]]
"""A trace line's `events` (`harness.events.event_dict`)."""


def select_traces(cells: Sequence[CellRun], limit: int | None) -> list[tuple[CellRun, Key]]:
    """Which episodes get a trace page: all of them within `limit`, else failed episodes
    first, taken in turn from every (cell, architecture) so none is left out."""
    queues: list[list[tuple[CellRun, Key]]] = []
    for cell in cells:
        traced = cell.traced or cell.traces.keys()
        for arch in cell.architectures:
            rs = [r for r in cell.of(arch) if (r.architecture, r.task_id, r.seed) in traced]
            ordered = [r for r in rs if not r.correct] + [r for r in rs if r.correct]
            queues.append([(cell, (r.architecture, r.task_id, r.seed)) for r in ordered])
    total = sum(len(q) for q in queues)
    if limit is None or total <= limit:
        return [item for q in queues for item in q]
    out: list[tuple[CellRun, Key]] = []
    depth = 0
    while len(out) < limit:
        for q in queues:
            if depth < len(q) and len(out) < limit:
                out.append(q[depth])
        depth += 1
    return out


def _ordered(results: list[Episode]) -> list[Episode]:
    """A queue's order in `select_traces` (before it drops the episodes with no trace)."""
    return [r for r in results if not r.correct] + [r for r in results if r.correct]


class TraceKeeper:
    """Keeps the steps of the traces that may get a page, across the cells of a run.

    Round-robin selection takes nothing at depth `d` or deeper once the queues hold
    `limit` episodes above it (sum over queues of min(length, d) >= limit). Queue lengths
    only grow as traces are read, so that depth only shrinks: a trace pushed below it is
    dropped for good, and at most about `limit` step lists are held at any time."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.depth = limit
        self._lens: list[int] = []
        self._heaps: list[list[tuple[int, Key]]] = []
        self._cells: list[CellRun] = []

    def queue(self, cell: CellRun) -> int:
        self._lens.append(0)
        self._heaps.append([])
        self._cells.append(cell)
        return len(self._lens) - 1

    def offer(
        self,
        cell: CellRun,
        key: Key,
        steps: Steps,
        place: tuple[int, int] | None,
        events: Events | None = None,
    ) -> None:
        """A trace just read (its steps and trace events); `place` is its (queue, rank),
        None for an episode with no result. `cell.traced` already holds the keys read
        before this one."""
        if self.limit is None:
            _keep(cell, key, steps, events)
            return
        if key in cell.traced:  # a line written twice: the last one is the trace
            if key in cell.traces:
                _keep(cell, key, steps, events)
            return
        if place is None:
            return
        q, rank = place
        self._lens[q] += 1
        heapq.heappush(self._heaps[q], (-rank, key))
        _keep(cell, key, steps, events)
        depth = self.depth
        assert depth is not None
        while depth > 0 and sum(min(n, depth - 1) for n in self._lens) >= self.limit:
            depth -= 1
        for i in range(len(self._heaps)) if depth != self.depth else (q,):
            self._trim(i, depth)
        self.depth = depth

    def _trim(self, q: int, depth: int) -> None:
        heap, cell = self._heaps[q], self._cells[q]
        while len(heap) > depth:
            key = heapq.heappop(heap)[1]
            del cell.traces[key]
            cell.events.pop(key, None)

    def finish(self, cells: Sequence[CellRun]) -> list[tuple[CellRun, Key]]:
        """The episodes that get a page; every other trace's steps are dropped."""
        paged = select_traces(cells, self.limit)
        if self.limit is not None:
            keep: dict[int, set[Key]] = {}
            for cell, key in paged:
                keep.setdefault(id(cell), set()).add(key)
            for cell in cells:
                mine = keep.get(id(cell), set())
                cell.traces = {k: v for k, v in cell.traces.items() if k in mine}
                cell.events = {k: v for k, v in cell.events.items() if k in mine}
        return paged


def _keep(cell: CellRun, key: Key, steps: Steps, events: Events | None) -> None:
    """Hold a trace's steps, and its events when it has any (most have none)."""
    cell.traces[key] = steps
    if events:
        cell.events[key] = events
    else:
        cell.events.pop(key, None)


def _saved_specs(cell: CellRun) -> dict[str, ArchitectureSpec]:
    """The specs the run saved (architectures.json), {} when unreadable: a design from a
    file or a spec object is diagnosed with its own step budgets, not looked up by name."""
    from harness.errors import UserError
    from harness.rundir import saved_specs

    try:
        return saved_specs(cell.dir)
    except (OSError, ValueError, UserError):
        return {}


class CellFold:
    """Diagnoses of one cell, fed one trace at a time by the reader (which also feeds the
    cell's overlays, `harness.report.overlays`, the same lines)."""

    def __init__(self, cell: CellRun, keeper: TraceKeeper) -> None:
        self.cell = cell
        self.keeper = keeper
        self.results = {r.key: r for r in cell.results}
        self.places: dict[Key, tuple[int, int]] = {}
        for arch in cell.architectures:
            q = keeper.queue(cell)
            for rank, r in enumerate(_ordered(cell.of(arch))):
                self.places[r.key] = (q, rank)
        self.errors: dict[Key, Exception] = {}
        self.budget_error: Exception | None = None
        self.budgets: dict[str, tuple[dict[str, int], bool]] = {}
        try:
            saved = _saved_specs(cell)
            for r in cell.results:
                if r.architecture not in self.budgets:
                    spec = saved.get(r.architecture)
                    self.budgets[r.architecture] = loop_budgets(cell.config, r.architecture, spec)
        except Exception as exc:  # noqa: BLE001 - analyse_cell reports it as before
            self.budget_error = exc

    def add(self, key: Key, steps: Steps, events: Events | None = None) -> None:
        """One trace line, as read (a key read twice: the last line wins, as in a dict)."""
        r = self.results.get(key)
        if r is not None:
            self._diagnose(key, r, steps)
        self.keeper.offer(self.cell, key, steps, self.places.get(key), events)
        self.cell.traced.add(key)

    def _diagnose(self, key: Key, r: Episode, steps: Steps) -> None:
        if self.budget_error is not None:
            return
        self.errors.pop(key, None)
        b, dynamic = self.budgets[r.architecture]
        try:
            self.cell.diagnoses[key] = diagnose(as_result(r), steps, b, dynamic)
        except Exception as exc:  # noqa: BLE001 - analyse_cell reports it as before
            self.cell.diagnoses.pop(key, None)
            self.errors[key] = exc

    def finish(self) -> None:
        """Episodes with no trace, then everything in the results' order (as
        `analyse_cell` diagnosed them, so counts and their order do not change)."""
        cell = self.cell
        diagnoses: dict[Key, Diagnosis] = {}
        for r in cell.results:
            key = r.key
            if key not in cell.traced and r.correct:
                self._diagnose(key, r, [])
            if cell.diagnosis_error is None and key in self.errors:
                cell.diagnosis_error = self.errors[key]
            if key in cell.diagnoses:
                diagnoses[key] = cell.diagnoses[key]
        if self.budget_error is not None:
            cell.diagnosis_error = self.budget_error
        cell.diagnoses = diagnoses


def cell_overlay(cell: CellRun, arch: str) -> Overlay:
    """The overlay of `arch` over the whole cell (or the error `load_overlay` raises for
    it), from the sums folded while the cell was read. A cell read without them, or an
    architecture its config.json does not list (an error from config.json alone), is
    read by `load_overlay` now."""
    if cell.overlays is not None and arch in cell.overlays:
        return cell.overlays.overlay(arch)
    from harness.drawing import load_overlay

    return load_overlay(cell.dir, arch)
