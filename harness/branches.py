"""Parallel branches: a fan-out (one sub-agent per sub-task, or N copies of one agent on
the whole question) and a split (several edges to different agents, joined at an
aggregate).

Branches run as asyncio tasks from the same clock; the walk goes on when the slowest one
ends (the critical path). What a branch produces is kept apart from the episode's answer:
a reporting agent's report joins the hand-off, an answering agent's answer becomes a
`Candidate` that the join's aggregate strategy turns into one answer.
"""

from __future__ import annotations

import asyncio

from harness.agent_loop import AgentResult, run_agent
from harness.episode_state import Candidate, EpisodeState, Report, Subtask
from harness.flow_checks import Split
from harness.plans import node_brief, prompt_kind, worker_text
from harness.spec import NodeSpec


def take_result(
    state: EpisodeState,
    node: NodeSpec,
    result: AgentResult,
    subtask: str,
    clock: float,
    branch: str = "main",
    parallel: bool = False,
) -> None:
    """Where an agent's result goes: a report to the hand-off; an answer to the episode,
    or (in a parallel branch) to the candidates an aggregate will combine."""
    kind = prompt_kind(node)
    if result.answer is None:
        if kind == "worker":
            detail = f"no report on: {subtask[:120]}"
            state.note("report_ignored", node.name, branch, clock, detail)
        return
    assert node.role is not None
    if kind == "worker":
        report = Report(subtask, result.answer, result.citations, node.role, branch)
        state.reports.append(report)
        state.round_reports.append(report)
    elif parallel:
        state.candidates.append(
            Candidate(branch, node.name, node.role, result.answer, result.citations)
        )
    else:
        state.answer = (result.answer, result.citations)


def _start_round(state: EpisodeState) -> None:
    state.candidates = []
    state.round_reports = []


async def fan_out(state: EpisodeState, node: NodeSpec, clock: float) -> float:
    if node.copies is not None:
        return await _copies(state, node, clock)
    assert node.target is not None
    target = state.arch.nodes[node.target]
    width = node.width if isinstance(node.width, int) else len(state.subtasks)
    subtasks = state.subtasks[:width]
    rnd = state.visits[node.name]
    for sub in state.subtasks[width:]:
        detail = f"width {width}: {sub.question[:120]}"
        state.note("subtask_dropped", node.name, f"{node.name}#{rnd}", clock, detail)

    dynamic = _dynamic_budget(state)
    cap = target.max_steps
    assert isinstance(cap, int)

    plan = [s.question for s in state.subtasks]

    async def branch(i: int, sub: Subtask) -> tuple[AgentResult, float]:
        name = f"{node.name}#{rnd}/{i}"
        steps = sub.max_steps if dynamic and sub.max_steps else None
        if steps is not None and steps > cap:
            detail = f"asked {steps} steps, node allows {cap}: {sub.question[:80]}"
            state.note("budget_clipped", target.name, name, clock, detail)
            steps = cap
        brief = node_brief(target, sub)
        text = worker_text(state.task.question, plan, sub, brief)
        works_on = f"r{rnd}|{sub.focus or sub.question}"
        return await run_agent(
            state, target, text, name, clock, steps, brief=brief, works_on=works_on
        )

    outcomes = await asyncio.gather(*(branch(i, s) for i, s in enumerate(subtasks)))
    for i, (sub, (result, end)) in enumerate(zip(subtasks, outcomes, strict=True)):
        take_result(state, target, result, sub.question, end, f"{node.name}#{rnd}/{i}", True)
    return max([clock, *(end for _, end in outcomes)])


async def _copies(state: EpisodeState, node: NodeSpec, clock: float) -> float:
    """N copies of one agent on the whole question. Copy 0 of the first round draws as a
    lone agent of the same node name would, so one copy pairs with a single agent."""
    assert node.target is not None and isinstance(node.copies, int)
    target = state.arch.nodes[node.target]
    rnd = state.visits[node.name]
    _start_round(state)
    text = state.handoff() if target.input == "handoff" else state.task.question
    brief = node_brief(target)

    async def branch(i: int) -> tuple[AgentResult, float]:
        works_on = "main" if i == 0 and rnd == 1 else f"copy{i}@{rnd}"
        name = f"{node.name}#{rnd}/{i}"
        return await run_agent(state, target, text, name, clock, brief=brief, works_on=works_on)

    outcomes = await asyncio.gather(*(branch(i) for i in range(node.copies)))
    for i, (result, end) in enumerate(outcomes):
        take_result(state, target, result, state.task.question, end, f"{node.name}#{rnd}/{i}", True)
    return max([clock, *(end for _, end in outcomes)])


async def split(state: EpisodeState, sp: Split, clock: float) -> float:
    """Every branch of a split, concurrently; each branch is a path of agents run in turn."""
    rnd = state.visits[sp.node]
    _start_round(state)
    text = state.handoff()

    async def branch(path: tuple[str, ...]) -> tuple[list[tuple[NodeSpec, AgentResult]], float]:
        name = f"{sp.node}#{rnd}/{path[0]}"
        at = clock
        done: list[tuple[NodeSpec, AgentResult]] = []
        for node_name in path:
            node = state.arch.nodes[node_name]
            given = text if node.input == "handoff" else state.task.question
            if done and node.input == "handoff" and done[-1][1].answer is not None:
                given = f"{text}\n\nPrevious step: {done[-1][1].answer}"
            works_on = "main" if rnd == 1 else f"main@{rnd}"
            result, at = await run_agent(
                state, node, given, name, at, brief=node_brief(node), works_on=works_on
            )
            done.append((node, result))
        return done, at

    outcomes = await asyncio.gather(*(branch(p) for p in sp.branches))
    for path, (done, end) in zip(sp.branches, outcomes, strict=True):
        name = f"{sp.node}#{rnd}/{path[0]}"
        for k, (node, result) in enumerate(done):
            # every report counts; an answer counts as the branch's only at its end
            if k == len(done) - 1 or prompt_kind(node) == "worker":
                take_result(state, node, result, state.task.question, end, name, True)
    return max([clock, *(end for _, end in outcomes)])


def _dynamic_budget(state: EpisodeState) -> bool:
    """Sub-agents take the budget a dynamic planner gave them, up to their node's
    `max_steps`; a fixed template's workers keep the node's fixed `max_steps`."""
    return any(n.kind == "planner" and n.mode == "dynamic" for n in state.arch.nodes.values())
