"""`--resume RUN_DIR`: a run killed in any way (a worker process killed, `kill -9` of the
whole command, Ctrl-C, a line torn mid-write) finishes with no episode lost and none
duplicated, and its files and summary equal those of an uninterrupted run."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import fake_openai_server
import pytest
from fake_openai_server import FakeServer

from harness import compare
from harness.errors import ConfigError
from harness.execution import IncompleteRun
from harness.execution.processes import ProcessExecutor
from harness.rerun import resume
from harness.runtime import Episode
from harness.task import TaskSuite

_server = fake_openai_server._server  # the fake OpenAI server's fixtures
fake_server = fake_openai_server.fake_server

ARCHS = ["kimi-researcher", "manus-workflow", "minimax-hybrid", "orchestrator-workers"]
FILES = ("results.jsonl", "traces.jsonl", "summary.json")
CLI = [sys.executable, "-c", "from harness.cli import main; main()"]


def _files(run: Path) -> dict[str, bytes]:
    return {n: (run / n).read_bytes() for n in FILES}


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


@pytest.fixture(scope="module")
def reference(mini: TaskSuite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The uninterrupted run every interrupted one must end up equal to."""
    run = tmp_path_factory.mktemp("reference") / "run"
    compare(ARCHS, suite=mini, seeds=3, out=run)
    return run


def test_resume_after_a_worker_process_is_killed(
    mini: TaskSuite, reference: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    executor = ProcessExecutor(2, batch=2)

    def kill_a_worker(ep: Episode, done: int, total: int) -> None:
        if done == 12:
            os.kill(executor.pids[0], signal.SIGKILL)
            time.sleep(0.3)  # the pool notices before more results are taken

    with pytest.raises(IncompleteRun) as info:
        compare(ARCHS, suite=mini, seeds=3, out=run, executor=executor, on_episode=kill_a_worker)
    assert 12 <= info.value.done < 60 and f"--resume {run}" in str(info.value)
    assert _lines(run / "results.jsonl") == info.value.done
    assert not (run / "summary.json").exists()
    finished = resume(run, workers=2)
    assert _files(run) == _files(reference)
    saved = json.loads((run / "summary.json").read_text())
    assert saved["architectures"] == finished.summary_json() and saved["format_version"] == 2
    assert len(finished.results) == 60  # the saved ones read back, the rest run


def test_resume_after_ctrl_c_and_torn_lines(
    mini: TaskSuite, reference: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"

    def interrupt(ep: Episode, done: int, total: int) -> None:
        if done == 23:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compare(ARCHS, suite=mini, seeds=3, out=run, on_episode=interrupt)
    assert _lines(run / "results.jsonl") == 23
    # a crash mid-write: the last result torn, and one more result without its trace
    results = (run / "results.jsonl").read_bytes().splitlines(keepends=True)
    extra = results[-1]
    (run / "results.jsonl").write_bytes(b"".join(results[:-1]) + extra[:40])
    traces = (run / "traces.jsonl").read_bytes().splitlines(keepends=True)
    (run / "traces.jsonl").write_bytes(b"".join(traces[:-2]) + traces[-2][:-1])
    resume(run)
    assert _files(run) == _files(reference)


def test_resume_of_an_out_of_order_run_with_other_workers(
    mini: TaskSuite, reference: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"

    def interrupt(ep: Episode, done: int, total: int) -> None:
        if done == 31:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # eight at a time: lines land out of order
        compare(ARCHS, suite=mini, seeds=3, out=run, concurrency=8, on_episode=interrupt)
    keys = [json.loads(x)["task_id"] for x in (run / "results.jsonl").read_text().splitlines()]
    assert len(keys) == 31
    again = resume(run, workers=3, keep_results=False)
    assert again.results == [] and _files(run) == _files(reference)
    # resuming a finished run changes nothing
    assert resume(run).summary_json() == again.summary_json()
    assert _files(run) == _files(reference)


def test_resume_refuses_what_is_not_its_run(mini: TaskSuite, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config.json"):
        resume(tmp_path / "nothing")
    run = tmp_path / "run"
    compare(ARCHS[:1], suite=mini, seeds=1, out=run)
    other = compare(ARCHS[1:2], suite=mini, seeds=1).results_jsonl()
    with open(run / "results.jsonl", "a", encoding="utf-8") as fh:
        fh.write(other.splitlines(keepends=True)[0])
    (run / "traces.jsonl").write_text((run / "traces.jsonl").read_text() + "{}\n")
    with pytest.raises(ConfigError, match="not in the run's plan"):
        resume(run)
    with pytest.raises(ConfigError, match="already holds a run"):
        compare(ARCHS[:1], suite=mini, seeds=1, out=run)


def test_kill_9_of_the_cli_then_resume(tmp_path: Path) -> None:
    run = tmp_path / "run"
    args = ["compare", "--seeds", "5", "--workers", "2", "-q", "--json", str(tmp_path / "j")]
    proc = subprocess.Popen([*CLI, *args, "--out", str(run)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _lines(run / "results.jsonl") < 150 and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = _lines(run / "results.jsonl")
    assert 150 <= killed_at < 1200, killed_at  # killed mid-run
    out = subprocess.run(
        [*CLI, "compare", "--resume", str(run), "-q", "--json", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    whole = compare(seeds=5, keep_results=False)
    assert json.loads(out.stdout)["architectures"] == whole.summary_json()
    saved = json.loads((run / "summary.json").read_text())
    assert saved["architectures"] == whole.summary_json()
    assert _lines(run / "results.jsonl") == _lines(run / "traces.jsonl") == 1200


def test_ctrl_c_in_the_cli_says_how_to_resume(tmp_path: Path) -> None:
    run = tmp_path / "run"
    proc = subprocess.Popen(
        [*CLI, "compare", "--seeds", "100", "--out", str(run), "-q"],  # minutes of work
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while _lines(run / "results.jsonl") < 20 and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"archbench compare --resume {run}" in err
    saved = _lines(run / "results.jsonl")
    assert 20 <= saved < 24_000 and saved == _lines(run / "traces.jsonl")


def test_resume_a_real_model_run(
    fake_server: FakeServer, mini: TaskSuite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Real models resume too (in this process, with the run's own cache settings)."""
    run = tmp_path / "run"

    def interrupt(ep: Episode, done: int, total: int) -> None:
        if done == 4:
            raise KeyboardInterrupt

    model = {"*": fake_server.model_id()}
    gc.collect()
    caplog.clear()
    with pytest.raises(KeyboardInterrupt):
        compare(
            ARCHS[:1], suite=mini, seeds=2, models=model, out=run, concurrency=3, cache=False,
            on_episode=interrupt,
        )  # fmt: skip
    gc.collect()  # a task left holding the interrupt would be logged now
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]
    assert json.loads((run / "config.json").read_text())["backends"]["cache"] is False
    finished = resume(run, concurrency=2)
    keys = [(t.id, s) for s in (0, 1) for t in mini.tasks]
    assert [(r.task_id, r.seed) for r in finished.results] == keys
    saved = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert [(r["task_id"], r["seed"]) for r in saved] == keys
    assert all(r["outcome"] == "answered" for r in saved)
    with pytest.raises(ConfigError, match="real models"):
        resume(run, workers=2)
