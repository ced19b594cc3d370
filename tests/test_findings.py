"""The four results docs/findings.md reports, checked on the default suite.

None of these numbers is written anywhere in the code: each comes out of the mechanisms in
docs/simulation.md. If a change to the simulation breaks one, the change altered a finding
and docs/findings.md must say so.
"""

from __future__ import annotations

from functools import cache

from harness.compare import compare
from harness.metrics import ArchitectureSummary, Summary


@cache
def summary(arch: str, *assignments: str) -> ArchitectureSummary:
    models = dict(a.split("=", 1) for a in assignments if a.startswith("model:"))
    models = {k.removeprefix("model:"): v for k, v in models.items()}
    params = {k: v for k, v in (a.split("=", 1) for a in assignments if not a.startswith("model:"))}
    return compare([arch], suite="default", seeds=2, models=models, params=params).summaries[0]


def family(s: ArchitectureSummary, name: str) -> Summary:
    return s.by_family[name]


def tokens(s: Summary) -> float:
    return s.mean_input_tokens + s.mean_output_tokens


def test_a_single_agent_gets_stronger_with_more_steps() -> None:
    acc = [summary("kimi-researcher", f"max_steps={n}").accuracy for n in (4, 8, 16, 30)]
    assert acc == sorted(acc), acc
    assert acc[-1] - acc[0] > 0.3


def test_b_fan_out_is_faster_on_breadth_but_spends_more_tokens() -> None:
    single, workflow = summary("kimi-researcher"), summary("manus-workflow")
    assert (
        family(workflow, "breadth").mean_latency_s < 0.5 * family(single, "breadth").mean_latency_s
    )
    assert tokens(family(workflow, "breadth")) > tokens(family(single, "breadth"))
    assert tokens(workflow) > tokens(single)
    assert workflow.mean_coordination_tokens > 0 == single.mean_coordination_tokens


def test_b_the_token_premium_comes_from_the_workers_brief() -> None:
    thorough = summary("manus-workflow", "model:*=mock/kimi-k2")
    brief = summary("manus-workflow", "model:*=mock/kimi-k2", "min_reads=0")
    assert tokens(brief) < tokens(thorough)


def test_c_fixed_workflow_loses_where_replanning_is_needed() -> None:
    same = "model:*=mock/claude-sonnet-4"  # one model everywhere: only the design differs
    single, workflow = summary("kimi-researcher", same), summary("manus-workflow", same)
    dynamic = summary("orchestrator-workers", same)
    for fam in ("multi_hop", "dead_end"):
        assert family(workflow, fam).accuracy < family(single, fam).accuracy, fam
        assert family(workflow, fam).accuracy < family(dynamic, fam).accuracy, fam
    assert family(workflow, "multi_hop").accuracy < 0.5


def test_d_hybrid_is_cheaper_than_all_external() -> None:
    hybrid = summary("minimax-hybrid")
    all_external = summary("minimax-hybrid", "model:in_house=mock/claude-sonnet-4")
    assert hybrid.mean_cost_usd is not None and all_external.mean_cost_usd is not None
    assert hybrid.mean_cost_usd < 0.8 * all_external.mean_cost_usd
    assert set(hybrid.cost_by_model) == {"mock/minimax-m1", "mock/claude-sonnet-4"}
    single = summary("kimi-researcher")
    assert single.mean_cost_usd is not None and hybrid.mean_cost_usd > single.mean_cost_usd
