"""A planner's first split of the question, classified entity by entity.

The rule is `harness.sim.coordination.plan`: per entity of the question, one skill
decision; a wrong one leaves the entity out, merges it into the next entity's
sub-question (which then makes no decision of its own), or cuts its chain to its first
fact. An entity that allows no mistake (a one-entity, one-fact question) tells nothing.
Only an episode's first plan is read: a re-plan's context holds reports the trace does not
keep. Of a plan the trace cut (400 characters) the sub-tasks written out whole are read, in
order, up to the first entity that none of them asks about and none after it: that one
may have been left out or cut off. (Leaving cut plans out altogether biased skill low: a
right split writes longer sub-questions, so it is cut more often.) For a model that words
its own sub-questions, an entity is split right when one sub-question names it alone.
"""

from __future__ import annotations

from typing import Any

from harness.fitting.loops import is_cut, plan_of
from harness.graph import CompiledArchitecture
from harness.plans import parse_plan, prompt_kind
from harness.sim.reading import chain_state, relevant_chains
from harness.task import Task


def plan_decisions(task: Task, step: dict[str, Any]) -> list[tuple[str, bool]]:
    """(class, right) for each entity whose split could have gone wrong."""
    content = str(step.get("content") or "")
    subs, cut = plan_of(content, task.question, is_cut(step))
    if not cut and parse_plan(content, task.question) is None:
        return []  # unreadable: the runtime ran the whole question as one task
    questions = [s.question for s in subs]
    chains = relevant_chains(task.solution, f"Question: {task.question}")
    entries = [c.entry.lower() for c in chains]
    out: list[tuple[str, bool]] = []
    swallowed = False
    for i, chain in enumerate(chains):
        if swallowed:  # merged into the previous entity's sub-question: no decision
            swallowed = False
            continue
        several = len(chains) > 1
        if not several and len(chain.hops) == 1:
            continue  # nothing to get wrong
        nxt = chains[i + 1].question if i + 1 < len(chains) else None
        short = f"{chain.entry} {chain.hops[0].relation}?"
        if nxt is not None and f"{chain.question} {nxt}" in questions:
            out.append(("plan: entities merged", False))
            swallowed = True
        elif len(chain.hops) > 1 and short in questions:
            out.append(("plan: chain cut short", False))
        elif chain.question in questions:
            out.append(("plan: entity split right", True))
        elif cut and not any(q.startswith(c.question) for c in chains[i + 1 :] for q in questions):
            break  # nothing written after it survived the cut: left out, or cut off
        else:
            named = [q for q in questions if entries[i] in q.lower()]
            alone = [q for q in named if sum(e in q.lower() for e in entries) == 1]
            if alone:
                out.append(("plan: entity split right", True))
            elif named:
                out.append(("plan: entities merged", False))
            else:
                out.append(("plan: entity left out", False))
    return out


_MORE = ("replan", "retry", "research", "continue", "revise")
"""Labels read as "do more work" (`harness.sim.coordination._MORE`)."""


def route_decision(
    task: Task, arch: CompiledArchitecture, before: list[dict[str, Any]], step: dict[str, Any]
) -> tuple[str, bool] | None:
    """A router's call (`coordination.route`): more work while the reports so far leave a
    fact missing, else finish. The hand-off it read is rebuilt from the question and the
    workers' reports recorded before it; None when its choice could not have been wrong
    or its hand-off cannot be rebuilt (candidates, critiques)."""
    node = arch.nodes.get(str(step.get("node")))
    tools = step.get("tools") or []
    if node is None or len(tools) != 1:
        return None
    edges = arch.routes(node.name)
    if node.rule == "model":
        labels = [lb for _, lb, _ in edges]
    else:
        labels = [lb for _, lb, w in edges if w == "choice"]
    names = sorted(lb for lb in labels if lb)
    if len(names) < 2 or any(prompt_kind(n) == "verify" for n in arch.nodes.values()):
        return None
    reports = []
    for st in before:
        src = arch.nodes.get(str(st.get("node")))
        if src is None or src.kind != "agent" or prompt_kind(src) != "worker":
            continue
        for t in st.get("tools") or []:
            if t.get("name") == "answer" and not t.get("error"):
                reports.append(str((t.get("arguments") or {}).get("text", "")))
    if not reports:
        return None
    evidence = "\n".join([f"Question: {task.question}", *reports])
    chains = relevant_chains(task.solution, evidence)
    pending = any(not chain_state(c, evidence).done for c in chains)
    more = [n for n in _MORE if n in names]
    others = [n for n in names if n not in _MORE]
    right = more[0] if pending and more else (others[0] if others else names[0])
    chosen = str(tools[0].get("name"))
    ok = chosen == right and not tools[0].get("error")
    return ("route: right call" if ok else "route: wrong call"), ok
