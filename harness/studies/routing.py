"""Study `routing`: a per-request router between a single agent and a multi-agent system.

Published (Gao et al., "Single-agent or Multi-agent Systems? Why Not Both?", arXiv
2505.18286, 2025): the multi-agent advantage over a single agent shrinks as the models get
stronger; sending each request to the single agent or to the multi-agent system (agent
routing, request cascading) gains 1.1-12 points of accuracy at up to 20% lower cost.

Recipe, fixed before running: three designs, each with one model in every role
(mock/claude-sonnet-4 at `skill` 0.6 and at 0.9, the two capability levels), on the deep
suite, one run per level so every comparison is paired by cell:

- `single`: kimi-researcher's loop;
- `multi`: orchestrator-workers (lead plans, sub-agents research, lead reviews and writes);
- `router` (defined here): an entry router whose own model chooses, on seeing the
  request, between the two, node for node the same as `single` and `multi` (so the paths
  pair draw for draw with them). Its edges are `when: choice`: label `research` leads to
  the multi-agent path, label `single` to the single loop. The simulated router decides by
  the documented rule (`coordination.route`): the right call is "more work" (it reads
  `research` as more work) while something the question asks is not yet known, "finish"
  otherwise, with its model's skill; a wrong call takes the other label. At the entry
  nothing is known for any request, so its right call is always `research`;
- `cascade` (defined here; the paper's request cascading): the single loop first, its
  answer handed on as a report (`prompt: worker`); the router's own model reads it and,
  by the same rule, escalates to the multi-agent path (`research`, whose dynamic lead
  re-plans only what the report left unknown) or has the lead write the answer from the
  report (`finish`).

Rows: the change of (multi - single) between the levels; for router and cascade at each
level, accuracy minus always-multi and minus always-single, and cost against always-multi.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from architectures._research import research_node
from harness.bootstrap import Cell, Estimate
from harness.loader import load_architecture
from harness.spec import ArchitectureSpec, EdgeSpec, NodeSpec
from harness.studies import measure as m
from harness.studies.framework import (
    NOT,
    SIZE,
    Row,
    RunPlan,
    Study,
    StudyResult,
    execute,
    explain,
    study_command,
    verdict,
)
from harness.trace import EpisodeResult

NAME = "routing"
VERSION = 1
SOURCE = "Gao et al., arXiv 2505.18286 (2025)"
BASE = "mock/claude-sonnet-4"
LEVELS = (0.6, 0.9)
"""The capability levels: the skill of every role's model, weak and strong."""
SINGLE, MULTI, ROUTER, CASCADE = "single", "multi", "router", "cascade"
Traces = Mapping[tuple[str, str, int], list[dict[str, Any]]]


def _model(skill: float) -> str:
    return f"{BASE}?skill={skill}"


def _name(design: str, skill: float) -> str:
    """A design's name at one level (`router-90`): the levels' spec files must differ."""
    return f"{design}-{round(skill * 100)}"


def single_spec(skill: float) -> ArchitectureSpec:
    spec = load_architecture("kimi-researcher")
    return spec.model_copy(update={"name": _name(SINGLE, skill), "roles": {"agent": _model(skill)}})


def multi_spec(skill: float) -> ArchitectureSpec:
    spec = load_architecture("orchestrator-workers")
    roles = dict.fromkeys(spec.roles, _model(skill))
    return spec.model_copy(update={"name": _name(MULTI, skill), "roles": roles})


def router_spec(skill: float) -> ArchitectureSpec:
    """An entry router in front of the single loop and the multi-agent graph."""
    multi = load_architecture("orchestrator-workers")
    single = load_architecture("kimi-researcher")
    model = _model(skill)
    # the single loop keeps its own budget: `max_steps` here is the sub-agents' cap
    research = research_node().model_copy(update={"max_steps": single.params["max_steps"].default})
    route = NodeSpec(
        name="route",
        kind="router",
        description="the router's model reads the request: multi-agent research or one agent",
        role="router",
        default=SINGLE,
    )
    return ArchitectureSpec(
        name=_name(ROUTER, skill),
        description="Per-request routing: a router model sends each request to a single "
        "agent or to an orchestrator with sub-agents.",
        claim="Gao et al. 2025: routing requests between single and multi-agent systems gains "
        "accuracy at lower cost.",
        roles={"router": model, "agent": model, "lead": model, "worker": model},
        entry="route",
        nodes=[route, research, *multi.nodes],
        edges=[
            EdgeSpec(source="route", target=multi.entry, when="choice", label="research"),
            EdgeSpec(source="route", target="research", when="choice", label=SINGLE),
            EdgeSpec(source="research", target="end"),
            *multi.edges,
        ],
        params={**multi.params, "context_threshold": single.params["context_threshold"]},
    )


def cascade_spec(skill: float) -> ArchitectureSpec:
    """Request cascading: the single loop first, its answer handed on as a report; the
    router's model reads it and escalates to the multi-agent path (`research`) or has the
    answer written from it (`finish`)."""
    multi = load_architecture("orchestrator-workers")
    single = load_architecture("kimi-researcher")
    model = _model(skill)
    research = research_node().model_copy(
        update={"max_steps": single.params["max_steps"].default, "prompt": "worker"}
    )
    route = NodeSpec(
        name="route",
        kind="router",
        description="the router's model reads the single attempt's report: escalate or finish",
        role="router",
        default="finish",
    )
    return ArchitectureSpec(
        name=_name(CASCADE, skill),
        description="Request cascading: one agent first; a router escalates to an "
        "orchestrator with sub-agents when its report leaves something unknown.",
        claim="Gao et al. 2025: cascading requests from a single agent to a multi-agent "
        "system gains accuracy at lower cost.",
        roles={"router": model, "agent": model, "lead": model, "worker": model},
        entry="research",
        nodes=[research, route, *multi.nodes],
        edges=[
            EdgeSpec(source="research", target="route"),
            EdgeSpec(source="route", target=multi.entry, when="choice", label="research"),
            EdgeSpec(source="route", target="write", when="choice", label="finish"),
            *multi.edges,
        ],
        params={**multi.params, "context_threshold": single.params["context_threshold"]},
    )


def _acc(r: EpisodeResult) -> float:
    return float(r.correct)


def _cost(r: EpisodeResult) -> float:
    return float(r.totals.cost_usd or 0.0)


def _ran_multi(traces: Traces, design: str, skill: float, r: EpisodeResult) -> float:
    """1 when the episode ran the multi-agent path (the lead planned), else 0."""
    steps = traces[(_name(design, skill), r.task_id, r.seed)]
    return float(any(s["node"] == "lead_plan" for s in steps))


def _shrink(
    weak: Mapping[str, list[EpisodeResult]], strong: Mapping[str, list[EpisodeResult]]
) -> Estimate | None:
    """(multi - single) at the strong level minus the same at the weak level, paired by cell
    and bootstrapped over (world, task) clusters."""
    cols: dict[str, dict[Cell, float]] = {
        f"{lvl}{a}": m.cells(g[a], _acc)
        for lvl, g in (("w", weak), ("s", strong))
        for a in (SINGLE, MULTI)
    }

    def stat(d: Mapping[str, m.Array]) -> float:
        gap_s = float((d[f"s{MULTI}"] - d[f"s{SINGLE}"]).mean())
        gap_w = float((d[f"w{MULTI}"] - d[f"w{SINGLE}"]).mean())
        return gap_s - gap_w

    return m.cluster_bootstrap(cols, stat, f"{NAME}|shrink")


def _three_rows(
    design: str,
    tag: str,
    g: Mapping[str, list[EpisodeResult]],
    share: float,
    command: str,
    why: tuple[str, str, str],
) -> list[Row]:
    """design - multi and design - single accuracy, design vs multi cost; `why` holds the
    reason the accuracy rows are not reproduced, the reason a direction-only accuracy row
    holds, and the reason the cost row is not reproduced."""
    why_not, why_mix, why_cost = why
    level = f"skill {int(tag.split('-')[1]) / 100:g}"
    acc = m.difference(g[design], g[MULTI], _acc, f"{NAME}|{design}|acc|{tag}")
    acc_single = m.difference(g[design], g[SINGLE], _acc, f"{NAME}|{design}|accs|{tag}")
    cost = m.ratio(g[design], g[MULTI], _cost, f"{NAME}|{design}|cost|{tag}", minus_one=True)
    v_acc = verdict(acc, None, null=0.0, side=1)
    v_accs = verdict(acc_single, None, null=0.0, side=1)
    v_cost = verdict(cost, -0.20, null=0.0)
    saved = "more" if cost is not None and cost.mean < -0.2 else "less"
    what = "routing" if design == ROUTER else "cascading"
    return [
        Row(
            f"{design}_minus_multi_{tag}",
            f"{what} beats always-multi on accuracy ({level})",
            SOURCE,
            "+1.1 to +12 pts (direction only: the range spans applications)",
            m.fmt(acc, " pts", 100) + f" accuracy, {design} - multi",
            acc,
            v_acc,
            explain(v_acc, why_not, why_mix),
            command,
        ),
        Row(
            f"{design}_minus_single_{tag}",
            f"{what} beats always-single on accuracy ({level})",
            SOURCE,
            "+1.1 to +12 pts (direction only)",
            m.fmt(acc_single, " pts", 100) + f" accuracy, {design} - single",
            acc_single,
            v_accs,
            explain(v_accs, why_not, why_mix),
            command,
        ),
        Row(
            f"{design}_cost_vs_multi_{tag}",
            f"{what} costs up to 20% less than always-multi ({level})",
            SOURCE,
            "up to -20%",
            m.fmt(cost, "%", 100) + f" cost, {design} vs multi",
            cost,
            v_cost,
            explain(
                v_cost,
                why_cost,
                f"{saved} than 20% saved: {1 - share:.0%} of requests never ran the "
                "multi-agent path",
            ),
            command,
        ),
    ]


def run(quick: bool, out: Path, workers: int | None) -> StudyResult:
    rows: list[Row] = []
    notes: list[str] = []
    groups: dict[float, dict[str, list[EpisodeResult]]] = {}
    commands: dict[float, str] = {}
    gaps: dict[float, float] = {}
    for skill in LEVELS:
        tag = f"skill-{round(skill * 100)}"
        specs = (single_spec(skill), multi_spec(skill), router_spec(skill), cascade_spec(skill))
        result = execute(RunPlan(tag, specs, quick), out, workers)
        by_arch = result.by_arch()
        g = {a: by_arch[_name(a, skill)] for a in (SINGLE, MULTI, ROUTER, CASCADE)}
        groups[skill], commands[skill] = g, result.command
        traces = result.traces()
        share = {
            a: sum(_ran_multi(traces, a, skill, r) for r in g[a]) / max(len(g[a]), 1)
            for a in (ROUTER, CASCADE)
        }
        gap = m.difference(g[MULTI], g[SINGLE], _acc, f"{NAME}|gap|{tag}")
        gaps[skill] = _mean(g[MULTI], _acc) - _mean(g[SINGLE], _acc)
        s_r, s_c = share[ROUTER], share[CASCADE]
        rows += _three_rows(
            ROUTER,
            tag,
            g,
            s_r,
            result.command,
            (
                f"the router sent {s_r:.0%} of requests to the multi-agent path: at the entry "
                "nothing the question asks is known yet, so the documented rule's right call "
                "is always 'more work' and only its skill errors send a request to the single "
                "agent; the choice does not depend on the request",
                f"by mixing, not by request: the router's skill errors sent {1 - s_r:.0%} of "
                "requests to the single agent, and the two paths' accuracies differ here",
                f"the router sent {s_r:.0%} of requests to the multi-agent path (the rule's "
                "right call at the entry), and its own call adds to their cost",
            ),
        )
        rows += _three_rows(
            CASCADE,
            tag,
            g,
            s_c,
            result.command,
            (
                f"the cascade escalated {s_c:.0%} of requests: the single attempt's report can "
                "lose facts (summary_fidelity), a writer joins its chain with skill, a report "
                "holding a decoy's value looks complete and is not escalated, and the router "
                "errs with its skill",
                f"the single attempt settles {1 - s_c:.0%} of requests and the router escalates "
                "the ones whose report leaves a fact unknown",
                f"the cascade escalated {s_c:.0%} of requests, and those pay for the single "
                "attempt, the router's call and the multi-agent path",
            ),
        )
        notes.append(
            f"{tag}: accuracy single {_mean(g[SINGLE], _acc):.1%}, multi "
            f"{_mean(g[MULTI], _acc):.1%}, router {_mean(g[ROUTER], _acc):.1%}, cascade "
            f"{_mean(g[CASCADE], _acc):.1%}; mean cost ${_mean(g[SINGLE], _cost):.4f} / "
            f"${_mean(g[MULTI], _cost):.4f} / ${_mean(g[ROUTER], _cost):.4f} / "
            f"${_mean(g[CASCADE], _cost):.4f}; multi - single {m.fmt(gap, ' pts', 100)}; "
            f"router sent {s_r:.0%} and cascade escalated {s_c:.0%} of requests to multi "
            f"({result.dir})."
        )
    weak, strong = groups[LEVELS[0]], groups[LEVELS[-1]]
    shrink = _shrink(weak, strong)
    v_shrink = verdict(shrink, None, null=0.0, side=-1)
    rows.insert(
        0,
        Row(
            "advantage_shrinks",
            "the multi-agent advantage over a single agent shrinks as models get stronger",
            SOURCE,
            "about 10 -> 3 pts (unconfirmed; direction only)",
            m.fmt(shrink, " pts", 100)
            + f" change of (multi - single) from skill {LEVELS[0]:g} to {LEVELS[-1]:g}",
            shrink,
            v_shrink,
            explain(
                v_shrink,
                f"multi - single is {gaps[LEVELS[0]] * 100:+.1f} pts at skill {LEVELS[0]:g} and "
                f"{gaps[LEVELS[-1]] * 100:+.1f} at {LEVELS[-1]:g}: the lead's plan, hand-offs and "
                "write-up err with the same skill as the single agent's moves, and stronger "
                "roles err less in them too",
            ),
            commands[LEVELS[-1]],
        ),
    )
    notes.insert(0, "Accuracy differences are paired by (world, task, seed) within a level.")
    return StudyResult(
        NAME, VERSION, quick, study_command(NAME, quick, out, workers), tuple(rows), tuple(notes)
    )


def _mean(results: list[EpisodeResult], value: m.Value) -> float:
    return sum(map(value, results)) / max(len(results), 1)


QUICK_VERDICTS: dict[str, str] = {
    "advantage_shrinks": NOT,
    "router_minus_multi_skill-60": NOT,
    "router_minus_single_skill-60": NOT,
    "router_cost_vs_multi_skill-60": SIZE,
    "cascade_minus_multi_skill-60": NOT,
    "cascade_minus_single_skill-60": NOT,
    "cascade_cost_vs_multi_skill-60": NOT,
    "router_minus_multi_skill-90": NOT,
    "router_minus_single_skill-90": NOT,
    "router_cost_vs_multi_skill-90": SIZE,
    "cascade_minus_multi_skill-90": NOT,
    "cascade_minus_single_skill-90": NOT,
    "cascade_cost_vs_multi_skill-90": SIZE,
}

STUDY = Study(
    name=NAME,
    version=VERSION,
    claim="Gao et al.: the multi-agent advantage shrinks with stronger models; per-request "
    "routing or cascading gains 1.1-12 pts at up to 20% lower cost",
    source=SOURCE,
    published="advantage shrinks; +1.1-12 pts; up to -20% cost",
    run=run,
    quick_verdicts=QUICK_VERDICTS,
)
