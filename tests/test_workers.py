"""`--workers N`: simulated episodes in worker processes, with results that do not depend
on how many workers ran them, and summaries that stream in constant memory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import compare
from harness.cli import main
from harness.errors import ConfigError
from harness.execution.plan import ArchRef, Job, batch_size
from harness.execution.processes import ProcessExecutor
from harness.execution.summary import SummaryBuilder
from harness.metrics import summarise_architecture
from harness.task import TaskSuite
from harness.usage import UsageLimits

ARCHS = ["kimi-researcher", "manus-workflow", "minimax-hybrid", "orchestrator-workers"]


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _files(run: Path) -> dict[str, bytes]:
    return {n: (run / n).read_bytes() for n in ("results.jsonl", "traces.jsonl", "summary.json")}


def test_results_are_identical_whatever_the_number_of_workers(
    mini: TaskSuite, tmp_path: Path
) -> None:
    one = compare(ARCHS, suite=mini, seeds=2, out=tmp_path / "w1")
    assert one.config["execution"] == {"executor": "local", "workers": 1}
    for workers, batch in ((2, None), (3, 1)):
        out = tmp_path / f"w{workers}"
        executor = ProcessExecutor(workers, batch=batch)
        many = compare(ARCHS, suite=mini, seeds=2, out=out, executor=executor)
        assert many.results_jsonl() == one.results_jsonl()
        assert many.summary_json() == one.summary_json()
        assert _files(out) == _files(tmp_path / "w1")


def test_workers_without_a_run_directory_and_without_keeping_results(mini: TaskSuite) -> None:
    one = compare(ARCHS[:2], suite=mini, seeds=3)
    two = compare(ARCHS[:2], suite=mini, seeds=3, workers=2, keep_results=False)
    assert two.results == [] and two.summary_json() == one.summary_json()
    assert two.config["execution"] == {"executor": "processes", "workers": 2}


def test_streamed_summaries_equal_the_batch_ones(mini: TaskSuite) -> None:
    result = compare(ARCHS, suite=mini, seeds=3, limits=UsageLimits(max_steps=6))
    builder = SummaryBuilder(ARCHS)
    for r in result.results:
        builder.add(r)
    for got, arch in zip(builder.summaries(), ARCHS, strict=True):
        want = summarise_architecture(arch, [r for r in result.results if r.architecture == arch])
        assert got == want


def test_the_plan_is_indexed_without_being_listed(mini: TaskSuite) -> None:
    result = compare(ARCHS[:2], suite=mini, seeds=[4, 7])
    refs = tuple(ArchRef.of(a) for a in _compiled(ARCHS[:2]))
    job = Job(refs, mini, tuple(t.id for t in mini.tasks), (4, 7), UsageLimits())
    keys = [(r.architecture, r.task_id, r.seed) for r in result.results]
    assert [job.key(i) for i in range(len(job))] == keys
    index = job.indexer()
    assert [index.get(k) for k in keys] == list(range(len(job)))
    assert index.get(("nope", mini.tasks[0].id, 4)) is None
    assert batch_size(720, 2) == 45 and batch_size(10, 2) == 1 and batch_size(10**6, 2) == 64


def _compiled(names: list[str]) -> list:  # type: ignore[type-arg]
    from harness.compare import prepare

    return prepare(names, None, None)


def test_workers_refuse_what_cannot_be_shipped(mini: TaskSuite) -> None:
    from harness.scripted import ScriptedModel

    with pytest.raises(ConfigError, match="--workers"):
        compare(
            ARCHS[:1],
            suite=mini,
            seeds=1,
            workers=2,
            model_factory=lambda m: ScriptedModel(
                lambda r: None  # type: ignore[arg-type,return-value]
            ),
        )
    real = {"*": "openai-compatible/x@http://127.0.0.1:9/v1"}
    with pytest.raises(ConfigError, match="real models"):
        compare(ARCHS[:1], suite=mini, seeds=1, workers=2, models=real)
    with pytest.raises(ConfigError, match="--workers"):
        compare(ARCHS[:1], suite=mini, seeds=1, workers=0)
    with pytest.raises(ConfigError, match="--executor"):
        compare(ARCHS[:1], suite=mini, seeds=1, executor="threads")
    with pytest.raises(ConfigError, match="--executor local"):
        compare(ARCHS[:1], suite=mini, seeds=1, workers=2, executor="local")


def test_cli_workers_give_the_same_summary(
    mini_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = []
    for workers in ("1", "2"):
        args = ["compare", "--suite", str(mini_file), "--seeds", "2", "--json", "-", "-q"]
        code, out, err = cli(
            [*args, "--workers", workers, "--out", str(tmp_path / workers)], capsys
        )
        assert code == 0, err
        outputs.append(json.loads(out))
    assert outputs[0] == outputs[1]
    assert _files(tmp_path / "1") == _files(tmp_path / "2")
    config = json.loads((tmp_path / "2" / "config.json").read_text())
    assert config["execution"] == {"executor": "processes", "workers": 2}
    assert config["archbench_version"] and config["seeds"] == [0, 1]
    assert json.loads((tmp_path / "2" / "architectures.json").read_text()).keys() == set(ARCHS)


def test_this_process_is_one_of_the_workers(mini: TaskSuite, tmp_path: Path) -> None:
    """`--workers N` starts N-1 other processes; with one worker everything runs here."""
    one = compare(ARCHS, suite=mini, seeds=2, out=tmp_path / "local")
    alone = ProcessExecutor(1)
    here = compare(ARCHS, suite=mini, seeds=2, out=tmp_path / "alone", executor=alone)
    assert alone.pids == []
    assert _files(tmp_path / "alone") == _files(tmp_path / "local")
    assert here.summary_json() == one.summary_json()
    two = ProcessExecutor(2, batch=3)
    compare(ARCHS, suite=mini, seeds=2, out=tmp_path / "two", executor=two)
    assert len(two.pids) == 1
    assert _files(tmp_path / "two") == _files(tmp_path / "local")


def test_ctrl_c_inside_an_episode_here_is_reported_once(
    mini: TaskSuite,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The interrupt lands in a parallel branch of an episode this process is running: the
    run stops with KeyboardInterrupt, asyncio does not log the branch's copy of it, and
    the saved episodes resume to the uninterrupted result."""
    import gc

    from harness import runtime
    from harness.rerun import resume

    real_run_agent = runtime.run_agent
    branches = 0

    async def run_agent(*args: Any, **kwargs: Any) -> Any:
        nonlocal branches
        if "#" in args[3]:  # a fan-out branch, in a task of its own
            branches += 1
            if branches == 40:
                raise KeyboardInterrupt
        return await real_run_agent(*args, **kwargs)

    monkeypatch.setattr(runtime, "run_agent", run_agent)
    gc.collect()  # what earlier tests left is logged now, not during this one
    caplog.clear()
    run = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        compare(ARCHS, suite=mini, seeds=3, out=run, executor=ProcessExecutor(1))
    gc.collect()  # unretrieved task exceptions are logged when their tasks are collected
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]
    assert 0 < len((run / "results.jsonl").read_bytes().splitlines()) < 60
    monkeypatch.setattr(runtime, "run_agent", real_run_agent)
    resume(run)
    full = compare(ARCHS, suite=mini, seeds=3)
    assert json.loads((run / "summary.json").read_text())["architectures"] == full.summary_json()
