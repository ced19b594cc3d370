"""Run one architecture on one task: walk the compiled graph, node by node.

The walk is plain Python over a small mutable `EpisodeState`; parallel sub-agents run as
asyncio tasks, and the simulated clock takes the longest branch (the critical path). Every
`RunError` (budget hit, context overflow, backend failure) ends the episode with that
outcome; nothing escapes `run_episode`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from harness import exchange, prompts
from harness.agent_loop import node_call, run_agent
from harness.branches import fan_out, split, take_result
from harness.combine import aggregate
from harness.corpus import Corpus
from harness.episode_state import EpisodeState, Subtask, Verdict
from harness.episode_state import ModelFactory as ModelFactory
from harness.errors import RunError
from harness.events import Event, count_events, in_order
from harness.graph import CompiledArchitecture
from harness.messages import Message
from harness.plans import node_brief, parse_plan, planner_brief, prompt_kind
from harness.registry import ModelBackend, get_model
from harness.routing import route
from harness.scoring import score_answer
from harness.sim.streams import episode_key, task_digest
from harness.spec import END, NodeSpec
from harness.step_edit import renumbered
from harness.task import Task
from harness.trace import EpisodeResult, Step, summarise_steps
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
        clock = await _agent(state, node, clock)
    elif node.kind == "planner":
        clock = await _plan(state, node, clock)
    elif node.kind == "fan_out":
        clock = await fan_out(state, node, clock)
    elif node.kind == "aggregate":
        clock = await aggregate(state, node, clock)
    elif node.kind == "router":
        clock, label = await route(state, node, clock)
        return clock, next(t for t, lb in state.arch.successors(node.name) if lb == label)
    sp = state.arch.splits.get(node.name)
    if sp is not None:
        return await split(state, sp, clock), sp.join
    return clock, state.arch.successors(node.name)[0][0]


async def _agent(state: EpisodeState, node: NodeSpec, clock: float) -> float:
    """One agent on the main line: a verifier checks the answer, any other answers (or
    reports). A critique a router carried to this node is in its text and its brief."""
    visit = state.visits[node.name]
    works_on = "main" if visit == 1 else f"main@{visit}"
    brief = node_brief(node)
    if prompt_kind(node) == "verify":
        answer, cites = state.answer or (None, ())
        text = exchange.check_text(state.task.question, answer, cites)
        result, clock = await run_agent(
            state, node, text, "main", clock, brief=brief, works_on=works_on
        )
        state.verdict = parse_verdict(result.answer, answer)
        return clock
    text = state.handoff() if node.input == "handoff" else _question(state, node)
    critique = state.critiques.pop(node.name, None)
    if critique is not None:
        text = f"{text}\n\n{exchange.critique_text(critique.answer, critique.critique)}"
        brief = replace(brief, rejected=(*brief.rejected, critique.answer))
    result, clock = await run_agent(
        state, node, text, "main", clock, brief=brief, works_on=works_on
    )
    take_result(state, node, result, node.input, clock)
    return clock


def parse_verdict(text: str | None, answer: str | None) -> Verdict:
    """A verifier's reply: 'accept', or 'reject: <critique>'; anything else rejects (a
    verifier that cannot say yes has not accepted)."""
    reply = (text or "").strip()
    head, _, rest = reply.partition(":")
    accepted = head.strip().lower() == "accept"
    critique = rest.strip() or ("" if accepted else reply or "no verdict")
    return Verdict(accepted, critique[:500], answer or "(none)")


def _question(state: EpisodeState, node: NodeSpec) -> str:
    if state.subtasks and node.input == "question":
        plan = "\n".join(f"- {s.question}" for s in state.subtasks)
        return f"{state.task.question}\n\nPlan:\n{plan}"
    return state.task.question


async def _plan(state: EpisodeState, node: NodeSpec, clock: float) -> float:
    assert node.role is not None
    system = prompts.PLANNER_DYNAMIC if node.mode == "dynamic" else prompts.PLANNER_TEMPLATE
    messages = (Message("system", system), Message("user", state.handoff()))
    reply, step = await node_call(state, node, "plan", messages, clock, brief=planner_brief(node))
    state.record(step)
    clock += step.latency_s
    subtasks = parse_plan(reply.content, state.task.question)
    if subtasks is None:
        state.note("plan_unreadable", node.name, "main", clock, "the whole question is one task")
        subtasks = [Subtask(state.task.question)]
    state.subtasks = subtasks
    state.round_reports = []
    return clock
