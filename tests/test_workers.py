"""`--workers N`: simulated episodes in worker processes, with results that do not depend
on how many workers ran them, and summaries that stream in constant memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import cli

from harness import compare
from harness.errors import ConfigError
from harness.execution.plan import ArchRef, Job, batch_size
from harness.execution.processes import ProcessExecutor
from harness.execution.summary import SummaryBuilder
from harness.metrics import summarise_architecture, summary_row
from harness.task import TaskSuite
from harness.usage import UsageLimits

ARCHS = ["kimi-researcher", "manus-workflow", "minimax-hybrid", "orchestrator-workers"]


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
        builder.add(summary_row(r))
    for got, arch in zip(builder.summaries(), ARCHS, strict=True):
        want = summarise_architecture(arch, [r for r in result.results if r.architecture == arch])
        assert got == want


def test_workers_ship_only_summary_rows_when_no_result_is_wanted(
    mini: TaskSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the CLI runs: no results kept, a progress bar. Workers then send back the
    numbers the summaries need, nothing is parsed here, and the summaries are the same."""
    want = compare(ARCHS, suite=mini, seeds=2).summary_json()
    import harness.execution.merge as merge

    def no_parsing(line: str) -> None:
        raise AssertionError("a result was parsed although nobody wanted it")

    monkeypatch.setattr(merge, "parse_result", no_parsing)
    seen: list[tuple[int, int, tuple[str, str, int]]] = []
    got = compare(
        ARCHS,
        suite=mini,
        seeds=2,
        workers=2,
        keep_results=False,
        on_progress=lambda done, total, key: seen.append((done, total, key)),
    )
    assert got.summary_json() == want and got.results == []
    total = len(ARCHS) * 2 * len(mini.tasks)
    assert [d for d, _, _ in seen] == list(range(1, total + 1))
    assert {t for _, t, _ in seen} == {total}
    assert sorted(k for _, _, k in seen) == sorted(
        (a, t.id, s) for a in ARCHS for t in mini.tasks for s in (0, 1)
    )
    with pytest.raises(AssertionError, match="was parsed"):  # a caller that reads results
        compare(ARCHS[:1], suite=mini, seeds=1, workers=2, on_episode=lambda e, d, t: None)


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


def test_the_end_of_a_run_is_shared_out(mini: TaskSuite, tmp_path: Path) -> None:
    """Batches shrink as a worker's share runs out, and a worker whose share is all given
    out takes from the others': every worker gets episodes, none is handed one twice, and
    the files are those of a single process."""
    from harness.execution import processes

    one = compare(ARCHS, suite=mini, seeds=2, out=tmp_path / "local")
    seen: list[list[int]] = []
    share = processes._Share(iter(range(100)))
    share.left = 100
    sizes = []
    while batch := share.take(16, 2):
        seen.append(batch)
        sizes.append(len(batch))
    assert sizes[0] == 16 and sizes[-1] == 1 and sizes == sorted(sizes, reverse=True)
    assert [i for b in seen for i in b] == list(range(100)) and share.left == 0
    executor = ProcessExecutor(3, batch=4)
    compare(ARCHS, suite=mini, seeds=2, out=tmp_path / "three", executor=executor)
    assert len(executor.pids) == 3
    assert _files(tmp_path / "three") == _files(tmp_path / "local")
    assert (
        one.summary_json()
        == json.loads((tmp_path / "three" / "summary.json").read_text())["architectures"]
    )
