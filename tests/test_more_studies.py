"""Studies manus-context, equal-budget and routing: committed quick verdicts and recipes.

Each study's `--quick` verdicts are committed in its module (`QUICK_VERDICTS`); a change
that flips one fails here until the study's version and verdicts are updated. The recipe
tests check what each study's numbers rest on: the calibrated manus-workflow preset, the
budget matching, and a router whose every path is the single or the multi-agent design.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from architectures.manus_workflow import SPEC as MANUS
from harness.graph import compile_architecture
from harness.studies import STUDIES, equal_budget, manus_context, routing
from harness.studies.framework import NOT, SIZE, VERDICTS

NAMES = ["manus-context", "equal-budget", "routing"]


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each study run once with --quick (a few seconds each)."""
    root = tmp_path_factory.mktemp("more-studies")
    out: dict[str, dict[str, Any]] = {}
    for name in NAMES:
        result = STUDIES[name].run(True, root / name, None)
        result.write(root / name)
        out[name] = json.loads((root / name / "study.json").read_text(encoding="utf-8"))
        out[name]["dir"] = str(root / name)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_quick_verdicts_are_the_committed_ones(name: str, quick: dict[str, Any]) -> None:
    data = quick[name]
    assert data["study"] == name and data["version"] == STUDIES[name].version
    assert {r["id"]: r["verdict"] for r in data["rows"]} == dict(STUDIES[name].quick_verdicts)
    for r in data["rows"]:
        assert r["verdict"] in VERDICTS
        assert r["command"].startswith("archbench compare ") and "--suite deep" in r["command"]
        if r["verdict"] == NOT:
            assert r["why"] and "\n" not in r["why"]
        est = r["estimate"]
        assert est is None or est["lo"] <= est["mean"] <= est["hi"]


def test_manus_rows_are_labelled_calibrated_or_predicted(quick: dict[str, Any]) -> None:
    labels = {r["id"]: r["archbench"].split()[0] for r in quick["manus-context"]["rows"]}
    assert labels == {
        "input_output_ratio": "calibrated",
        "tool_calls": "calibrated",
        "kv_cache_hit_rate": "predicted",
        "cache_cost_saving": "predicted",
    }
    for name in ("equal-budget", "routing"):  # every comparative row is a prediction
        assert all(r["archbench"].startswith("predicted") for r in quick[name]["rows"])


def test_manus_preset_holds_the_frozen_calibration() -> None:
    """The values scripts/calibrate_manus.py chose, frozen in the design."""
    defaults = {k: p.default for k, p in MANUS.params.items()}
    assert defaults["max_steps"] == 30 and defaults["min_reads"] == 20
    assert defaults["max_workers"] == 10 and defaults["worker_replans"] is False
    assert MANUS.roles["worker"] == "mock/qwen-plus?reasoning_tokens=0"
    assert MANUS.roles["planner"] == MANUS.roles["writer"] == "mock/claude-sonnet-4"


def test_manus_saving_follows_the_sonnet_prices(quick: dict[str, Any]) -> None:
    """The saving is 1 - cost with the cache / cost without, at $3 / $0.30 / $15: with a hit
    rate h and input share of cost s it is 0.9 * h * s, so it lies below 90% of the hit rate."""
    rows = {r["id"]: r["estimate"] for r in quick["manus-context"]["rows"]}
    hit, saving = rows["kv_cache_hit_rate"]["mean"], rows["cache_cost_saving"]["mean"]
    assert 0.0 < saving < 0.9 * hit + 1e-9
    assert manus_context.labelled("predicted 1.0 [0.5, 1.5]", "calibrated").startswith(
        "calibrated 1.0"
    )


def test_equal_budget_matches_steps_to_the_multi_agent_spend(quick: dict[str, Any]) -> None:
    notes = " ".join(quick["equal-budget"]["notes"])
    rows = {r["id"]: r for r in quick["equal-budget"]["rows"]}
    assert rows["thinking_buys_accuracy"]["estimate"]["mean"] == 0.0  # no mechanism
    runs = sorted(p.name for p in (Path(quick["equal-budget"]["dir"]) / "runs").iterdir())
    assert runs[0] == "budget" and runs[1].startswith("matched-")
    matched, short = (int(x) for x in runs[1].split("-")[1:])
    assert f"equal budget is {matched} steps and a quarter of it {short}" in notes
    assert matched > short >= 1
    spec = json.loads(
        (Path(quick["equal-budget"]["dir"]) / "specs" / "single-matched.json").read_text()
    )
    assert spec["params"]["max_steps"]["default"] == matched
    assert spec["roles"] == {"agent": equal_budget.MODEL}
    for r in rows.values():
        assert "-t deep-multi_hop-01" in r["command"] and "deep-lookup" not in r["command"]


@pytest.mark.parametrize("skill", routing.LEVELS)
def test_router_design_routes_to_the_single_and_the_multi_paths(skill: float) -> None:
    spec = routing.router_spec(skill)
    graph = compile_architecture(spec)
    assert graph is not None
    route = [e for e in spec.edges if e.source == "route"]
    assert {(e.label, e.when) for e in route} == {("research", "choice"), ("single", "choice")}
    assert set(spec.roles.values()) == {f"mock/claude-sonnet-4?skill={skill}"}
    single = routing.single_spec(skill)
    multi = routing.multi_spec(skill)
    by_name = {n.name: n for n in spec.nodes}
    assert by_name["research"].max_steps == 30  # the single loop keeps its own budget
    for node in multi.nodes:  # the multi path is orchestrator-workers node for node
        assert by_name[node.name] == node
    assert single.nodes[0].name == "research"


@pytest.mark.parametrize("skill", routing.LEVELS)
def test_cascade_runs_the_single_loop_first_then_its_router_escalates(skill: float) -> None:
    spec = routing.cascade_spec(skill)
    assert compile_architecture(spec) is not None
    assert spec.entry == "research"
    by_name = {n.name: n for n in spec.nodes}
    assert by_name["research"].prompt == "worker"  # its answer is a report the router reads
    route = {(e.label, e.target, e.when) for e in spec.edges if e.source == "route"}
    assert route == {("research", "lead_plan", "choice"), ("finish", "write", "choice")}
    assert by_name["route"].role == "router"  # the router acts through its own model


def test_routing_router_goes_both_ways(quick: dict[str, Any]) -> None:
    """The router's choice is a skill draw of its own model: at skill 0.6 it sends some
    requests to each path (the share is in the notes)."""
    notes = " ".join(quick["routing"]["notes"])
    assert "skill-60:" in notes and "skill-90:" in notes
    weak = next(n for n in quick["routing"]["notes"] if n.startswith("skill-60: accuracy"))
    share = int(weak.split("router sent ")[1].split("%")[0])
    assert 0 < share < 100


def test_the_new_studies_are_registered() -> None:
    for name in NAMES:
        s = STUDIES[name]
        assert s.version >= 1 and s.claim and s.source and s.published
        assert s.quick_verdicts and set(s.quick_verdicts.values()) <= set(VERDICTS)
    assert SIZE in STUDIES["manus-context"].quick_verdicts.values()
