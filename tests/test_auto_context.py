"""The `auto` context policy: the agent decides when to compact its context (a
`compact_context` tool), and a trained policy's `summarise` decision takes that choice in
the simulation (docs/training.md, docs/architectures.md)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.corpus import Corpus
from harness.graph import compile_architecture
from harness.loader import builtin_architectures
from harness.messages import ModelRequest
from harness.registry import get_model
from harness.runtime import Episode, run_episode
from harness.spec import ArchitectureSpec, ContextPolicy
from harness.task import TaskSuite
from harness.tools import COMPACT_CONTEXT
from harness.training import Policy, TrainConfig, load_policy, train
from tests.cli_runner import cli


def _kimi(policy: str, keep_last: int = 2) -> ArchitectureSpec:
    """Kimi-Researcher with its agent's context policy replaced."""
    base = builtin_architectures()["kimi-researcher"]
    context = ContextPolicy(policy=policy, keep_last=keep_last)  # type: ignore[arg-type]
    nodes = [base.nodes[0].model_copy(update={"context": context})]
    return base.model_copy(update={"nodes": nodes})


def _compacting_policy(path: Path) -> Path:
    """A policy whose summarise decision is strongly on once the context is long: p = 0.5
    at 2,000 context tokens, 0.95 at 3,000."""
    p = Policy.default()
    p.biases["summarise"] = -6.0
    p.weights["summarise"][p.feature_names.index("context_tokens")] = 30.0
    p.save(path)
    return path


def _run(spec: ArchitectureSpec, model: str, mini: TaskSuite, seed: int = 1) -> list[Episode]:
    compiled = compile_architecture(spec, {}, {"agent": model})
    corpus = Corpus(mini.documents)
    return [asyncio.run(run_episode(compiled, t, corpus, seed=seed)) for t in mini.tasks]


def test_auto_validates_and_offers_the_tool_only_under_auto(mini: TaskSuite) -> None:
    seen: dict[str, list[ModelRequest]] = {"auto": [], "keep": []}

    for name in seen:

        class Spy:
            def __init__(self, model_id: str, name: str = name) -> None:
                self.inner = get_model(model_id)
                self.id = self.inner.id
                self.name = name

            async def generate(self, request: ModelRequest) -> Any:
                seen[self.name].append(request)
                return await self.inner.generate(request)

        compiled = compile_architecture(_kimi(name), {}, {})
        asyncio.run(run_episode(compiled, mini.tasks[0], Corpus(mini.documents), model_factory=Spy))
    assert seen["auto"] and seen["keep"]
    assert all(COMPACT_CONTEXT in {t.name for t in r.tools} for r in seen["auto"])
    assert not any(COMPACT_CONTEXT in {t.name for t in r.tools} for r in seen["keep"])


def test_without_a_policy_auto_is_keep_plus_the_tools_schema_tokens(mini: TaskSuite) -> None:
    """The preset never compacts: the same steps, tool calls and answers as `keep`; every
    loop request carries the tool's schema tokens more (a constant per request)."""
    keep = _run(_kimi("keep"), "mock/kimi-k2", mini)
    auto = _run(_kimi("auto"), "mock/kimi-k2", mini)
    extra: set[int] = set()
    for k, a in zip(keep, auto, strict=True):
        assert k.result.answer == a.result.answer and k.result.correct == a.result.correct
        assert len(k.steps) == len(a.steps)
        for sk, sa in zip(k.steps, a.steps, strict=True):
            assert sk.purpose == sa.purpose == "act"
            assert [t.name for t in sk.tools] == [t.name for t in sa.tools]
            assert sk.output_tokens == sa.output_tokens
            extra.add(sa.input_tokens - sk.input_tokens)
    assert len(extra) == 1 and extra.pop() > 0


def test_a_compacting_policy_summarises_and_shrinks_the_context(
    mini: TaskSuite, tmp_path: Path
) -> None:
    path = _compacting_policy(tmp_path / "policy.json")
    episodes = _run(_kimi("auto"), f"mock/kimi-k2?policy={path}", mini)
    compacted = 0
    for ep in episodes:
        acts = [s for s in ep.steps if s.purpose == "act"]
        for i, s in enumerate(ep.steps):
            if COMPACT_CONTEXT not in [t.name for t in s.tools]:
                continue
            output = next(t for t in s.tools if t.name == COMPACT_CONTEXT).result
            if not output.startswith("Context compacted"):
                assert output.startswith("Nothing to compact")
                continue
            compacted += 1
            summary = ep.steps[i + 1]  # renumbered by start: the notes call follows the step
            assert (summary.purpose, summary.category) == ("summarise", "coordination")
            k = acts.index(s)
            if k + 1 < len(acts):
                assert acts[k + 1].input_tokens < s.input_tokens
    assert compacted >= 2
    # under `keep` an agent's context only grows
    for ep in _run(_kimi("keep"), f"mock/kimi-k2?policy={path}", mini):
        tokens = [s.input_tokens for s in ep.steps]
        assert tokens == sorted(tokens)
        assert all(s.purpose == "act" for s in ep.steps)


def test_the_summarise_decision_needs_the_tool(mini: TaskSuite, tmp_path: Path) -> None:
    """A design without `auto` (kimi-researcher, threshold summarising) runs the same with a
    policy whose summarise decision is on as with one where it is off."""
    on = _compacting_policy(tmp_path / "on.json")
    off = tmp_path / "off.json"
    Policy.default().save(off)
    spec = builtin_architectures()["kimi-researcher"]
    a = _run(spec, f"mock/kimi-k2?policy={on}", mini)
    b = _run(spec, f"mock/kimi-k2?policy={off}", mini)
    # everything but the model's id (which names the policy file)
    assert [e.result.model_dump(exclude={"by_model"}) for e in a] == [
        e.result.model_dump(exclude={"by_model"}) for e in b
    ]
    assert [[replace(s, model="") for s in e.steps] for e in a] == [
        [replace(s, model="") for s in e.steps] for e in b
    ]


def test_an_old_policy_file_loads_with_summarise_off(tmp_path: Path) -> None:
    doc = Policy.default().to_json()
    del doc["params"]["summarise"]
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    policy = load_policy(path)
    assert not policy.active("summarise")
    assert policy.to_vector() == Policy.default().to_vector()


def test_a_bad_context_policy_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _kimi("auto").model_dump(mode="json")
    doc["name"] = "bad-context"
    doc["nodes"][0]["context"]["policy"] = "sometimes"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = cli(["compare", "--arch", str(path), "--seeds", "1"], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "policy" in err and "Traceback" not in err


def test_training_reaches_the_summarise_decision(tmp_path: Path) -> None:
    """With a context-limited model and an `auto` node, REINFORCE moves the summarise
    decision's parameters; on a design without `auto` the decision stays off."""
    doc = _kimi("auto").model_dump(mode="json", exclude_defaults=True)
    doc["name"] = "kimi-auto"
    design = tmp_path / "kimi-auto.json"
    design.write_text(json.dumps(doc), encoding="utf-8")
    cfg = TrainConfig(
        arch=str(design),
        role="agent",
        models=(("agent", "mock/kimi-k2?context_window=6000"),),
        episodes=64,
        batch_size=32,
        per_family=2,
        world_repeats=2,
        eval_suites=(),
    )
    result = train(cfg, tmp_path / "run", evaluate=False)
    bias = result.policy.biases["summarise"]
    assert bias is not None and bias != cfg.init_new_moves
    assert any(w != 0.0 for w in result.policy.weights["summarise"])
    saved = json.loads((tmp_path / "run" / "policy.json").read_text(encoding="utf-8"))
    assert saved["params"]["summarise"]["bias"] == bias

    plain = TrainConfig(
        arch="kimi-researcher",
        role="agent",
        models=(("agent", "mock/kimi-k2"),),
        episodes=32,
        batch_size=32,
        per_family=2,
        world_repeats=2,
        eval_suites=(),
    )
    other = train(plain, tmp_path / "plain", evaluate=False)
    assert other.policy.biases["summarise"] is None


def test_fitting_does_not_replay_a_threshold_under_auto(mini: TaskSuite) -> None:
    """`archbench fit` rebuilds a loop's context: under `auto` no threshold cuts it, and
    after the agent compacted, its context is marked unknown (not guessed)."""
    from harness.fitting.context import LoopContext
    from harness.tools import Toolset

    node = (
        _kimi("auto")
        .nodes[0]
        .model_copy(
            update={"context": ContextPolicy(policy="auto", threshold_tokens=10, keep_last=0)}
        )
    )
    ctx = LoopContext(node, mini.tasks[0].question, Toolset(Corpus(mini.documents), ("search",)))
    ctx.after_call({"content": "", "tools": [{"name": "search", "arguments": {"query": "x"}}]})
    before = list(ctx.messages)
    ctx.before_call()
    assert ctx.messages == before and not ctx.summarised
    ctx.after_call({"content": "", "tools": [{"name": COMPACT_CONTEXT, "arguments": {}}]})
    assert ctx.summarised == [("", "", True)]
