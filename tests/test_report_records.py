"""What the report keeps per episode (`harness.report.episodes.Episode`, not the pydantic
`EpisodeResult`): the same numbers, tags and pages from either, and a fraction of the
memory."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from report_runs import make_run

from harness.metrics import summarise_architecture
from harness.report.analysis import analyse_cell, arch_row
from harness.report.episodes import Episode, as_results
from harness.report.load import CellRun, load_run
from harness.report.pages import environment, write_trace_page
from harness.stats import family_breakdown, paired_comparisons
from harness.taxonomy import diagnose, loop_budgets
from harness.trace import EpisodeResult


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("records") / "run", None)


def _results(run_dir: Path) -> list[EpisodeResult]:
    lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return [EpisodeResult.model_validate_json(line) for line in lines]


def test_an_episode_reads_as_its_result(run_dir: Path) -> None:
    for r in _results(run_dir):
        e = Episode.of(r)
        for f in fields(Episode):
            if f.name in ("totals", "coordination", "split", "split_costs"):
                continue
            want = getattr(r, f.name)
            assert getattr(e, f.name) == (tuple(want) if f.name == "citations" else want)
        for part in ("totals", "coordination"):
            mine, theirs = getattr(e, part), getattr(r, part)
            for name in ("steps", "tool_calls", "input_tokens", "cached_input_tokens"):
                assert getattr(mine, name) == getattr(theirs, name)
            assert (mine.output_tokens, mine.total_tokens) == (
                theirs.output_tokens,
                theirs.total_tokens,
            )
            assert mine.cost_usd == theirs.cost_usd
        for split in ("by_model", "by_role"):
            got = {k: c.cost_usd for k, c in getattr(e, split).items()}
            assert got == {k: u.cost_usd for k, u in getattr(r, split).items()}
            assert list(got) == list(getattr(r, split))


def test_statistics_and_tags_are_the_same_from_either(run_dir: Path) -> None:
    """The report's numbers from the kept records equal those from the results, whether
    load_run read them or a caller passed `EpisodeResult`s in."""
    results = _results(run_dir)
    cell = load_run(run_dir, traces=None).cells[0]
    assert all(type(r) is Episode for r in cell.results)
    archs = cell.architectures
    by_hand = CellRun("run", {}, run_dir, config=cell.config, architectures=archs)
    by_hand.results = list(results)  # a caller's results, never converted
    for arch in archs:
        mine = cell.of(arch)
        theirs = [r for r in results if r.architecture == arch]
        assert summarise_architecture(arch, as_results(mine)) == summarise_architecture(
            arch, theirs
        )
        assert arch_row(cell, arch, mine, reps=200, seed=3) == arch_row(
            by_hand, arch, theirs, reps=200, seed=3
        )
    assert paired_comparisons(as_results(cell.results), archs, reps=200) == (
        paired_comparisons(results, archs, reps=200)
    )
    assert family_breakdown(as_results(cell.results), archs, reps=200) == (
        family_breakdown(results, archs, reps=200)
    )
    for r, e in zip(results, cell.results, strict=True):
        steps = cell.traces[e.key]
        budgets = loop_budgets(cell.config, r.architecture)
        assert diagnose(as_results([e])[0], steps, *budgets) == diagnose(r, steps, *budgets)
    converted = CellRun("run", {}, run_dir, config=cell.config, results=list(results))  # type: ignore[arg-type]
    assert converted.results == cell.results  # EpisodeResults passed in are converted
    converted.architectures = archs
    view, again = analyse_cell(cell, reps=200), analyse_cell(converted, reps=200)
    assert (view.rows, view.pairs, view.families) == (again.rows, again.pairs, again.families)


def test_trace_pages_are_the_same_from_either(run_dir: Path, tmp_path: Path) -> None:
    cell = load_run(run_dir, traces=None).cells[0]
    env = environment()
    for r in _results(run_dir)[::7]:
        e = next(x for x in cell.results if x.key == (r.architecture, r.task_id, r.seed))
        d = cell.diagnoses.get(e.key)
        write_trace_page(env, tmp_path / "a", cell, r, d, "../index.html", "t")
        write_trace_page(env, tmp_path / "b", cell, e, d, "../index.html", "t")
    pages = sorted(p.name for p in (tmp_path / "a" / "traces").iterdir())
    assert len(pages) > 10
    for name in pages:
        a = (tmp_path / "a" / "traces" / name).read_bytes()
        assert a == (tmp_path / "b" / "traces" / name).read_bytes()


def _bytes_each(make: Callable[[str], Any], lines: list[str]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        kept = [make(line) for line in lines]
        gc.collect()
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(kept) == len(lines)
    return size / len(lines)


def test_an_episode_is_a_fraction_of_a_result(run_dir: Path) -> None:
    lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    full = _bytes_each(EpisodeResult.model_validate_json, lines)
    kept = _bytes_each(lambda line: Episode.of(EpisodeResult.model_validate_json(line)), lines)
    assert not hasattr(Episode.of(EpisodeResult.model_validate_json(lines[0])), "__dict__")
    assert kept < 1500 and full > 6 * kept, (kept, full)
