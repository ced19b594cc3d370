"""The `deep` suite: generated from its recipe, cached on disk, held to the task contract,
and long enough that contexts grow well beyond the default suite's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import cli

from harness.corpus import Corpus
from harness.messages import ToolCall
from harness.suites import load_suite
from harness.task import TaskSuite
from harness.tools import Toolset
from harness.worlds import BUILTIN_RECIPES
from tasks import deep_cache
from tasks.deep import BUILTIN, check_deep, deep_suite
from tasks.deep_figures import BREADTH, HOPS, RESULTS_PER_SEARCH


@pytest.fixture(scope="module")
def deep() -> TaskSuite:
    return load_suite("deep")


def test_builtin_deep_suite_keeps_the_contract(deep: TaskSuite) -> None:
    assert len(deep.tasks) == 40
    assert check_deep(deep) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_keep_the_contract(seed: int) -> None:
    assert check_deep(deep_suite(seed, per_family=4)) == []


def test_same_recipe_and_seed_give_the_same_bytes() -> None:
    first = deep_suite(5, per_family=3).model_dump_json()
    assert deep_suite(5, per_family=3).model_dump_json() == first
    assert deep_suite(6, per_family=3).model_dump_json() != first


def test_both_languages_long_chains_and_wide_comparisons(deep: TaskSuite) -> None:
    assert {t.lang for t in deep.tasks} == {"en", "zh"}
    assert {d.lang for d in deep.documents} == {"en", "zh"}
    chains = [len(t.solution.chains[0].hops) for t in deep.tasks if t.family == "multi_hop"]
    assert set(chains) == set(range(HOPS[0], HOPS[1] + 1))  # 4..8, each present
    widths = [len(t.solution.chains) for t in deep.tasks if t.family == "breadth"]
    assert max(widths) == BREADTH[1] == 10 and min(widths) >= BREADTH[0]
    kinds = {d.kind for t in deep.tasks for c in t.solution.chains for d in c.decoys}
    assert kinds == {"namesake", "outdated"}


def test_pages_carry_boilerplate_around_the_facts(deep: TaskSuite) -> None:
    en = next(d for d in deep.documents if d.lang == "en")
    zh = next(d for d in deep.documents if d.lang == "zh")
    assert "Cookie notice" in en.text and "All rights reserved" in en.text
    assert "Cookie提示" in zh.text and "版權所有" in zh.text


def test_search_returns_as_many_results_as_web_search_apis(deep: TaskSuite) -> None:
    assert RESULTS_PER_SEARCH == 10 and deep.search_results == RESULTS_PER_SEARCH
    tools = Toolset(Corpus.of_suite(deep), ("search", "open"))
    hop = next(t for t in deep.tasks if t.family == "multi_hop").solution.chains[0].hops[0]
    result = tools.execute(ToolCall("c1", "search", {"query": hop.subject})).content
    assert len(result.splitlines()) == 1 + RESULTS_PER_SEARCH
    assert "up to 10 ranked results" in tools.schemas[0].description


def test_world_zero_is_the_builtin_suite(deep: TaskSuite) -> None:
    recipe = BUILTIN_RECIPES["deep"]
    assert recipe.generator == "deep" and recipe.as_dict()["generator"] == "deep"
    assert recipe.generate(0) == deep
    assert "generator" not in BUILTIN_RECIPES["default"].as_dict()


def test_cache_is_read_back_and_a_new_recipe_version_regenerates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []

    def counting(**arguments: object) -> TaskSuite:
        made.append(1)
        return deep_suite(seed=0, per_family=2)

    monkeypatch.setattr("tasks.deep.deep_suite", counting)
    args = {**BUILTIN, "per_family": 2}
    first = deep_cache.load_deep(base=tmp_path, **args)
    assert len(made) == 1 and len(list((tmp_path / "suites").glob("deep-v1-*.json"))) == 1
    assert deep_cache.load_deep(base=tmp_path, **args) == first
    assert len(made) == 1  # read from disk, not generated
    monkeypatch.setattr(deep_cache, "RECIPE_VERSION", 2)
    deep_cache.load_deep(base=tmp_path, **args)
    assert len(made) == 2 and len(list((tmp_path / "suites").glob("deep-v2-*.json"))) == 1
    assert deep_cache.clear_cache(tmp_path) == 2


def _max_call_input(run: Path) -> int:
    lines = (run / "traces.jsonl").read_text("utf-8").splitlines()
    return max(s["input_tokens"] for line in lines for s in json.loads(line)["steps"])


def test_compare_runs_end_to_end_with_larger_contexts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = {}
    for suite in ("deep", "default"):
        runs[suite] = tmp_path / suite
        args = ["compare", "--suite", suite, "--arch", "kimi-researcher", "--seeds", "1"]
        code, _, err = cli([*args, "-q", "-o", str(runs[suite])], capsys)
        assert code == 0, err
    results = (runs["deep"] / "results.jsonl").read_text("utf-8").splitlines()
    outcomes = [json.loads(line)["outcome"] for line in results]
    assert len(outcomes) == 40 and set(outcomes) == {"answered"}
    assert _max_call_input(runs["deep"]) > _max_call_input(runs["default"])
