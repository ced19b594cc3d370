"""`--worlds N`: one suite recipe in N generated worlds, each with its own ids and corpus;
world 0 is the suite itself, byte for byte; runs over several worlds resume and sweep."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import cli

from harness import SuiteRecipe, compare
from harness.errors import ConfigError
from harness.report import write_report
from harness.rerun import resume
from harness.runtime import Episode
from harness.sweep import plan_sweep, run_sweep
from harness.worlds import BUILTIN_RECIPES, make_worlds
from tasks import check_contract, load_builtin_suite

ARCHS = ["kimi-researcher", "manus-workflow"]
TINY = SuiteRecipe(seed=0, per_family=1, name="tiny")
FILES = ("results.jsonl", "traces.jsonl", "summary.json", "config.json")


def _files(run: Path) -> dict[str, bytes]:
    return {n: (run / n).read_bytes() for n in FILES}


def test_default_worlds_have_their_own_ids_and_world_0_is_the_suite() -> None:
    default = load_builtin_suite("default")
    worlds = make_worlds(default, BUILTIN_RECIPES["default"], 3, label="default")
    assert worlds.base is default and worlds.suites[1].name == "default~w1"
    tasks = [t.id for s in worlds.suites for t in s.tasks]
    docs = [d.id for s in worlds.suites for d in s.documents]
    assert len(tasks) == len(set(tasks)) == 180 and len(docs) == len(set(docs))
    assert tasks[60] == "default~w1-lookup-01" and tasks[-1] == "default~w2-dead_end-12"
    assert all(d.id.endswith("~w2") for d in worlds.suites[2].documents)
    assert BUILTIN_RECIPES["default"].generate(0) == default  # world w: generator seed w
    assert check_contract(worlds.suites[1]) == []  # marked ids keep the suite walkable
    assert worlds.describe()["worlds"] == 3 and worlds.describe()["recipe"]["name"] == "default"


def test_world_0_of_two_is_byte_identical_to_the_single_world_run() -> None:
    one = compare(ARCHS[:1], suite="default", seeds=1)
    two = compare(ARCHS[:1], suite="default", seeds=1, worlds=2)
    assert two.config["worlds"] == 2 and len(two.results) == 120
    ids = [r.task_id for r in two.results]
    assert len(set(ids)) == 120
    # planned order lists world 0's tasks first: the single-world run's lines, byte for byte
    assert two.results_jsonl().startswith(one.results_jsonl())
    assert {r.world for r in two.results[:60]} == {0} and {r.world for r in two.results[60:]} == {1}
    assert '"world":1' in two.results_jsonl() and '"world"' not in one.results_jsonl()
    for r in two.results:  # every episode read only its own world's pages
        marked = [c for c in r.citations if "~w1" in c]
        assert marked == (r.citations if r.world == 1 else [])
    assert two.summaries[0].episodes == 120


def test_an_episode_tagged_with_its_world_keeps_its_events() -> None:
    from harness.events import Event
    from harness.execution.plan import in_world
    from harness.trace import EpisodeResult

    result = EpisodeResult(
        architecture="a", task_id="t", family="lookup", seed=0, outcome="answered"
    )
    event = Event("budget_clipped", "lead", "main", 1.0, "clipped")
    episode = in_world(Episode(result, [], (event,)), 2)
    assert episode.result.world == 2 and episode.events == (event,)
    assert episode.result.events == {"budget_clipped": 1}
    assert '"world":2' in episode.result.model_dump_json()


def test_worlds_in_worker_processes_and_task_selection(tmp_path: Path) -> None:
    local = compare(ARCHS, suite=TINY, worlds=3, seeds=2, out=tmp_path / "local")
    workers = compare(ARCHS, suite=TINY, worlds=3, seeds=2, workers=2, out=tmp_path / "two")
    assert workers.results_jsonl() == local.results_jsonl()
    assert workers.summary_json() == local.summary_json()
    assert len(local.results) == 2 * 2 * 15
    # an id of world 0 selects that task in every world; another world's id just that one
    some = compare(
        ARCHS[:1], suite=TINY, worlds=3, seeds=1, tasks=["tiny-lookup-01", "tiny~w2-breadth-01"]
    )
    assert [r.task_id for r in some.results] == [
        "tiny-lookup-01",
        "tiny~w1-lookup-01",
        "tiny~w2-lookup-01",
        "tiny~w2-breadth-01",
    ]
    with pytest.raises(ConfigError, match="--worlds 2: suite 'article' is fixed"):
        compare(ARCHS[:1], suite="article", worlds=2)
    with pytest.raises(ConfigError, match="--worlds must be at least 1"):
        compare(ARCHS[:1], suite=TINY, worlds=0)


def test_resume_of_a_run_over_several_worlds(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    compare(ARCHS, suite=TINY, worlds=3, seeds=2, out=reference)
    config = json.loads((reference / "config.json").read_text())
    assert config["worlds"] == 3 and config["recipe"]["name"] == "tiny"
    assert len(config["tasks"]) == 15 and "worlds_sha256" in config
    run = tmp_path / "run"

    def stop(ep: Episode, done: int, total: int) -> None:
        if done == 23:  # in world 1 of the first architecture's second seed
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compare(ARCHS, suite=TINY, worlds=3, seeds=2, out=run, on_episode=stop)
    assert not (run / "summary.json").exists()
    finished = resume(run, workers=2)
    assert _files(run) == _files(reference)
    assert len(finished.results) == 60 and {r.world for r in finished.results} == {0, 1, 2}
    index = write_report(run, max_traces=2)
    assert "worlds" in index.read_text(encoding="utf-8")


def test_resume_of_the_default_suite_over_two_worlds(tmp_path: Path) -> None:
    """A built-in suite is not saved with the run: its other worlds are generated again
    from the recorded recipe, and checked against the recorded fingerprint."""
    tasks = ["default-lookup-01", "default-conflict-02"]
    reference = tmp_path / "reference"
    compare(ARCHS[:1], suite="default", worlds=2, seeds=2, tasks=tasks, out=reference)
    assert not (reference / "suite.json").exists()
    run = tmp_path / "run"

    def stop(ep: Episode, done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compare(
            ARCHS[:1], suite="default", worlds=2, seeds=2, tasks=tasks, out=run, on_episode=stop
        )
    resume(run)
    assert _files(run) == _files(reference)
    config = json.loads((run / "config.json").read_text())
    config["worlds_sha256"] = "0" * 64
    (run / "config.json").write_text(json.dumps(config))
    (run / "config.sha256").unlink()  # not an edit: as if another version had written it
    with pytest.raises(ConfigError, match="generate differently"):
        resume(run)


def test_cli_refuses_worlds_of_a_fixed_suite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (
        ["compare", "--worlds", "2", "--suite", "article"],
        ["sweep", "--worlds", "2", "--suite", "article", "--out", str(tmp_path / "s")],
        ["compare", "--worlds", "0"],
    ):
        code, _, err = cli(args, capsys)
        assert code == 2, err
        assert err.startswith("archbench: error: --worlds") and len(err.strip().splitlines()) == 1
        assert "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_a_sweep_over_two_worlds(tmp_path: Path) -> None:
    plan = plan_sweep(["hops=2,3"], architectures=ARCHS[:1], seeds=1, families=["lookup"])
    result = run_sweep(plan, tmp_path / "s", worlds=2)
    meta = json.loads((tmp_path / "s" / "sweep.json").read_text())
    assert meta["worlds"] == 2
    for comparison in result.comparisons.values():
        ids = [r.task_id for r in comparison.results] or comparison.config["tasks"]
        assert len(ids) == 24 and {i.split("-")[0] for i in ids} == {"generated", "generated~w1"}
        assert all("lookup" in i for i in ids) and comparison.config["worlds"] == 2
    with pytest.raises(ConfigError, match="planned differently"):
        run_sweep(plan, tmp_path / "s", worlds=3, resume=True)
