"""The report reads a run once and keeps only the paged episodes' traces: what it folds as it
reads (overlay sums, failure tags) and the pages it writes equal the straightforward path
that holds every trace and reads the run again per architecture."""

from __future__ import annotations

import filecmp
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from report_runs import ARCHS, make_run, make_sweep

from harness.drawing import load_overlay
from harness.errors import ConfigError
from harness.report import write_report
from harness.report.analysis import analyse_cell
from harness.report.build import write_run
from harness.report.fold import TraceKeeper, cell_overlay, select_traces
from harness.report.load import CellRun, load_run
from harness.stats import DEFAULT_REPS
from harness.taxonomy import count, diagnose, loop_budgets


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("scale") / "run")


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sweep(tmp_path_factory.mktemp("scale") / "sweep")


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("report"))
    return dst


def _same_tree(a: Path, b: Path) -> None:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    _, mismatch, errors = filecmp.cmpfiles(a, b, [str(f) for f in files_a], shallow=False)
    assert mismatch == [] and errors == []


def _overlay_numbers(ov: Any) -> tuple[Any, ...]:
    return (ov.episodes, dict(ov.nodes), dict(ov.edges), ov.totals, ov.compiled.name)


def test_folded_overlay_equals_load_overlay_per_architecture(run_dir: Path) -> None:
    run = load_run(run_dir, traces=5, overlay=True)
    cell = run.cells[0]
    assert cell.overlays is not None and all(arch in cell.overlays for arch in ARCHS)
    for arch in ARCHS:
        folded = cell_overlay(cell, arch)
        assert _overlay_numbers(folded) == _overlay_numbers(load_overlay(run_dir, arch))
        assert folded.totals.steps == sum(r.totals.steps for r in cell.of(arch))


def test_folded_failure_tags_equal_those_of_every_trace(run_dir: Path) -> None:
    full = load_run(run_dir)  # every trace held
    cell = full.cells[0]
    assert len(cell.traces) == len(cell.results)
    expected = {}
    for r in cell.results:
        key = (r.architecture, r.task_id, r.seed)
        steps = cell.traces.get(key)
        if steps is None and not r.correct:
            continue
        expected[key] = diagnose(r, steps or [], *loop_budgets(cell.config, r.architecture))
    capped = load_run(run_dir, traces=3).cells[0]
    view = analyse_cell(capped)
    assert view.diagnoses == expected
    assert list(view.diagnoses) == list(expected)  # the same order, so the same counts' order
    assert view.taxonomy == count(expected.values())
    assert sum(view.taxonomy[a]["failed"] for a in view.taxonomy) > 3  # more than are paged


@pytest.mark.parametrize("limit", [0, 1, 5, 17, 1000])
def test_only_the_paged_traces_are_held(run_dir: Path, limit: int) -> None:
    full = load_run(run_dir)
    want = [(c.id, k) for c, k in select_traces(full.cells, limit)]
    run = load_run(run_dir, traces=limit)
    cell = run.cells[0]
    assert [(c.id, k) for c, k in run.paged] == want
    assert len(cell.traces) == len(run.paged) == min(limit, len(cell.results))
    assert len(cell.traced) == len(cell.results)
    for _, key in run.paged:
        assert cell.traces[key] == full.cells[0].traces[key]


def test_keeper_holds_about_the_cap_while_reading(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Traces in reverse (failed and correct mixed, the best ranked read last) still give
    the same pages, and no more than cap + one per queue step lists are held at once."""
    d = _copy(run_dir, tmp_path / "run")
    lines = (d / "traces.jsonl").read_text().splitlines(keepends=True)
    (d / "traces.jsonl").write_text("".join(reversed(lines)))
    cells: list[CellRun] = []
    held: list[int] = []
    offer = TraceKeeper.offer

    def spy(self: TraceKeeper, cell: CellRun, *args: Any) -> None:
        offer(self, cell, *args)
        if cell not in cells:
            cells.append(cell)
        held.append(sum(len(c.traces) for c in cells))

    monkeypatch.setattr(TraceKeeper, "offer", spy)
    run = load_run(d, traces=6)
    assert len(held) == len(lines) and max(held) <= 6 + len(ARCHS)
    full = load_run(run_dir)
    assert [k for _, k in run.paged] == [k for _, k in select_traces(full.cells, 6)]


def test_report_equals_the_report_from_every_trace(run_dir: Path, tmp_path: Path) -> None:
    """Index, figures and trace pages: the folded report against one drawn from a run read
    with every trace held and the overlays read back by `load_overlay`."""
    folded = write_report(run_dir, tmp_path / "folded", max_traces=7).parent
    full = load_run(run_dir, overlay=False)
    assert full.cells[0].overlays is None
    full.paged = select_traces(full.cells, 7)
    plain = write_run(full, tmp_path / "plain", reps=DEFAULT_REPS, seed=0).parent
    assert len(list((folded / "traces").glob("*.html"))) == 7
    _same_tree(folded, plain)


def test_sweep_keeps_the_paged_traces_of_every_cell(sweep_dir: Path, tmp_path: Path) -> None:
    full = load_run(sweep_dir)
    run = load_run(sweep_dir, traces=5, overlay=True)
    want = [(c.id, k) for c, k in select_traces(full.cells, 5)]
    assert [(c.id, k) for c, k in run.paged] == want
    assert sum(len(c.traces) for c in run.cells) == 5
    assert run.cells[0].overlays is not None and run.cells[1].overlays is None
    folded = write_report(sweep_dir, tmp_path / "folded", max_traces=5).parent
    full = load_run(sweep_dir, overlay=False)
    full.paged = select_traces(full.cells, 5)
    plain = write_run(full, tmp_path / "plain", reps=DEFAULT_REPS, seed=0).parent
    _same_tree(folded, plain)


def test_a_run_read_leniently_draws_what_load_overlay_reads(run_dir: Path, tmp_path: Path) -> None:
    """A duplicated trace line: the last one wins, in the tags and in the folded overlay
    (taken back in a second reading), as `load_overlay` reads it; a missing traces.jsonl
    gives `load_overlay`'s error, which the drawing turns into the bare design."""
    d = _copy(run_dir, tmp_path / "run")
    first = (d / "traces.jsonl").read_text().splitlines()[0]
    obj = json.loads(first)
    obj["steps"] = obj["steps"][:1]
    with open(d / "traces.jsonl", "a") as f:
        f.write(json.dumps(obj) + "\n")
    run = load_run(d, traces=None, overlay=True)
    cell = run.cells[0]
    key = (obj["architecture"], obj["task_id"], obj["seed"])
    assert cell.traces[key] == obj["steps"]
    for arch in ARCHS:
        again = load_overlay(d, arch)
        assert _overlay_numbers(cell_overlay(cell, arch)) == _overlay_numbers(again)
    (d / "traces.jsonl").unlink()
    cell = load_run(d, overlay=True).cells[0]
    assert cell.overlays is not None
    with pytest.raises(ConfigError, match="traces.jsonl' cannot be read"):
        cell_overlay(cell, ARCHS[0])
