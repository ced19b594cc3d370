"""The runtime and the simulated models on the hand-written mini suite: each mechanism the
findings rely on, checked directly."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from architectures import BUILTINS
from harness.corpus import Corpus
from harness.graph import compile_architecture
from harness.messages import Message, ModelRequest, ToolCall
from harness.runtime import Episode, run_episode
from harness.scripted import ScriptedModel
from harness.task import TaskSuite
from harness.usage import Price, UsageLimits


def run(
    arch: str,
    suite: TaskSuite,
    corpus: Corpus,
    family: str,
    model: str | None = None,
    params: dict[str, str] | None = None,
    seed: int = 0,
    **kw: Any,
) -> Episode:
    spec = BUILTINS[arch]
    models = {r: model for r in spec.roles} if model else {}
    compiled = compile_architecture(spec, params or {}, models)
    task = next(t for t in suite.tasks if t.family == family)
    return asyncio.run(run_episode(compiled, task, corpus, seed=seed, **kw))


FAMILIES = ["lookup", "multi_hop", "breadth", "conflict", "dead_end"]
# The fixed workflow's 6-step workers cannot walk 4 hops, and are told not to re-plan.
ROOMY = {"manus-workflow": {"max_steps": "12", "worker_replans": "true"}}


@pytest.mark.parametrize("arch", sorted(BUILTINS))
@pytest.mark.parametrize("family", FAMILIES)
def test_perfect_model_solves_every_family(
    arch: str, family: str, mini: TaskSuite, mini_corpus: Corpus
) -> None:
    ep = run(arch, mini, mini_corpus, family, "mock/perfect", ROOMY.get(arch))
    assert ep.result.outcome == "answered"
    assert ep.result.correct, ep.result.answer
    assert ep.result.supported


@pytest.mark.parametrize("arch", sorted(BUILTINS))
@pytest.mark.parametrize("family", FAMILIES)
def test_skill_zero_fails_every_family(
    arch: str, family: str, mini: TaskSuite, mini_corpus: Corpus
) -> None:
    ep = run(arch, mini, mini_corpus, family, "mock/null")
    assert not ep.result.correct, ep.result.answer


def test_same_seed_same_bytes(mini: TaskSuite, mini_corpus: Corpus) -> None:
    a = run("orchestrator-workers", mini, mini_corpus, "breadth", seed=3)
    b = run("orchestrator-workers", mini, mini_corpus, "breadth", seed=3)
    assert a.result.model_dump_json() == b.result.model_dump_json()
    assert [s.as_dict() for s in a.steps] == [s.as_dict() for s in b.steps]


def test_step_budget_ends_episode_as_budget_exhausted(mini: TaskSuite, mini_corpus: Corpus) -> None:
    ep = run(
        "kimi-researcher",
        mini,
        mini_corpus,
        "multi_hop",
        "mock/perfect",
        limits=UsageLimits(max_steps=3),
    )
    assert ep.result.outcome == "budget_exhausted"
    assert ep.result.totals.steps == 3
    assert "step budget of 3" in (ep.result.error or "")


def test_token_and_cost_budgets(mini: TaskSuite, mini_corpus: Corpus) -> None:
    ep = run("manus-workflow", mini, mini_corpus, "breadth", limits=UsageLimits(max_tokens=3000))
    assert ep.result.outcome == "budget_exhausted"
    assert ep.result.totals.input_tokens + ep.result.totals.output_tokens >= 3000
    ep = run(
        "kimi-researcher", mini, mini_corpus, "multi_hop", limits=UsageLimits(max_cost_usd=0.001)
    )
    assert ep.result.outcome == "budget_exhausted"
    assert "cost budget" in (ep.result.error or "")


def test_context_overflow_is_an_outcome(mini: TaskSuite, mini_corpus: Corpus) -> None:
    ep = run("kimi-researcher", mini, mini_corpus, "multi_hop", "mock/perfect?context_window=600")
    assert ep.result.outcome == "context_overflow"
    assert not ep.result.correct


def test_summarising_context_keeps_facts_and_counts_as_coordination(
    mini: TaskSuite, mini_corpus: Corpus
) -> None:
    ep = run(
        "kimi-researcher",
        mini,
        mini_corpus,
        "multi_hop",
        "mock/perfect",
        {"context_threshold": "700"},
    )
    summaries = [s for s in ep.steps if s.purpose == "summarise"]
    assert summaries and all(s.category == "coordination" for s in summaries)
    assert ep.result.coordination.steps == len(summaries)
    assert ep.result.correct  # fidelity 1: nothing lost


def test_lossy_summaries_make_the_model_forget(mini: TaskSuite, mini_corpus: Corpus) -> None:
    forgetful = "mock/perfect?summary_fidelity=0"
    kept = run(
        "kimi-researcher",
        mini,
        mini_corpus,
        "multi_hop",
        "mock/perfect",
        {"context_threshold": "700", "max_steps": "30"},
    )
    lost = run(
        "kimi-researcher",
        mini,
        mini_corpus,
        "multi_hop",
        forgetful,
        {"context_threshold": "700", "max_steps": "30"},
    )
    assert lost.result.totals.steps > kept.result.totals.steps  # re-reads what it forgot


def test_persistence_decides_dead_ends(mini: TaskSuite, mini_corpus: Corpus) -> None:
    gives_up = run("kimi-researcher", mini, mini_corpus, "dead_end", "mock/perfect?persistence=0")
    replans = run("kimi-researcher", mini, mini_corpus, "dead_end", "mock/perfect")
    assert not gives_up.result.correct and gives_up.result.answer == "unknown"
    assert replans.result.correct
    opened = [t.arguments.get("doc_id") for s in replans.steps for t in s.tools if t.name == "open"]
    assert "d09" in opened  # it read the page about the rename


def test_hallucination_answers_without_evidence(mini: TaskSuite, mini_corpus: Corpus) -> None:
    ep = run("kimi-researcher", mini, mini_corpus, "lookup", "mock/perfect?hallucination=1")
    assert ep.result.totals.steps == 1 and ep.result.totals.tool_calls == 1
    assert ep.result.answer in ("Pellam", "Brevik")
    assert not ep.result.correct and ep.result.citations == []


def test_lossy_handoff_hurts_the_workflow(mini: TaskSuite, mini_corpus: Corpus) -> None:
    ok = run("manus-workflow", mini, mini_corpus, "breadth", "mock/perfect")
    lossy = run("manus-workflow", mini, mini_corpus, "breadth", "mock/perfect?summary_fidelity=0")
    assert ok.result.correct and not lossy.result.correct


def test_parallel_workers_shorten_the_critical_path(mini: TaskSuite, mini_corpus: Corpus) -> None:
    ep = run("manus-workflow", mini, mini_corpus, "breadth", "mock/perfect")
    serial = sum(s.latency_s for s in ep.steps)
    assert ep.result.latency_s < serial
    assert len({s.branch for s in ep.steps if s.node == "worker"}) == 3
    assert ep.result.coordination.steps == 2  # plan + write


def test_hybrid_reports_cost_per_model_and_escalates_when_stuck(
    mini: TaskSuite, mini_corpus: Corpus
) -> None:
    ep = run("minimax-hybrid", mini, mini_corpus, "dead_end", seed=1)
    by_model = ep.result.by_model
    assert set(by_model) == {"mock/minimax-m1", "mock/claude-sonnet-4"}
    research_roles = {s.role for s in ep.steps if s.node == "research"}
    assert "in_house" in research_roles
    total = sum(u.cost_usd or 0 for u in by_model.values())
    assert total == pytest.approx(ep.result.totals.cost_usd)


def test_prefix_cache_bills_cached_input(mini: TaskSuite, mini_corpus: Corpus) -> None:
    ep = run("kimi-researcher", mini, mini_corpus, "multi_hop", "mock/perfect")
    assert ep.result.totals.cached_input_tokens > 0
    assert ep.steps[0].cached_input_tokens == 0


def test_scripted_model_tool_errors_are_counted(mini: TaskSuite, mini_corpus: Corpus) -> None:
    def reply(request: ModelRequest) -> Message:
        n = sum(1 for m in request.messages if m.role == "assistant")
        calls = {
            0: ToolCall("c0", "browse", {"url": "x"}),
            1: ToolCall("c1", "open", {"doc_id": "nope"}),
            2: ToolCall("c2", "search", {"__malformed__": "tool arguments are not valid JSON"}),
        }
        call = calls.get(n, ToolCall(f"c{n}", "answer", {"text": "Lorvale", "citations": ["d01"]}))
        return Message("assistant", "", (call,))

    model = ScriptedModel(reply, price=Price(1.0, 0.1, 2.0))
    compiled = compile_architecture(BUILTINS["kimi-researcher"])
    task = next(t for t in mini.tasks if t.family == "lookup")
    ep = asyncio.run(run_episode(compiled, task, mini_corpus, backends={"agent": model}))
    assert ep.result.tool_errors == 3
    assert ep.result.correct and ep.result.supported
    assert "unknown tool 'browse'" in ep.steps[0].tools[0].result
    assert model.requests[1].messages[-1].role == "tool"


def test_unknown_price_stays_unknown(mini: TaskSuite, mini_corpus: Corpus) -> None:
    def reply(request: ModelRequest) -> Message:
        return Message("assistant", "", (ToolCall("c", "answer", {"text": "x"}),))

    compiled = compile_architecture(BUILTINS["kimi-researcher"])
    task = mini.tasks[0]
    ep = asyncio.run(
        run_episode(compiled, task, mini_corpus, backends={"agent": ScriptedModel(reply)})
    )
    assert ep.result.totals.cost_usd is None
