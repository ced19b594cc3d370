"""Run one architecture on one task: walk the compiled graph, node by node.

The walk is plain Python over a small mutable `EpisodeState`; parallel sub-agents run as
asyncio tasks, and the simulated clock takes the longest branch (the critical path). Every
`RunError` (budget hit, context overflow, backend failure) ends the episode with that
outcome; nothing escapes `run_episode`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from harness import prompts
from harness.agent_loop import AgentResult, call_model, request_seed, run_agent
from harness.corpus import Corpus
from harness.episode_state import EpisodeState, Report, Subtask
from harness.episode_state import ModelFactory as ModelFactory
from harness.errors import RunError
from harness.events import Event, count_events, in_order
from harness.graph import CompiledArchitecture
from harness.messages import DrawKey, Message, ToolSchema
from harness.plans import node_brief, parse_plan, planner_brief, prompt_kind, worker_text
from harness.registry import ModelBackend, get_model
from harness.scoring import score_answer
from harness.sim.streams import episode_key, task_digest
from harness.spec import END, NodeSpec
from harness.step_edit import renumbered, with_tools
from harness.task import Task
from harness.trace import EpisodeResult, Step, ToolRecord, summarise_steps
from harness.usage import UsageLimits

_MAX_NODE_VISITS = 1000


@dataclass(frozen=True)
class Episode:
    result: EpisodeResult
    steps: list[Step]
    events: tuple[Event, ...] = ()

    def __post_init__(self) -> None:
        """Events in clock order, and counted per kind in the result, however it was built."""
        if self.events:
            object.__setattr__(self, "events", in_order(self.events))
            counts = count_events(self.events)
            object.__setattr__(self, "result", self.result.model_copy(update={"events": counts}))


async def run_episode(
    arch: CompiledArchitecture,
    task: Task,
    corpus: Corpus,
    *,
    seed: int = 0,
    limits: UsageLimits | None = None,
    backends: dict[str, ModelBackend] | None = None,
    model_factory: ModelFactory | None = None,
) -> Episode:
    """Run `arch` on `task`. Backends are made per episode by `model_factory` (default:
    the registry's `get_model`) unless given per role in `backends`; a factory is where
    caching, recording and replay wrap real models."""
    state = EpisodeState(
        arch,
        task,
        corpus,
        seed,
        limits or UsageLimits(),
        dict(backends or {}),
        model_factory or get_model,
        episode_key(seed, _digest(task)),
    )
    outcome, error = "answered", None
    clock = 0.0
    node = arch.spec.entry
    try:
        while node != END:
            state.visits[node] += 1
            if sum(state.visits.values()) > _MAX_NODE_VISITS:
                raise RunError(f"more than {_MAX_NODE_VISITS} node visits")
            clock, node = await _run_node(state, arch.nodes[node], clock)
        if state.answer is None:
            outcome = "no_answer"
    except RunError as exc:
        outcome, error = exc.outcome, str(exc)
    steps = [s if s.index == i else renumbered(s, i) for i, s in enumerate(_ordered(state))]
    answer, citations = state.answer or (None, ())
    correct, supported = score_answer(task, answer, citations)
    result = EpisodeResult(
        architecture=arch.name,
        task_id=task.id,
        family=task.family,
        seed=seed,
        outcome=outcome,  # type: ignore[arg-type]
        error=error,
        answer=answer,
        citations=list(citations),
        correct=correct,
        supported=supported,
        latency_s=round(clock, 6),
        **summarise_steps(steps),
    )
    return Episode(result, steps, tuple(state.events))


_DIGESTS: dict[str, tuple[Task, str]] = {}


def _digest(task: Task) -> str:
    """The task's content digest, remembered per task object (a run meets each task once
    per seed and architecture)."""
    hit = _DIGESTS.get(task.id)
    if hit is not None and hit[0] is task:
        return hit[1]
    digest = task_digest(task.question, task.solution.model_dump_json())
    if len(_DIGESTS) > 100_000:
        _DIGESTS.clear()
    _DIGESTS[task.id] = (task, digest)
    return digest


def _ordered(state: EpisodeState) -> list[Step]:
    """Steps by simulated start time, so the order never depends on how asyncio
    interleaved the branches; ties keep their recorded order within a branch. A single
    branch's steps are recorded in that order already."""
    steps = state.steps
    if all(s.branch == "main" for s in steps):
        if all(a.start_s <= b.start_s for a, b in zip(steps, steps[1:], strict=False)):
            return steps
    return sorted(steps, key=lambda s: (s.start_s, s.branch))


async def _run_node(state: EpisodeState, node: NodeSpec, clock: float) -> tuple[float, str]:
    if node.kind == "agent":
        text = state.handoff() if node.input == "handoff" else _question(state, node)
        brief = node_brief(node)
        result, clock = await run_agent(state, node, text, "main", clock, brief=brief)
        _take_result(state, node, result, node.input, clock)
    elif node.kind == "planner":
        clock = await _plan(state, node, clock)
    elif node.kind == "fan_out":
        clock = await _fan_out(state, node, clock)
    elif node.kind == "aggregate":
        pass  # reports are merged into the hand-off text by EpisodeState.handoff
    elif node.kind == "router":
        clock, label = await _route(state, node, clock)
        return clock, next(t for t, lb in state.arch.successors(node.name) if lb == label)
    return clock, state.arch.successors(node.name)[0][0]


def _question(state: EpisodeState, node: NodeSpec) -> str:
    if state.subtasks and node.input == "question":
        plan = "\n".join(f"- {s.question}" for s in state.subtasks)
        return f"{state.task.question}\n\nPlan:\n{plan}"
    return state.task.question


def _take_result(
    state: EpisodeState,
    node: NodeSpec,
    result: AgentResult,
    subtask: str,
    clock: float,
    branch: str = "main",
) -> None:
    if result.answer is None:
        if prompt_kind(node) == "worker":
            detail = f"no report on: {subtask[:120]}"
            state.note("report_ignored", node.name, branch, clock, detail)
        return
    if prompt_kind(node) == "worker":
        report = Report(subtask, result.answer, result.citations)
        state.reports.append(report)
        state.round_reports.append(report)
    else:
        state.answer = (result.answer, result.citations)


async def _plan(state: EpisodeState, node: NodeSpec, clock: float) -> float:
    assert node.role is not None
    system = prompts.PLANNER_DYNAMIC if node.mode == "dynamic" else prompts.PLANNER_TEMPLATE
    messages = (Message("system", system), Message("user", state.handoff()))
    visit = state.visits[node.name]
    reply, step = await call_model(
        state,
        node=node,
        role=node.role,
        branch="main",
        messages=messages,
        purpose="plan",
        category="coordination",
        clock=clock,
        seed=request_seed(state, "main", node.name) + visit,
        brief=planner_brief(node),
        draws=DrawKey(state.draws_base, f"{node.name}|plan", visit),
    )
    state.record(step)
    clock += step.latency_s
    subtasks = parse_plan(reply.content, state.task.question)
    if subtasks is None:
        state.note("plan_unreadable", node.name, "main", clock, "the whole question is one task")
        subtasks = [Subtask(state.task.question)]
    state.subtasks = subtasks
    state.round_reports = []
    return clock


async def _fan_out(state: EpisodeState, node: NodeSpec, clock: float) -> float:
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
        _take_result(state, target, result, sub.question, end, f"{node.name}#{rnd}/{i}")
    return max([clock, *(end for _, end in outcomes)])


def _dynamic_budget(state: EpisodeState) -> bool:
    """Sub-agents take the budget a dynamic planner gave them, up to their node's
    `max_steps`; a fixed template's workers keep the node's fixed `max_steps`."""
    return any(n.kind == "planner" and n.mode == "dynamic" for n in state.arch.nodes.values())


async def _route(state: EpisodeState, node: NodeSpec, clock: float) -> tuple[float, str]:
    labels = [lb for _, lb in state.arch.successors(node.name) if lb is not None]
    default = node.default or labels[-1]
    budget = node.max_visits if isinstance(node.max_visits, int) else None
    if budget is not None and state.visits[node.name] > budget:
        return clock, default
    if node.rule == "any_failed":
        failed = any(
            "No relevant information" in r.text or not r.citations for r in state.round_reports
        )
        want = "replan" if failed and "replan" in labels else default
        return clock, want
    assert node.role is not None
    tools = tuple(
        ToolSchema(lb, f"choose '{lb}'", {"type": "object", "properties": {}}) for lb in labels
    )
    messages = (Message("system", prompts.ROUTER), Message("user", state.handoff()))
    visit = state.visits[node.name]
    reply, step = await call_model(
        state,
        node=node,
        role=node.role,
        branch="main",
        messages=messages,
        purpose="route",
        category="coordination",
        clock=clock,
        tools=tools,
        tool_choice="required",
        seed=request_seed(state, "main", node.name) + visit,
        draws=DrawKey(state.draws_base, f"{node.name}|route", visit),
    )
    choice = reply.tool_calls[0].name if reply.tool_calls else default
    label = choice if choice in labels else default
    state.record(with_tools(step, (ToolRecord(label, {}, "routed", label != choice, 0.0),), 0.0))
    return clock + step.latency_s, label
