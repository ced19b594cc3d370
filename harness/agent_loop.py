"""The agent loop: call the model, run its tool calls, until it answers or its budget ends.

Also the two things a long loop needs: context management (old tool outputs dropped or
summarised past a threshold, or, under the `auto` policy, when the agent calls
`compact_context`) and, for hybrid designs, a rule that picks which role's model
takes each step.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from harness import prompts
from harness.brief import Brief
from harness.episode_state import EpisodeState
from harness.messages import (
    DrawKey,
    GenerateConfig,
    Message,
    ModelRequest,
    ModelResponse,
    Purpose,
    ToolSchema,
)
from harness.plans import loop_purpose, prompt_kind
from harness.spec import NodeSpec
from harness.tools import COMPACT, COMPACT_CONTEXT, TOOL_LATENCY_S, ToolOutcome
from harness.trace import Step, ToolRecord

_TRACE_CHARS = 400
_REMOVED = "[old output removed to save context]"
_HIT_ID = re.compile(r"^\[([^\]]+)\] ", re.M)


@dataclass
class AgentResult:
    answer: str | None = None
    citations: tuple[str, ...] = ()
    messages: list[Message] = field(default_factory=list)


def request_seed(state: EpisodeState, branch: str, node: str) -> int:
    return zlib.crc32(f"{state.seed}|{state.task.id}|{branch}|{node}".encode()) & 0x7FFFFFFF


def system_prompt(node: NodeSpec) -> str:
    return {
        "researcher": prompts.RESEARCHER,
        "worker": prompts.WORKER,
        "writer": prompts.WRITER,
        "verify": prompts.VERIFIER,
    }[prompt_kind(node)]


_CONFIGS: dict[str, GenerateConfig] = {}


def _config(tool_choice: str) -> GenerateConfig:
    """One frozen `GenerateConfig` per tool choice, not one per step."""
    config = _CONFIGS.get(tool_choice)
    if config is None:
        config = _CONFIGS[tool_choice] = GenerateConfig(tool_choice=tool_choice)
    return config


async def _generate(
    state: EpisodeState,
    role: str,
    messages: tuple[Message, ...],
    purpose: Purpose,
    tools: tuple[ToolSchema, ...],
    tool_choice: str,
    seed: int,
    brief: Brief | None,
    draws: DrawKey,
) -> ModelResponse:
    """One model call, checked against the episode budget, its usage added to the episode's."""
    state.limits.check_before_request(state.usage)
    request = ModelRequest(
        messages, tools, purpose, _config(tool_choice), seed, state.task.solution, brief, draws
    )
    response = await state.backend(role).generate(request)
    state.usage = state.usage + response.usage
    return response


def _step(
    state: EpisodeState,
    response: ModelResponse,
    node: str,
    role: str,
    branch: str,
    purpose: str,
    category: str,
    clock: float,
    latency_s: float,
    tools: tuple[ToolRecord, ...] = (),
) -> Step:
    """The trace step of a call; its index is its place in the episode's record (the
    runtime renumbers steps by start time when the episode ends)."""
    u = response.usage
    return Step(
        len(state.steps),
        branch,
        node,
        role,
        response.model,
        purpose,
        category,
        round(clock, 6),
        latency_s,
        u.input_tokens,
        u.cached_input_tokens,
        u.output_tokens,
        u.reasoning_tokens,
        u.cost_usd,
        response.message.content[:_TRACE_CHARS],
        tools,
        response.weaker_tool_choice,
    )


async def call_model(
    state: EpisodeState,
    *,
    node: NodeSpec,
    role: str,
    branch: str,
    messages: tuple[Message, ...],
    purpose: Purpose,
    category: str,
    clock: float,
    tools: tuple[ToolSchema, ...] = (),
    tool_choice: str = "auto",
    seed: int = 0,
    brief: Brief | None = None,
    draws: DrawKey,
) -> tuple[Message, Step]:
    """One model call, checked against the episode budget; the caller records the step
    once it has added the tool calls it ran."""
    response = await _generate(
        state, role, messages, purpose, tools, tool_choice, seed, brief, draws
    )
    latency = response.latency_s
    step = _step(state, response, node.name, role, branch, purpose, category, clock, latency)
    return response.message, step


async def node_call(
    state: EpisodeState,
    node: NodeSpec,
    purpose: Purpose,
    messages: tuple[Message, ...],
    clock: float,
    *,
    tools: tuple[ToolSchema, ...] = (),
    tool_choice: str = "auto",
    brief: Brief | None = None,
) -> tuple[Message, Step]:
    """A node's one coordination call on the main line (a plan, a route): its role's
    model, its draws keyed by node, purpose and visit, so each visit decides afresh."""
    assert node.role is not None
    visit = state.visits[node.name]
    return await call_model(
        state,
        node=node,
        role=node.role,
        branch="main",
        messages=messages,
        purpose=purpose,
        category="coordination",
        clock=clock,
        tools=tools,
        tool_choice=tool_choice,
        seed=request_seed(state, "main", node.name) + visit,
        brief=brief,
        draws=DrawKey(state.draws_base, f"{node.name}|{purpose}", visit),
    )


async def run_agent(
    state: EpisodeState,
    node: NodeSpec,
    task_text: str,
    branch: str,
    clock: float,
    max_steps: int | None = None,
    *,
    brief: Brief,
    works_on: str = "main",
) -> tuple[AgentResult, float]:
    """Run one agent loop; returns its result and the simulated clock when it ended.

    `works_on` names what the branch researches (a sub-question's entity), which keys the
    simulated models' draws: two runs pair branch by branch whatever the branches' order."""
    budget = max_steps or node.max_steps
    assert isinstance(budget, int)
    where = f"{node.name}|{works_on}"
    messages = [Message("system", system_prompt(node)), Message("user", task_text)]
    seed = request_seed(state, branch, node.name)
    purpose: Purpose = loop_purpose(node)  # type: ignore[assignment]
    result = AgentResult()
    toolset = state.toolset(tuple(node.tools))
    schemas = toolset.schemas
    if node.context.policy == "auto":
        schemas = (*schemas, COMPACT)
    for i in range(budget):
        clock = await manage_context(state, node, branch, messages, clock, seed, where)
        role = pick_role(state, node, messages)
        last = i == budget - 1
        response = await _generate(
            state,
            role,
            tuple(messages),
            purpose,
            schemas,
            "answer" if last else "auto",
            seed + i,
            brief,
            DrawKey(state.draws_base, where, i),
        )
        reply = response.message
        messages.append(reply)
        records: list[ToolRecord] = []
        tool_time = 0.0
        for call in reply.tool_calls:
            if call.name == COMPACT_CONTEXT and node.context.policy == "auto":
                start = clock + response.latency_s + tool_time
                end, removed = await compact(state, node, branch, messages, start, seed, where)
                latency = round(end - start, 6)
                outcome = ToolOutcome(
                    f"Context compacted: {removed} old tool outputs replaced by your notes."
                    if removed
                    else "Nothing to compact: only the most recent tool outputs are in context."
                )
            else:
                outcome = toolset.execute(call)
                latency = TOOL_LATENCY_S.get(call.name, 0.0)
            tool_time += latency
            records.append(
                ToolRecord(
                    call.name,
                    call.arguments,
                    outcome.content[:_TRACE_CHARS],
                    outcome.error,
                    latency,
                )
            )
            messages.append(Message("tool", outcome.content, tool_call_id=call.id, name=call.name))
            if outcome.answer is not None and result.answer is None:
                result.answer, result.citations = outcome.answer
        step = _step(
            state,
            response,
            node.name,
            role,
            branch,
            purpose,
            node.category,
            clock,
            round(response.latency_s + tool_time, 6),
            tuple(records),
        )
        state.record(step)
        clock += step.latency_s
        state.limits.check_after_request(state.usage)
        if not reply.tool_calls:
            result.answer = reply.content.strip() or None  # a plain-text final answer
        if result.answer is not None:
            break
    result.messages = messages
    return result, clock


def pick_role(state: EpisodeState, node: NodeSpec, messages: list[Message]) -> str:
    """The node's role, or (with a step router) the escalation role when the loop is stuck:
    its last tool result found nothing new."""
    assert node.role is not None
    if node.step_router is None:
        return node.role
    router = state.arch.nodes[node.step_router]
    routine, escalation = router.roles
    return escalation if is_stuck(messages) else routine


def is_stuck(messages: list[Message]) -> bool:
    tool_msgs = [m for m in messages if m.role == "tool"]
    if not tool_msgs:
        return False
    last = tool_msgs[-1]
    if last.content.startswith(("No results", "Error")):
        return True
    if last.name == "search":
        seen = {i for m in tool_msgs[:-1] for i in _HIT_ID.findall(m.content)}
        new = set(_HIT_ID.findall(last.content)) - seen
        return not new
    return False


async def manage_context(
    state: EpisodeState,
    node: NodeSpec,
    branch: str,
    messages: list[Message],
    clock: float,
    seed: int,
    where: str,
) -> float:
    """Past the threshold, replace old tool outputs by a placeholder (drop) or by notes the
    model writes (summarise, counted as coordination). Under `auto` nothing happens here:
    the agent decides, by calling `compact_context`."""
    policy = node.context
    if policy.policy in ("keep", "auto"):
        return clock
    threshold = policy.threshold_tokens
    assert isinstance(threshold, int)
    if sum(m.tokens for m in messages) <= threshold:
        return clock
    return (await compact(state, node, branch, messages, clock, seed, where))[0]


async def compact(
    state: EpisodeState,
    node: NodeSpec,
    branch: str,
    messages: list[Message],
    clock: float,
    seed: int,
    where: str,
) -> tuple[float, int]:
    """Replace the old tool outputs (all but the last `keep_last`) by a placeholder, and
    for `summarise` and `auto` by notes the node's own model writes first (a coordination
    call). Returns the clock after it and how many outputs were replaced."""
    policy = node.context
    old = old_outputs(messages, policy.keep_last)
    if not old:
        return clock, 0
    summary: str | None = None
    if policy.policy in ("summarise", "auto"):
        assert node.role is not None
        body = notes_body(messages, old)
        request = (
            Message("system", prompts.SUMMARISER),
            Message("user", messages[1].content),
            Message("user", body, name="notes"),
        )
        reply, step = await call_model(
            state,
            node=node,
            role=node.role,
            branch=branch,
            messages=request,
            purpose="summarise",
            category="coordination",
            clock=clock,
            seed=seed + 10_000 + len(messages),
            draws=DrawKey(state.draws_base, where + "|summary", len(messages)),
        )
        state.record(step)
        clock += step.latency_s
        summary = reply.content
    replace_old(messages, old, summary)
    return clock, len(old)


def old_outputs(messages: list[Message], keep_last: int) -> list[int]:
    """Indices of the tool outputs a compaction replaces: all not yet removed but the last
    `keep_last`. Shared with `harness.fitting.context`, which rebuilds what a loop saw."""
    tool_idx = [i for i, m in enumerate(messages) if m.role == "tool" and m.content != _REMOVED]
    return tool_idx[: max(0, len(tool_idx) - keep_last)]


def notes_body(messages: list[Message], old: list[int]) -> str:
    """What the summariser reads: the earlier notes, then the outputs being replaced."""
    notes_prev = [m.content for m in messages if m.role == "user" and m.name == "notes"]
    return "\n\n".join([*notes_prev, *(messages[i].content for i in old)])


def replace_old(messages: list[Message], old: list[int], summary: str | None) -> None:
    """Put the placeholder in place of the `old` outputs and, with a summary, the new notes
    (third message, after the system prompt and the task) in place of the earlier ones."""
    for i in old:
        m = messages[i]
        messages[i] = Message("tool", _REMOVED, tool_call_id=m.tool_call_id, name=m.name)
    if summary is not None:
        messages[:] = [m for m in messages if not (m.role == "user" and m.name == "notes")]
        messages.insert(2, Message("user", "Notes so far:\n" + summary, name="notes"))
