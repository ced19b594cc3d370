"""An honest instrument: every role acts through its own model, no text sets a parameter,
random draws are paired, and nothing a design does is silent.

The effect tests read a mechanism as a paired difference with a 95% interval over 5
generated worlds x 10 seeds, never as an exact value.
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest
from worlds import accuracy_cells, paired_difference

from architectures import BUILTINS
from harness.compare import compare
from harness.corpus import Corpus
from harness.graph import compile_architecture
from harness.messages import DrawKey
from harness.runtime import run_episode
from harness.sim.streams import Streams
from harness.spec import ArchitectureSpec
from harness.task import TaskSuite
from tasks import generate_suite

HARNESS = Path(__file__).resolve().parent.parent / "harness"

# --- every role acts through its own model ----------------------------------------------


@pytest.mark.parametrize("role", ["planner", "writer"])
def test_a_skill_zero_coordinator_costs_the_workflow_accuracy(role: str) -> None:
    base = accuracy_cells("manus-workflow")
    weak = accuracy_cells("manus-workflow", models={role: "mock/null"})
    diff = paired_difference(base, weak)
    assert diff.mean >= 0.10, diff
    assert diff.lo > 0, diff


def _with_own_reviewer() -> ArchitectureSpec:
    """orchestrator-workers with its review router bound to a role of its own, so that the
    router's model can be changed alone."""
    spec = BUILTINS["orchestrator-workers"]
    nodes = [
        n.model_copy(update={"role": "reviewer"}) if n.name == "review" else n for n in spec.nodes
    ]
    roles = {**spec.roles, "reviewer": spec.roles["lead"]}
    return spec.model_copy(
        update={"nodes": nodes, "roles": roles, "name": "orchestrator-own-review"}
    )


def _router_cells(model: str) -> dict[tuple[str, int], float]:
    spec = _with_own_reviewer()
    out: dict[tuple[str, int], float] = {}
    for w in range(5):
        suite = generate_suite(seed=w, per_family=4, name=f"w{w}")
        ids = [t.id for t in suite.tasks if t.family in ("dead_end", "multi_hop", "breadth")]
        compiled = compile_architecture(spec, {}, {"reviewer": model})
        corpus = Corpus(suite.documents)
        by_id = {t.id: t for t in suite.tasks}
        for tid in ids:
            for seed in range(10):
                ep = asyncio.run(run_episode(compiled, by_id[tid], corpus, seed=seed))
                out[(tid, seed)] = float(ep.result.correct)
    return out


def test_a_skill_zero_router_costs_the_orchestrator_accuracy() -> None:
    diff = paired_difference(_router_cells("mock/claude-opus-4"), _router_cells("mock/null"))
    assert diff.mean >= 0.10, diff
    assert diff.lo > 0, diff


def test_accuracy_rises_with_planner_skill() -> None:
    low = accuracy_cells("manus-workflow", models={"planner": "mock/claude-sonnet-4?skill=0.3"})
    high = accuracy_cells("manus-workflow", models={"planner": "mock/claude-sonnet-4?skill=0.9"})
    diff = paired_difference(high, low)
    assert diff.lo > 0, diff


# --- no text decides a parameter --------------------------------------------------------


def test_the_simulation_reads_no_prompt_markers() -> None:
    """What a design asks travels as a typed brief: no simulated behaviour imports the
    prompts module (whose text only real models act on)."""
    for path in sorted((HARNESS / "sim").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "harness.prompts", path.name
                if node.module == "harness":
                    assert "prompts" not in {a.name for a in node.names}, path.name


def test_worker_persistence_raises_the_workflows_dead_end_accuracy() -> None:
    roomy = {"max_steps": "12"}
    cells = {
        p: accuracy_cells(
            "manus-workflow",
            models={"worker": f"mock/qwen-plus?persistence={p}"},
            params=roomy,
            families=("dead_end",),
        )
        for p in ("0.2", "1")
    }
    diff = paired_difference(cells["1"], cells["0.2"])
    assert diff.lo > 0, diff


def test_a_workflow_that_insists_less_lets_its_workers_replan() -> None:
    """brief_strength: how strongly the design insists on "follow the plan"."""
    spec = BUILTINS["manus-workflow"]
    soft = spec.model_copy(
        update={
            "nodes": [
                n.model_copy(update={"brief_strength": 0.0}) if n.name == "worker" else n
                for n in spec.nodes
            ],
        }
    )
    suite = generate_suite(seed=0, per_family=4, name="w0")
    corpus = Corpus(suite.documents)
    tasks = [t for t in suite.tasks if t.family == "dead_end"]

    def accuracy(s: ArchitectureSpec) -> float:
        compiled = compile_architecture(s, {"max_steps": "12"}, {})
        eps = [
            asyncio.run(run_episode(compiled, t, corpus, seed=seed))
            for t in tasks
            for seed in range(10)
        ]
        return sum(e.result.correct for e in eps) / len(eps)

    assert accuracy(soft) > accuracy(spec)


# --- paired draws -----------------------------------------------------------------------


def _behaviour(results: list) -> list[tuple[object, ...]]:  # type: ignore[type-arg]
    return [
        (
            r.architecture,
            r.task_id,
            r.seed,
            r.answer,
            r.correct,
            r.totals.steps,
            r.totals.tool_calls,
            r.totals.input_tokens,
            r.totals.output_tokens,
        )
        for r in results
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"agent": "mock/kimi-researcher?ttft_s=3.0&tokens_per_s=10"},
        {"agent": "mock/kimi-researcher?price_input=9&price_output=99"},
    ],
)
def test_a_change_that_cannot_matter_changes_nothing(change: dict[str, str]) -> None:
    base = compare(["kimi-researcher"], suite="default", seeds=2)
    other = compare(["kimi-researcher"], suite="default", seeds=2, models=change)
    assert _behaviour(base.results) == _behaviour(other.results)


def test_renaming_task_ids_or_adding_an_architecture_changes_nothing() -> None:
    suite = generate_suite(seed=3, per_family=3, name="alpha")
    renamed = TaskSuite.model_validate(
        {
            **suite.model_dump(),
            "name": "beta",
            "tasks": [
                {**t.model_dump(), "id": t.id.replace("alpha", "zz-other")} for t in suite.tasks
            ],
        }
    )
    a = compare(["orchestrator-workers"], suite=suite, seeds=2)
    b = compare(["orchestrator-workers"], suite=renamed, seeds=2)
    both = compare(["kimi-researcher", "orchestrator-workers"], suite=suite, seeds=2)

    def strip(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
        return [row[2:] for row in rows]

    assert strip(_behaviour(a.results)) == strip(_behaviour(b.results))
    orch = [r for r in both.results if r.architecture == "orchestrator-workers"]
    assert _behaviour(a.results) == _behaviour(orch)


def test_skill_draws_are_coupled() -> None:
    """Raising skill can only turn a wrong move right: a decision is `u < skill` on one
    draw per site, shared by every skill."""
    for step in range(200):
        draws = Streams(DrawKey("7|abc", "worker|r1|Acme", step))
        u = draws.u("act.skill")
        rights = [u < s for s in (0.1, 0.3, 0.5, 0.7, 0.9)]
        assert rights == sorted(rights)  # False... then True...


def test_draws_are_uniform_and_site_specific() -> None:
    draws = Streams(DrawKey("1|d", "n|main", 0))
    us = [Streams(DrawKey("1|d", "n|main", i)).u("act.skill") for i in range(4000)]
    assert 0.47 < sum(us) / len(us) < 0.53
    assert draws.u("a") != draws.u("b")
    assert draws.u("a", per_branch=True) == Streams(DrawKey("1|d", "n|main", 9)).u(
        "a", per_branch=True
    )


# --- nothing silent ---------------------------------------------------------------------


def test_dropped_sub_questions_and_clipped_budgets_are_events(mini: TaskSuite) -> None:
    spec = BUILTINS["orchestrator-workers"]
    compiled = compile_architecture(spec, {"max_workers": "1", "max_steps": "3"}, {})
    corpus = Corpus(mini.documents)
    task = next(t for t in mini.tasks if t.family == "breadth")
    ep = asyncio.run(run_episode(compiled, task, corpus, seed=0))
    kinds = [e.kind for e in ep.events]
    assert "subtask_dropped" in kinds
    assert "budget_clipped" in kinds
    assert all(e.detail for e in ep.events)


# --- the seam a trained policy plugs into -----------------------------------------------


def test_features_do_not_depend_on_the_hidden_solution(mini: TaskSuite) -> None:
    """The features an agent chooses by are computed from what it has seen: swapping the
    hidden solution of every request changes none of them."""
    from dataclasses import replace

    from harness.registry import get_model
    from harness.sim.moves import features

    seen: list[object] = []

    class Spy:
        def __init__(self, model_id: str) -> None:
            self.inner = get_model(model_id)
            self.id = self.inner.id

        async def generate(self, request):  # type: ignore[no-untyped-def]
            seen.append(request)
            return await self.inner.generate(request)

    corpus = Corpus(mini.documents)
    for arch in ("kimi-researcher", "orchestrator-workers"):
        compiled = compile_architecture(BUILTINS[arch], {}, {})
        for task in mini.tasks:
            asyncio.run(run_episode(compiled, task, corpus, seed=1, model_factory=Spy))
    other = mini.tasks[-1].solution
    assert len(seen) > 20
    for request in seen:
        assert features(request) == features(replace(request, oracle=other))  # type: ignore[arg-type]
