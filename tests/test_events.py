"""Trace events (`harness.events`) on their way out: recorded by `EpisodeState.note`, they
reach the episode, its result's counts, traces.jsonl (from worker processes too), the
report's episode pages and index, and `archbench run`; resumed runs stay byte-identical.

No call site records events yet in the runtime, so these tests add one: every agent loop
notes one event where it starts and one where it ends (parallel sub-agents included).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import harness.runtime as runtime
from harness import branches, compare
from harness.cli import main
from harness.corpus import Corpus
from harness.events import Event, count_events, in_order
from harness.execution.processes import ProcessExecutor
from harness.graph import compile_architecture
from harness.loader import load_architecture
from harness.report import write_report
from harness.rerun import resume
from harness.runtime import Episode
from harness.task import TaskSuite

ARCHS = ["kimi-researcher", "manus-workflow", "orchestrator-workers"]
FILES = ("results.jsonl", "traces.jsonl", "summary.json")


def _noting(mp: pytest.MonkeyPatch) -> None:
    """Every agent loop notes where it starts (budget_clipped) and ends (report_ignored)."""
    real = runtime.run_agent

    async def run_agent(
        state: Any, node: Any, text: str, branch: str, clock: float, *args: Any, **kw: Any
    ) -> Any:
        state.note("budget_clipped", node.name, branch, clock, f"<{node.name}> starts")
        result, end = await real(state, node, text, branch, clock, *args, **kw)
        state.note("report_ignored", node.name, branch, end, f"{node.name} ends on {branch}")
        return result, end

    mp.setattr(runtime, "run_agent", run_agent)
    mp.setattr(branches, "run_agent", run_agent)


@pytest.fixture
def noted(monkeypatch: pytest.MonkeyPatch) -> None:
    _noting(monkeypatch)


@pytest.fixture(scope="module")
def reference(mini: TaskSuite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted run with events."""
    run = tmp_path_factory.mktemp("events") / "run"
    with pytest.MonkeyPatch.context() as mp:
        _noting(mp)
        compare(ARCHS, suite=mini, seeds=2, out=run)
    return run


def _files(run: Path) -> dict[str, bytes]:
    return {n: (run / n).read_bytes() for n in FILES}


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_events_are_ordered_and_counted() -> None:
    events = [
        Event("report_ignored", "w", "fan#1/1", 3.0, "b"),
        Event("subtask_dropped", "p", "main", 1.0, "a"),
        Event("report_ignored", "w", "fan#1/0", 3.0, "c"),
    ]
    assert [e.detail for e in in_order(events)] == ["a", "c", "b"]
    assert list(count_events(events).items()) == [("subtask_dropped", 1), ("report_ignored", 2)]


@pytest.mark.usefixtures("noted")
def test_an_episode_carries_its_events_and_their_counts(mini: TaskSuite) -> None:
    arch = compile_architecture(load_architecture("orchestrator-workers"), {}, {})
    task = next(t for t in mini.tasks if t.id == "mini-breadth")
    episode = asyncio.run(runtime.run_episode(arch, task, Corpus(mini.documents)))
    assert episode.events == in_order(episode.events)
    assert {e.branch for e in episode.events} > {"main"}  # sub-agents noted too
    assert episode.result.events == count_events(episode.events)
    # an Episode built again from its own result keeps the counts, adding nothing
    again = Episode(episode.result, episode.steps)
    assert again.result.events == episode.result.events and again.events == ()


def test_events_are_written_with_the_trace_and_counted_in_results(reference: Path) -> None:
    results, traces = _jsonl(reference / "results.jsonl"), _jsonl(reference / "traces.jsonl")
    assert len(results) == len(traces) == len(ARCHS) * 2 * 5
    for r, t in zip(results, traces, strict=True):
        assert (r["architecture"], r["task_id"], r["seed"]) == (
            t["architecture"],
            t["task_id"],
            t["seed"],
        )
        assert t["events"], "every episode noted events"
        assert r["events"] == dict(Counter(e["kind"] for e in t["events"]))
        assert set(t["events"][0]) == {"kind", "node", "branch", "clock_s", "detail"}
        clocks = [e["clock_s"] for e in t["events"]]
        assert clocks == sorted(clocks)


def test_runs_without_events_leave_results_as_they_were(mini: TaskSuite, tmp_path: Path) -> None:
    run = tmp_path / "run"
    compare(ARCHS[:1], suite=mini, seeds=1, out=run)
    for r in _jsonl(run / "results.jsonl"):
        assert "events" not in r and r["format_version"] == 1
    for t in _jsonl(run / "traces.jsonl"):
        assert t["events"] == [] and t["format_version"] == 2


def test_workers_ship_events(reference: Path, mini: TaskSuite, tmp_path: Path) -> None:
    """Worker processes (forked after the call site was added) write the same files."""
    with pytest.MonkeyPatch.context() as mp:
        _noting(mp)
        out = tmp_path / "w2"
        got = compare(ARCHS, suite=mini, seeds=2, out=out, executor=ProcessExecutor(2, batch=2))
    assert _files(out) == _files(reference)
    assert all(r.events for r in got.results)  # results parsed from the workers' lines


def test_resume_with_events_is_byte_identical(
    reference: Path, mini: TaskSuite, tmp_path: Path
) -> None:
    run = tmp_path / "run"

    def interrupt(ep: Episode, done: int, total: int) -> None:
        if done == 13:
            raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as mp:
        _noting(mp)
        with pytest.raises(KeyboardInterrupt):
            compare(ARCHS, suite=mini, seeds=2, out=run, concurrency=4, on_episode=interrupt)
        resume(run, workers=2)
    assert _files(run) == _files(reference)


def test_report_lists_events_per_episode_and_counts_them(reference: Path, tmp_path: Path) -> None:
    d = tmp_path / "run"
    shutil.copytree(reference, d)
    index = write_report(d, max_traces=None)
    page = index.read_text(encoding="utf-8")
    assert 'id="events"' in page and "Trace events" in page
    section = page[page.index('id="events"') :]
    section = section[: section.index("</section>")]
    results = _jsonl(d / "results.jsonl")
    for arch in ARCHS:
        n = sum(r["events"]["report_ignored"] for r in results if r["architecture"] == arch)
        assert f">{n}</td>" in section
    assert "budget clipped" in section and "report ignored" in section
    # one episode's page: every event, in a table
    t = _jsonl(d / "traces.jsonl")[-1]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{t['architecture']}-{t['task_id']}-{t['seed']}")
    (page_file,) = (d / "report" / "traces").glob(f"{name}-*.html")  # + a hash of its key
    trace_page = page_file.read_text(encoding="utf-8")
    assert trace_page.count('<span class="tag warn">') >= len(t["events"])
    for e in t["events"]:
        assert f"<td>{e['branch']}</td>" in trace_page
        assert html.escape(e["detail"], quote=False) in trace_page  # escaped, not markup


def test_report_without_events_has_no_events_section(reference: Path, tmp_path: Path) -> None:
    """An older run (no events in its traces or results) reads as a run without any."""
    d = tmp_path / "run"
    shutil.copytree(reference, d)
    for name in ("results.jsonl", "traces.jsonl"):
        lines = _jsonl(d / name)
        for x in lines:
            x.pop("events")
        (d / name).write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    page = write_report(d, max_traces=2).read_text(encoding="utf-8")
    assert 'id="events"' not in page and "Traceback" not in page


@pytest.mark.usefixtures("noted")
def test_run_prints_events_after_the_steps(
    mini_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["run", "manus-workflow", "--task", "mini-breadth", "--suite", str(mini_file)])
    out = capsys.readouterr().out
    assert "events (what the design did that no model call shows):" in out
    steps_end = out.rindex("-> ")
    events_at = out.index("events (")
    assert steps_end < events_at < out.index("outcome:")
    assert re.search(r"workers#1/0 +worker +budget_clipped +<worker> starts", out), out
