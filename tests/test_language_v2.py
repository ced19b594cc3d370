"""Architecture language v2: parallel branches, aggregate strategies, debate, verifiers and
routers with `when:`; the five new built-ins; user files in YAML, TOML and JSON.

Mechanism tests read per-episode implications that follow from the stated rules (a
perfect verifier never turns a right answer wrong; a debate without conformity never
loses a correct vote), so they hold on every episode, not on average."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import fake_openai_server
import pytest
import yaml

from architectures import ARTICLE, BUILTINS
from harness.compare import compare
from harness.corpus import Corpus
from harness.errors import ValidationError
from harness.graph import compile_architecture
from harness.loader import architecture_refs, load_architecture
from harness.runtime import Episode, run_episode
from harness.spec import ArchitectureSpec
from harness.task import TaskSuite

_server = fake_openai_server._server  # the fixtures, shared with the other server tests
fake_server = fake_openai_server.fake_server

NEW = ("independent", "decentralized", "hybrid-debate", "verifier-loop", "mixture-of-agents")


def _keyed(results: Any) -> dict[tuple[str, int], Any]:
    return {(r.task_id, r.seed): r for r in results}


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[tuple[str, int], Any]]:
    """Each new built-in, and the single agent, on the default suite (2 seeds)."""
    out = {a: _keyed(compare([a], seeds=2).results) for a in ("kimi-researcher", *NEW)}
    return out


# -- the built-ins ------------------------------------------------------------------


def test_default_is_the_article_and_all_is_every_builtin() -> None:
    assert architecture_refs(None) == list(ARTICLE)
    assert len(ARTICLE) == 4 and all(a in BUILTINS for a in ARTICLE)
    assert architecture_refs(["all"]) == list(BUILTINS)
    assert set(NEW) <= set(BUILTINS)


@pytest.mark.parametrize("name", NEW)
def test_each_new_builtin_compiles_to_its_graph(name: str) -> None:
    arch = compile_architecture(BUILTINS[name])
    kinds = {n: s.kind for n, s in arch.nodes.items()}
    if name in ("independent", "decentralized"):
        assert arch.nodes["agents"].copies == 3
        assert arch.nodes[[n for n, k in kinds.items() if k == "aggregate"][0]].strategy == "vote"
    if name == "decentralized":
        assert arch.nodes["debate"].rounds == 2
    if name == "hybrid-debate":
        assert arch.nodes["merge"].rounds == 1 and "lead_plan" in arch.nodes
    if name == "verifier-loop":
        assert arch.nodes["verify"].prompt == "verify"
        assert [w for _, _, w in arch.routes("check")] == ["accepted", "rejected"]
    if name == "mixture-of-agents":
        sp = arch.splits["dispatch"]
        assert sp.join == "aggregate" and len(sp.branches) == 3
        assert len({arch.roles[arch.nodes[b[0]].role or ""] for b in sp.branches}) == 3


def test_each_new_builtin_runs_on_the_default_suite(runs: dict[str, Any]) -> None:
    for name in NEW:
        results = list(runs[name].values())
        assert len(results) == 120, name
        assert all(r.outcome == "answered" for r in results), name
        assert 0.3 < sum(r.correct for r in results) / len(results) <= 1.0, name


def test_one_independent_agent_is_the_single_agent() -> None:
    single = compare(["kimi-researcher"], seeds=1).results
    one = compare(["independent"], seeds=1, params={"n_agents": "1"}).results
    drop = {"architecture", "by_node", "by_role", "by_model"}
    assert [r.model_dump(exclude=drop) for r in single] == [r.model_dump(exclude=drop) for r in one]


def test_three_independent_agents_cost_three_times_and_vote(runs: dict[str, Any]) -> None:
    single, three = runs["kimi-researcher"], runs["independent"]
    ratio = sum(r.totals.cost_usd for r in three.values()) / sum(
        r.totals.cost_usd for r in single.values()
    )
    assert 2.5 < ratio < 3.2
    # parallel: latency is the slowest copy, not the sum of three
    lat = sum(r.latency_s for r in three.values()) / sum(r.latency_s for r in single.values())
    assert lat < 2.0


# -- mechanisms, per episode ------------------------------------------------------------


def test_a_perfect_verifier_never_turns_a_right_answer_wrong() -> None:
    single = _keyed(compare(["kimi-researcher"], seeds=2).results)
    loop = _keyed(compare(["verifier-loop"], seeds=2, models={"verifier": "mock/perfect"}).results)
    assert all(loop[k].correct for k, r in single.items() if r.correct)
    assert sum(r.correct for r in loop.values()) > sum(r.correct for r in single.values())


def test_a_verifier_of_skill_zero_rejects_right_answers() -> None:
    loop = compare(["verifier-loop"], seeds=1, models={"verifier": "mock/null"})
    perfect = compare(["verifier-loop"], seeds=1, models={"verifier": "mock/perfect"})
    acc = [sum(r.correct for r in x.results) for x in (loop, perfect)]
    assert acc[0] < acc[1]


def test_debate_without_conformity_never_loses_a_correct_vote() -> None:
    model = {"agent": "mock/kimi-researcher?conformity=0"}
    before = _keyed(
        compare(["decentralized"], seeds=2, models=model, params={"rounds": "0"}).results
    )
    after = _keyed(compare(["decentralized"], seeds=2, models=model).results)
    assert all(after[k].correct for k, r in before.items() if r.correct)


def test_full_conformity_can_carry_an_error_to_the_majority() -> None:
    """Weak agents that always conform: the debate moves some right answers to a wrong
    majority, which a debate without conformity never does."""
    weak = "mock/qwen-plus"
    keep = _keyed(
        compare(["decentralized"], seeds=3, models={"agent": f"{weak}?conformity=0"}).results
    )
    conform = _keyed(
        compare(["decentralized"], seeds=3, models={"agent": f"{weak}?conformity=1"}).results
    )
    assert sum(r.correct for r in conform.values()) < sum(r.correct for r in keep.values())


# -- user files: every construct, in YAML, TOML and JSON --------------------------------

_RESEARCH = {"kind": "agent", "role": "a", "max_steps": 12}

DESIGNS: dict[str, dict[str, Any]] = {
    "split_merge": {
        "name": "split-merge",
        "roles": {"a": "mock/qwen-plus", "b": "mock/kimi-k2", "m": "mock/claude-opus-4"},
        "entry": "start",
        "nodes": [
            {"name": "start", "kind": "aggregate"},
            {"name": "x", **_RESEARCH, "prompt": "worker"},
            {"name": "y", **_RESEARCH, "role": "b", "prompt": "worker"},
            {"name": "join", "kind": "aggregate", "strategy": "merge", "role": "m"},
        ],
        "edges": [
            {"source": "start", "target": "x"},
            {"source": "start", "target": "y"},
            {"source": "x", "target": "join"},
            {"source": "y", "target": "join"},
            {"source": "join", "target": "end"},
        ],
    },
    "copies_judge": {
        "name": "copies-judge",
        "roles": {"a": "mock/qwen-plus", "j": "mock/claude-opus-4"},
        "entry": "many",
        "nodes": [
            {"name": "many", "kind": "fan_out", "target": "r", "copies": "${n}"},
            {"name": "r", **_RESEARCH},
            {"name": "pick", "kind": "aggregate", "strategy": "judge", "role": "j"},
        ],
        "edges": [{"source": "many", "target": "pick"}, {"source": "pick", "target": "end"}],
        "params": {"n": {"default": 3}},
    },
    "debate_vote": {
        "name": "debate-vote",
        "roles": {"a": "mock/qwen-plus"},
        "entry": "many",
        "nodes": [
            {"name": "many", "kind": "fan_out", "target": "r", "copies": 3},
            {"name": "r", **_RESEARCH},
            {"name": "talk", "kind": "aggregate", "strategy": "vote", "rounds": 1},
        ],
        "edges": [{"source": "many", "target": "talk"}, {"source": "talk", "target": "end"}],
    },
    "verify_when": {
        "name": "verify-when",
        "roles": {"a": "mock/qwen-plus", "v": "mock/claude-sonnet-4"},
        "entry": "r",
        "nodes": [
            {"name": "r", **_RESEARCH},
            {"name": "v", "kind": "agent", "role": "v", "prompt": "verify",
             "tools": ["open", "answer"], "max_steps": 3},
            {"name": "gate", "kind": "router", "max_visits": 2, "default": "ok"},
        ],
        "edges": [
            {"source": "r", "target": "v"},
            {"source": "v", "target": "gate"},
            {"source": "gate", "target": "end", "when": "accepted", "label": "ok"},
            {"source": "gate", "target": "r", "when": "rejected", "label": "again"},
        ],
    },
}  # fmt: skip


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(v)


def to_toml(d: dict[str, Any]) -> str:
    """Just enough TOML for these designs: scalars, tables, arrays of tables."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in d.items() if not isinstance(v, dict | list)]
    for k, v in d.items():
        if isinstance(v, dict):
            if all(isinstance(x, dict) for x in v.values()) and v:
                for sub, table in v.items():
                    lines.append(f"[{k}.{sub}]")
                    lines += [f"{a} = {_toml_value(b)}" for a, b in table.items()]
            else:
                lines.append(f"[{k}]")
                lines += [f"{a} = {_toml_value(b)}" for a, b in v.items()]
        elif isinstance(v, list):
            for item in v:
                lines.append(f"[[{k}]]")
                lines += [f"{a} = {_toml_value(b)}" for a, b in item.items()]
    return "\n".join(lines) + "\n"


def _write(tmp: Path, key: str, fmt: str) -> Path:
    d = DESIGNS[key]
    path = tmp / f"{key}.{fmt}"
    text = {"yaml": yaml.safe_dump(d), "json": json.dumps(d), "toml": to_toml(d)}[fmt]
    path.write_text(text, encoding="utf-8")
    return path


def _episode(spec: ArchitectureSpec, mini: TaskSuite, corpus: Corpus, task: str) -> Episode:
    t = next(x for x in mini.tasks if x.family == task)
    return asyncio.run(run_episode(compile_architecture(spec), t, corpus, seed=0))


@pytest.mark.parametrize("fmt", ["yaml", "toml", "json"])
@pytest.mark.parametrize("key", sorted(DESIGNS))
def test_a_user_file_for_each_construct_loads_and_runs(
    key: str, fmt: str, tmp_path: Path, mini: TaskSuite, mini_corpus: Corpus
) -> None:
    spec = load_architecture(str(_write(tmp_path, key, fmt)))
    assert spec == ArchitectureSpec.model_validate(DESIGNS[key])
    ep = _episode(spec, mini, mini_corpus, "multi_hop")
    purposes = {s.purpose for s in ep.steps}
    branches = {s.branch for s in ep.steps}
    assert ep.result.outcome == "answered"
    if key == "split_merge":
        assert {"start#1/x", "start#1/y"} <= branches and "merge" in purposes
    if key == "copies_judge":
        assert {"many#1/0", "many#1/1", "many#1/2"} <= branches and "judge" in purposes
    if key == "debate_vote":
        assert sum(1 for s in ep.steps if s.purpose == "revise") == 3
    if key == "verify_when":
        assert "verify" in purposes


def test_a_split_runs_its_branches_in_parallel(mini: TaskSuite, mini_corpus: Corpus) -> None:
    spec = ArchitectureSpec.model_validate(DESIGNS["split_merge"])
    ep = _episode(spec, mini, mini_corpus, "multi_hop")
    ends = {}
    for s in ep.steps:
        if s.branch.startswith("start#"):
            ends[s.branch] = max(ends.get(s.branch, 0.0), s.start_s + s.latency_s)
    starts = {s.branch: s.start_s for s in reversed(ep.steps) if s.branch.startswith("start#")}
    assert len(set(starts.values())) == 1  # both branches start together
    merge = next(s for s in ep.steps if s.purpose == "merge")
    assert merge.start_s == pytest.approx(max(ends.values()))


def test_a_rejected_edge_carries_the_critique(mini: TaskSuite, mini_corpus: Corpus) -> None:
    d = json.loads(json.dumps(DESIGNS["verify_when"]))
    d["roles"]["v"] = "mock/null"  # rejects every right answer
    d["roles"]["a"] = "mock/perfect"
    ep = _episode(ArchitectureSpec.model_validate(d), mini, mini_corpus, "lookup")
    research = [s for s in ep.steps if s.node == "r"]
    assert len({s.start_s for s in research}) > 1
    assert sum(1 for s in ep.steps if s.node == "v" and s.purpose == "verify") >= 2


# -- validation ----------------------------------------------------------------------


def _broken(key: str, change: Any) -> str:
    d = json.loads(json.dumps(DESIGNS[key]))
    change(d)
    with pytest.raises(ValidationError) as exc:
        compile_architecture(ArchitectureSpec.model_validate(d))
    return str(exc.value)


def test_an_edge_after_otherwise_can_never_be_taken() -> None:
    def change(d: dict[str, Any]) -> None:
        d["edges"][2]["when"] = "otherwise"

    assert "can never be taken" in _broken("verify_when", change)


def test_a_label_rule_any_failed_cannot_produce_is_an_error() -> None:
    def change(d: dict[str, Any]) -> None:
        d["nodes"][2]["rule"] = "any_failed"
        for e in d["edges"][2:]:
            e.pop("when")
        d["edges"][3]["label"] = "retry"
        d["nodes"][2]["default"] = "ok"

    msg = _broken("verify_when", change)
    assert "'retry' can never be taken" in msg


def test_rule_and_when_together_are_refused() -> None:
    def change(d: dict[str, Any]) -> None:
        d["nodes"][2]["rule"] = "model"
        d["nodes"][2]["role"] = "v"

    assert "not both" in _broken("verify_when", change)


def test_branches_must_join_at_one_aggregate() -> None:
    def change(d: dict[str, Any]) -> None:
        d["nodes"].append({"name": "join2", "kind": "aggregate"})
        d["edges"][3]["target"] = "join2"
        d["edges"].append({"source": "join2", "target": "end"})

    assert "different aggregates" in _broken("split_merge", change)


def test_a_branch_must_end_at_an_aggregate() -> None:
    def change(d: dict[str, Any]) -> None:
        d["edges"][2]["target"] = "end"

    assert "must be a path of agent nodes" in _broken("split_merge", change)


def test_judge_and_merge_need_a_role() -> None:
    def change(d: dict[str, Any]) -> None:
        d["nodes"][2].pop("role")

    assert "needs a role" in _broken("copies_judge", change)


def test_copies_need_an_agent_given_the_question() -> None:
    def change(d: dict[str, Any]) -> None:
        d["nodes"][1]["input"] = "subtask"

    assert "must take input 'question'" in _broken("copies_judge", change)


def test_when_on_a_non_router_edge_is_refused() -> None:
    def change(d: dict[str, Any]) -> None:
        d["edges"][0]["when"] = "accepted"

    assert "when: is for a router" in _broken("verify_when", change)


# -- real OpenAI-compatible endpoints ---------------------------------------------------


def test_new_roles_reach_a_real_endpoint_with_their_prompts_and_tools(
    fake_server: Any, mini_file: Path, tmp_path: Path
) -> None:
    """A verifier, a judge and a debater go out as ordinary chat requests: their own
    system prompt, and tool schemas a real model can call."""
    from harness import exchange, prompts

    model = fake_server.model_id(max_retries=1, backoff=0.01)
    judge_design = _write(tmp_path, "copies_judge", "yaml")
    debate_design = _write(tmp_path, "debate_vote", "json")
    result = compare(
        ["verifier-loop", str(judge_design), str(debate_design)],
        suite=str(mini_file),
        seeds=1,
        models={"*": model},
    )
    assert all(r.outcome == "answered" for r in result.results)
    by_system: dict[str, list[dict[str, Any]]] = {}
    for body in fake_server.requests:
        by_system.setdefault(body["messages"][0]["content"], []).append(body)

    def tools(body: dict[str, Any]) -> set[str]:
        return {t["function"]["name"] for t in body.get("tools", [])}

    verify = by_system[prompts.VERIFIER]
    assert verify and all(tools(b) == {"open", "answer"} for b in verify)
    assert exchange.CHECK_MARKER in verify[0]["messages"][1]["content"]
    judge = by_system[prompts.JUDGE]
    assert judge and tools(judge[0]) == {"candidate_1", "candidate_2", "candidate_3"}
    assert judge[0]["tool_choice"] == "required"
    debate = by_system[prompts.DEBATER]
    assert len(debate) == 15  # 3 debaters x 5 tasks
    assert all(tools(b) == {"answer"} for b in debate)
    assert exchange.PEER_MARKER in debate[0]["messages"][1]["content"]


def test_a_research_loop_given_the_handoff_researches(mini: TaskSuite, mini_corpus: Corpus) -> None:
    """`input: handoff` on a loop that can search is research ("act"), not a write-up:
    only an answer-only node writes (its calls are billed as writing)."""
    d = {
        "name": "handoff-loop",
        "roles": {"a": "mock/kimi-researcher"},
        "entry": "r",
        "nodes": [{"name": "r", **_RESEARCH, "input": "handoff"}],
        "edges": [{"source": "r", "target": "end"}],
    }
    ep = _episode(ArchitectureSpec.model_validate(d), mini, mini_corpus, "multi_hop")
    assert {s.purpose for s in ep.steps} == {"act"}
    d["nodes"][0]["tools"] = ["answer"]
    ep = _episode(ArchitectureSpec.model_validate(d), mini, mini_corpus, "multi_hop")
    assert {s.purpose for s in ep.steps} == {"write"}
